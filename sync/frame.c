/*
 * frame.c - cut newline-delimited frames out of a per-connection buffer,
 * with a hard limit on what may wait unterminated. The limit counts a
 * frame's own bytes: not its newline, nor a '\r' just before it.
 */
#include "sync/sync.h"

#include <stdlib.h>
#include <string.h>

void
frame_init(struct framer *f, size_t limit)
{
	memset(f, 0, sizeof *f);
	f->limit = limit;
}

void
frame_free(struct framer *f)
{
	free(f->buf);
	memset(f, 0, sizeof *f);
}

void
frame_set_limit(struct framer *f, size_t limit)
{
	f->limit = limit;
}

int
frame_feed(struct framer *f, const char *data, size_t n)
{
	const char *nl;
	size_t tail;

	/* Frames handed out before are consumed: move the rest to the front,
	 * and give back a buffer a large frame grew once it is empty. */
	if (f->start) {
		memmove(f->buf, f->buf + f->start, f->len - f->start);
		f->len -= f->start;
		f->start = 0;
	}
	if (f->len == 0 && f->cap > 65536) {
		free(f->buf);
		f->buf = NULL;
		f->cap = 0;
	}
	if (n == 0)
		return 0;
	if (f->len + n + 1 > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		char *b;
		while (cap < f->len + n + 1)
			cap *= 2;
		if (!(b = realloc(f->buf, cap)))
			return -1;
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, n);
	f->len += n;
	f->buf[f->len] = 0;
	/* Only what follows the last newline waits for more; if that alone
	 * is over the limit the peer is sending too much. One byte more is
	 * still a frame of the limit when it is the '\r' of its "\r\n". */
	nl = memrchr(f->buf, '\n', f->len);
	tail = nl ? f->len - (size_t)(nl - f->buf) - 1 : f->len;
	if (tail == f->limit + 1 && f->buf[f->len - 1] == '\r')
		return 0;
	return tail > f->limit ? -1 : 0;
}

int
frame_next(struct framer *f, char **out, size_t *n)
{
	char *p = f->buf + f->start, *nl;
	size_t len;

	nl = f->len > f->start ? memchr(p, '\n', f->len - f->start) : NULL;
	if (!nl)
		return 0;
	len = (size_t)(nl - p);
	f->start += len + 1;
	f->count++;
	*nl = 0;
	if (len > 0 && p[len - 1] == '\r')
		p[--len] = 0;
	if (len > f->limit)
		return -1;
	*out = p;
	*n = len;
	return 1;
}
