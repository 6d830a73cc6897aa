/*
 * schema.h - the migrations of the station database, in order. Step i
 * brings user_version from i to i + 1 and runs in one transaction with
 * that PRAGMA. Never edit a step that has shipped: add one.
 */
#ifndef DUTYDESK_CORE_SCHEMA_H
#define DUTYDESK_CORE_SCHEMA_H

static const char *const migrations[] = {
/* 1: the operation log, the clock stamps and every state table. */
"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
"CREATE TABLE ops("
"  station TEXT NOT NULL, incarnation TEXT NOT NULL, seq INTEGER NOT NULL,"
"  hlc INTEGER NOT NULL, realm TEXT NOT NULL, officer TEXT NOT NULL,"
"  kind TEXT NOT NULL, entity TEXT NOT NULL, body TEXT NOT NULL,"
"  local INTEGER NOT NULL DEFAULT 0, acked INTEGER NOT NULL DEFAULT 0,"
"  server_seq INTEGER, refused TEXT,"
"  PRIMARY KEY(station, incarnation, seq)) WITHOUT ROWID;"
/* The outbox: only what waits for an acknowledgement is indexed, so
 * operations received from elsewhere cost it nothing. */
"CREATE INDEX ops_outbox ON ops(seq) WHERE local = 1 AND acked = 0;"
"CREATE INDEX ops_entity ON ops(entity);"
"CREATE INDEX ops_server ON ops(server_seq) WHERE server_seq IS NOT NULL;"
/* On the server: operations refused on a fixed ground; their sequence
 * numbers are used up. */
"CREATE TABLE refused(station TEXT NOT NULL, incarnation TEXT NOT NULL,"
"  seq INTEGER NOT NULL, code TEXT, message TEXT,"
"  PRIMARY KEY(station, incarnation, seq));"
"CREATE TABLE counters(station TEXT PRIMARY KEY, n INTEGER NOT NULL)"
"  WITHOUT ROWID;"
"CREATE TABLE lww(tbl TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL,"
"  hlc INTEGER NOT NULL, station TEXT NOT NULL, inc TEXT NOT NULL,"
"  seq INTEGER NOT NULL, PRIMARY KEY(tbl, id, field)) WITHOUT ROWID;"
/* Records (reference data, incidents) carry the stamp of the operation
 * that created them (b_*): a field it set has no row in lww until a later
 * operation writes it, which keeps creation to one insert. */
"CREATE TABLE towns(id TEXT PRIMARY KEY, name TEXT, pinyin TEXT,"
"  area TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
"CREATE TABLE teams(id TEXT PRIMARY KEY, name TEXT, pinyin TEXT, kind TEXT,"
"  town TEXT, members INTEGER, leader TEXT, phone TEXT, speciality TEXT,"
"  deleted INTEGER NOT NULL DEFAULT 0,"
"  status TEXT NOT NULL DEFAULT 'available', status_at INTEGER,"
"  dispatch TEXT,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
"CREATE TABLE depots(id TEXT PRIMARY KEY, name TEXT, pinyin TEXT, town TEXT,"
"  deleted INTEGER NOT NULL DEFAULT 0,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
"CREATE TABLE supply_kinds(id TEXT PRIMARY KEY, name TEXT, pinyin TEXT,"
"  name_en TEXT, unit TEXT, unit_en TEXT, need_per_100 INTEGER,"
"  low INTEGER, deleted INTEGER NOT NULL DEFAULT 0,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
"CREATE TABLE shelters(id TEXT PRIMARY KEY, name TEXT, pinyin TEXT,"
"  town TEXT, capacity INTEGER, address TEXT, manager TEXT, phone TEXT,"
"  open INTEGER NOT NULL DEFAULT 0, occupancy INTEGER NOT NULL DEFAULT 0,"
"  deleted INTEGER NOT NULL DEFAULT 0,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
/* supplies: movements only; stock is their sum */
"CREATE TABLE movements(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
"  at INTEGER NOT NULL, note TEXT, officer TEXT, station TEXT);"
"CREATE TABLE legs(movement TEXT NOT NULL, n INTEGER NOT NULL,"
"  depot TEXT NOT NULL, item TEXT NOT NULL, delta INTEGER NOT NULL,"
"  PRIMARY KEY(movement, n)) WITHOUT ROWID;"
"CREATE TABLE stock(depot TEXT NOT NULL, item TEXT NOT NULL,"
"  qty INTEGER NOT NULL, PRIMARY KEY(depot, item)) WITHOUT ROWID;"
/* incidents */
"CREATE TABLE incidents(id TEXT PRIMARY KEY, title TEXT, town TEXT,"
"  place TEXT, kind TEXT, severity INTEGER, received_at INTEGER,"
"  cause TEXT, actions TEXT, trend TEXT, dead INTEGER, injured INTEGER,"
"  missing INTEGER, trapped INTEGER, evacuated INTEGER, caller_unit TEXT,"
"  caller_name TEXT, caller_phone TEXT, notified TEXT, recorder TEXT,"
"  deleted INTEGER NOT NULL DEFAULT 0,"
"  status TEXT NOT NULL DEFAULT 'reported', status_gen INTEGER NOT NULL"
"  DEFAULT 0, status_rank INTEGER NOT NULL DEFAULT 0, status_at INTEGER,"
"  st_hlc INTEGER NOT NULL DEFAULT -1, st_station TEXT NOT NULL DEFAULT '',"
"  st_inc TEXT NOT NULL DEFAULT '', st_seq INTEGER NOT NULL DEFAULT 0,"
"  phone_at INTEGER, written_at INTEGER,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
"CREATE INDEX incidents_received ON incidents(received_at, id);"
/* What the duty clocks count: open incidents still owing a phone or a
 * written report, by time received. */
"CREATE INDEX incidents_nophone ON incidents(received_at)"
"  WHERE status_rank < 4 AND deleted = 0 AND phone_at IS NULL;"
"CREATE INDEX incidents_nowritten ON incidents(received_at)"
"  WHERE status_rank < 4 AND deleted = 0 AND written_at IS NULL;"
"CREATE TABLE reports(id TEXT PRIMARY KEY, incident TEXT NOT NULL,"
"  type TEXT NOT NULL, channel TEXT NOT NULL, text TEXT, at INTEGER NOT NULL,"
"  officer TEXT);"
"CREATE INDEX reports_incident ON reports(incident);"
/* response levels: append-only decisions, level in force derived */
"CREATE TABLE decisions(id TEXT PRIMARY KEY, hazard TEXT NOT NULL,"
"  action TEXT NOT NULL, level INTEGER NOT NULL, signed_by TEXT, note TEXT,"
"  at INTEGER NOT NULL, officer TEXT, station TEXT);"
"CREATE INDEX decisions_hazard ON decisions(hazard);"
"CREATE TABLE follows(decision TEXT NOT NULL, hazard TEXT NOT NULL,"
"  follows TEXT NOT NULL, PRIMARY KEY(decision, follows));"
"CREATE INDEX follows_f ON follows(hazard, follows);"
"CREATE TABLE ticks(episode TEXT NOT NULL, item TEXT NOT NULL,"
"  checked INTEGER NOT NULL, officer TEXT, at INTEGER,"
"  PRIMARY KEY(episode, item)) WITHOUT ROWID;"
/* teams and dispatch */
"CREATE TABLE dispatches(id TEXT PRIMARY KEY, team TEXT, incident TEXT,"
"  follows TEXT, at INTEGER, en_route_at INTEGER, on_scene_at INTEGER,"
"  returning_at INTEGER, available_at INTEGER, officer TEXT, station TEXT);"
"CREATE INDEX dispatches_team ON dispatches(team, follows);"
"CREATE INDEX dispatches_incident ON dispatches(incident);"
/* warnings and their answers */
"CREATE TABLE warnings(id TEXT PRIMARY KEY, hazard TEXT, color TEXT,"
"  text TEXT, at INTEGER, officer TEXT, station TEXT);"
"CREATE TABLE warning_towns(warning TEXT NOT NULL, town TEXT NOT NULL,"
"  PRIMARY KEY(warning, town)) WITHOUT ROWID;"
"CREATE TABLE answers(id TEXT PRIMARY KEY, warning TEXT NOT NULL,"
"  town TEXT NOT NULL, who TEXT, at INTEGER NOT NULL, officer TEXT);"
"CREATE INDEX answers_warning ON answers(warning, town);"
/* duty log, conflicts seen by a person */
"CREATE TABLE log(id TEXT PRIMARY KEY, kind TEXT NOT NULL, text TEXT,"
"  to_officer TEXT, at INTEGER NOT NULL, officer TEXT, station TEXT);"
"CREATE TABLE conflict_acks(id TEXT PRIMARY KEY, officer TEXT,"
"  at INTEGER);",
/* 2: the operation log laid out for appends. Rows are kept in the order
 * they arrive (n); what a replica holds of each incarnation is the last
 * sequence in heads, less the sequences below it recorded in gaps (not
 * held yet: they came out of order, or were refused at the server). An
 * operation taken from another station then writes the log's last page
 * and one small shared table, not a page of its own station's in each
 * index keyed by station. Only this station's own operations keep an
 * index by identity (ops_own). Who opened an incident is kept on it. */
"CREATE TABLE ops_new(n INTEGER PRIMARY KEY,"
"  station TEXT NOT NULL, incarnation TEXT NOT NULL, seq INTEGER NOT NULL,"
"  hlc INTEGER NOT NULL, realm TEXT NOT NULL, officer TEXT NOT NULL,"
"  kind TEXT NOT NULL, entity TEXT NOT NULL, body TEXT NOT NULL,"
"  local INTEGER NOT NULL DEFAULT 0, acked INTEGER NOT NULL DEFAULT 0,"
"  server_seq INTEGER, refused TEXT);"
"INSERT INTO ops_new(station, incarnation, seq, hlc, realm, officer, kind,"
"  entity, body, local, acked, server_seq, refused)"
"  SELECT station, incarnation, seq, hlc, realm, officer, kind, entity, body,"
"  local, acked, server_seq, refused FROM ops"
"  ORDER BY server_seq IS NULL, server_seq, station, incarnation, seq;"
"CREATE TABLE heads(station TEXT NOT NULL, incarnation TEXT NOT NULL,"
"  seq INTEGER NOT NULL, n INTEGER NOT NULL,"
"  PRIMARY KEY(station, incarnation)) WITHOUT ROWID;"
"INSERT INTO heads SELECT station, incarnation, seq, n FROM (SELECT station,"
"  incarnation, seq, n, row_number() OVER (PARTITION BY station, incarnation"
"  ORDER BY seq DESC) AS k FROM ops_new) WHERE k = 1;"
"CREATE TABLE gaps(station TEXT NOT NULL, incarnation TEXT NOT NULL,"
"  lo INTEGER NOT NULL, hi INTEGER NOT NULL,"
"  PRIMARY KEY(station, incarnation, lo)) WITHOUT ROWID;"
"INSERT INTO gaps SELECT station, incarnation, prev + 1, seq - 1 FROM"
"  (SELECT station, incarnation, seq, lag(seq, 1, 0) OVER (PARTITION BY"
"  station, incarnation ORDER BY seq) AS prev FROM ops_new)"
"  WHERE seq > prev + 1;"
"ALTER TABLE incidents ADD COLUMN opened_by TEXT;"
"UPDATE incidents SET opened_by = (SELECT officer FROM ops"
"  WHERE entity = incidents.id AND kind = 'incident.open');"
"DROP TABLE ops;"
"ALTER TABLE ops_new RENAME TO ops;"
/* The outbox: only what waits for an acknowledgement. */
"CREATE INDEX ops_outbox ON ops(seq) WHERE local = 1 AND acked = 0;"
"CREATE INDEX ops_own ON ops(station, incarnation, seq) WHERE local = 1;"
"CREATE INDEX ops_server ON ops(server_seq) WHERE server_seq IS NOT NULL;",
/* 3: who created each record id: the operation (station, incarnation,
 * seq) whose creation owns it. A creation of an id held here by another
 * operation is refused (conflict), on the server from this table alone,
 * in the transaction that takes it. Filled from the log, the first in
 * server order (on a station, the first stored) owning an id; the kinds
 * that create a record are those of this schema's time. */
"CREATE TABLE creators(id TEXT PRIMARY KEY, station TEXT NOT NULL,"
"  incarnation TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;"
"INSERT OR IGNORE INTO creators(id, station, incarnation, seq)"
"  SELECT entity, station, incarnation, seq FROM ops WHERE kind IN"
"  ('incident.open', 'incident.report', 'response.decide',"
"  'dispatch.create', 'supply.move', 'warning.issue', 'warning.answer',"
"  'log.add') ORDER BY server_seq IS NULL, server_seq, n;",
/* 4: the server's state is a projection of its log, applied in server
 * order after the operations are acknowledged; 'projected' is the last
 * server sequence the state holds. Every database written before holds
 * the whole log in its state. (On a station nothing has a server
 * sequence: it stays 0, unused.) */
"INSERT INTO meta(key, value) SELECT 'projected', coalesce(max(server_seq), 0)"
"  FROM ops;",
/* 5: the people on duty. Settings are last-writer-wins per (scope, key):
 * scope "county" (the command station's) or "@" and a station's code (its own
 * value of a local key). Contacts and shifts are records like the
 * reference data (fields last writer wins, b_* the creation's stamp).
 * Calls, spot checks, the people a warning named and the marks of a log
 * entry are append-only. */
"CREATE TABLE settings(id TEXT PRIMARY KEY, scope TEXT NOT NULL,"
"  key TEXT NOT NULL, value TEXT NOT NULL);"
"CREATE TABLE contacts(id TEXT PRIMARY KEY, name TEXT, pinyin TEXT,"
"  phones TEXT, unit TEXT, role TEXT, town TEXT, answers_for TEXT,"
"  deleted INTEGER NOT NULL DEFAULT 0,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
"CREATE INDEX contacts_town ON contacts(town, role);"
"CREATE TABLE shifts(id TEXT PRIMARY KEY, station TEXT, date TEXT,"
"  start_at INTEGER, hours INTEGER, leader TEXT, officer1 TEXT,"
"  officer2 TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
"CREATE INDEX shifts_start ON shifts(station, start_at);"
"CREATE TABLE calls(id TEXT PRIMARY KEY, contact TEXT, name TEXT,"
"  number TEXT, outcome TEXT NOT NULL, incoming INTEGER NOT NULL DEFAULT 0,"
"  incident TEXT, warning TEXT, note TEXT, at INTEGER NOT NULL,"
"  officer TEXT, station TEXT);"
"CREATE INDEX calls_contact ON calls(contact);"
"CREATE TABLE checks(id TEXT PRIMARY KEY, town TEXT NOT NULL, who TEXT,"
"  name TEXT, answered INTEGER NOT NULL, at INTEGER NOT NULL, officer TEXT,"
"  station TEXT);"
"CREATE TABLE warning_people(warning TEXT NOT NULL, town TEXT NOT NULL,"
"  contact TEXT NOT NULL, name TEXT, phone TEXT, n INTEGER NOT NULL,"
"  PRIMARY KEY(warning, town, contact)) WITHOUT ROWID;"
"CREATE TABLE log_marks(log TEXT NOT NULL, mark TEXT NOT NULL,"
"  PRIMARY KEY(log, mark)) WITHOUT ROWID;",
/* 6: the county picture. */
/* Disaster statistics (stats.set): one figure per (town, duty date,
 * field), last writer wins by the stamp kept beside it; who reported it,
 * when, and why the county changed it. */
"CREATE TABLE stats(town TEXT NOT NULL, date TEXT NOT NULL,"
"  field TEXT NOT NULL, value INTEGER NOT NULL, reason TEXT, at INTEGER,"
"  officer TEXT, hlc INTEGER NOT NULL, station TEXT NOT NULL,"
"  inc TEXT NOT NULL, seq INTEGER NOT NULL,"
"  PRIMARY KEY(town, date, field)) WITHOUT ROWID;"
/* Sign-off of a written report (report.sign, append-only): the report
 * counts as sent at its earliest signing, kept on the report (a
 * minimum, so any order agrees). A written report made before schema 6
 * counted when it was made: it stays signed at that time. */
"CREATE TABLE signoffs(id TEXT PRIMARY KEY, report TEXT NOT NULL,"
"  contact TEXT, name TEXT, at INTEGER NOT NULL, officer TEXT,"
"  station TEXT);"
"CREATE INDEX signoffs_report ON signoffs(report);"
"ALTER TABLE reports ADD COLUMN signed_at INTEGER;"
"ALTER TABLE reports ADD COLUMN signed_by TEXT;"
"ALTER TABLE reports ADD COLUMN signed_name TEXT;"
"UPDATE reports SET signed_at = at WHERE channel = 'written';"
/* Requests between levels: the request (request.add) and its steps,
 * append-only (request.step: approve, refuse, send, receive); its state
 * is worked out from the steps. */
"CREATE TABLE requests(id TEXT PRIMARY KEY, town TEXT, item TEXT,"
"  qty INTEGER, team_kind TEXT, incident TEXT, note TEXT, at INTEGER,"
"  officer TEXT, station TEXT);"
"CREATE INDEX requests_town ON requests(town);"
"CREATE TABLE request_steps(id TEXT PRIMARY KEY, request TEXT NOT NULL,"
"  step TEXT NOT NULL, qty INTEGER, depot TEXT, team TEXT, reason TEXT,"
"  ref TEXT, at INTEGER NOT NULL, officer TEXT, station TEXT);"
"CREATE INDEX request_steps_request ON request_steps(request, step);"
/* Risk points (风险点): records by their code (risk.put, fields last
 * writer wins); people moved as added counts (risk.evacuate,
 * append-only, moved their sum); cleared at the earliest risk.clear. */
"CREATE TABLE risk_points(id TEXT PRIMARY KEY, name TEXT, pinyin TEXT,"
"  kind TEXT, town TEXT, village TEXT, people INTEGER, monitor TEXT,"
"  deleted INTEGER NOT NULL DEFAULT 0, moved INTEGER NOT NULL DEFAULT 0,"
"  cleared_at INTEGER,"
"  b_hlc INTEGER, b_station TEXT, b_inc TEXT, b_seq INTEGER);"
"CREATE INDEX risk_points_town ON risk_points(town);"
"CREATE TABLE risk_moves(id TEXT PRIMARY KEY, point TEXT NOT NULL,"
"  n INTEGER NOT NULL, at INTEGER NOT NULL, officer TEXT, station TEXT);"
"CREATE INDEX risk_moves_point ON risk_moves(point);"
"CREATE TABLE warning_risks(warning TEXT NOT NULL, point TEXT NOT NULL,"
"  PRIMARY KEY(warning, point)) WITHOUT ROWID;",
};

#define MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

#endif
