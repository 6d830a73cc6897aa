/*
 * cut.c - what a power cut does to the disk the power-loss library
 * models, run after the process under it was killed (SIGKILL):
 *
 *	cut [-s SEED | -k K] [-q] DIR
 *
 * From DIR/.powerloss/journal: every matched file created in DIR since
 * DIR was last fsync'ed is deleted (its directory entry was never made
 * durable), and so is every -shm file (shared memory). From each
 * DIR/.powerloss/NAME.pending (written in reorder mode only): of the
 * pages NAME had written since its last sync, taken in the order they
 * were last written, the last k persist, for k drawn at random in
 * 0..N; the earlier ones do not. So later writes may reach the disk
 * while earlier ones are lost, as a disk's cache may write them back in
 * any order. A truncate or grow not followed by a sync is lost. Then
 * DIR/.powerloss is removed: the next run starts clean.
 *
 * The seed is printed, so a cut can be replayed on a copy. With -k K
 * the last K pages of each file persist (all of them if it has fewer),
 * so that a test can try every k on copies of one cut.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/powerloss/powerloss.h"

struct names {
	char **v;
	size_t n;
};

struct rec {
	struct pl_rec h;
	const char *data;
};

struct page {
	int64_t no;
	size_t last;   /* index of the last record that wrote to it */
};

static uint64_t rng;
static int quiet;
static long fixed_k = -1;

/* splitmix64: small, and the same sequence for the same seed. */
static uint64_t
rand64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
names_add(struct names *ns, const char *s)
{
	size_t i;
	char **v;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return;
	if (!(v = realloc(ns->v, (ns->n + 1) * sizeof *v)) ||
	    !(v[ns->n] = strdup(s))) {
		fprintf(stderr, "cut: out of memory\n");
		exit(2);
	}
	ns->v = v;
	ns->n++;
}

static int
names_has(const struct names *ns, const char *s)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return 1;
	return 0;
}

static void
names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, fp);
		buf[*len] = '\0';
	}
	fclose(fp);
	return buf;
}

static int
by_last(const void *a, const void *b)
{
	const struct page *x = a, *y = b;

	return x->last < y->last ? -1 : x->last > y->last;
}

static int
by_no(const void *a, const void *b)
{
	const struct page *x = a, *y = b;

	if (x->no != y->no)
		return x->no < y->no ? -1 : 1;
	return x->last < y->last ? -1 : x->last > y->last;
}

/* Persist a random suffix of the unsynced pages of DIR/NAME. */
static int
reorder_file(const char *dir, const char *name, const char *pending)
{
	char path[PATH_MAX];
	size_t len, at = 0, nrec = 0, npg = 0, i, j, k, kept;
	struct rec *recs = NULL;
	struct page *pg = NULL;
	char *buf = slurp(pending, &len), img[PL_PAGE];
	int64_t size;
	struct stat st;
	int fd = -1, rc = -1;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!buf)
		return 0;
	if ((fd = open(path, O_RDWR)) < 0 || fstat(fd, &st) < 0) {
		/* Gone (unlinked by the program): nothing to persist. */
		rc = 0;
		goto out;
	}
	/* The records; a last one cut short by the kill is not there. */
	while (at + sizeof(struct pl_rec) <= len) {
		struct pl_rec h;
		memcpy(&h, buf + at, sizeof h);
		if (at + sizeof h + h.len > len)
			break;
		if (!(recs = realloc(recs, (nrec + 1) * sizeof *recs)))
			goto out;
		recs[nrec].h = h;
		recs[nrec].data = buf + at + sizeof h;
		nrec++;
		at += sizeof h + h.len;
	}
	/* The pages written, each with the last record that wrote it. */
	for (i = 0; i < nrec; i++) {
		int64_t p, first, last;
		if (recs[i].h.kind != PL_WRITE || !recs[i].h.len)
			continue;
		first = recs[i].h.off / PL_PAGE;
		last = (recs[i].h.off + recs[i].h.len - 1) / PL_PAGE;
		for (p = first; p <= last; p++) {
			if (!(pg = realloc(pg, (npg + 1) * sizeof *pg)))
				goto out;
			pg[npg].no = p;
			pg[npg].last = i;
			npg++;
		}
	}
	qsort(pg, npg, sizeof *pg, by_no);
	for (i = j = 0; i < npg; i++) {
		if (j && pg[j - 1].no == pg[i].no)
			pg[j - 1].last = pg[i].last;
		else
			pg[j++] = pg[i];
	}
	npg = j;
	qsort(pg, npg, sizeof *pg, by_last);
	/* The size the program saw at the kill. */
	size = st.st_size;
	for (i = 0; i < nrec; i++) {
		const struct pl_rec *h = &recs[i].h;
		if (h->kind == PL_WRITE && h->off + (int64_t)h->len > size)
			size = h->off + (int64_t)h->len;
		else if (h->kind == PL_TRUNC)
			size = h->off;
		else if (h->kind == PL_GROW && h->off > size)
			size = h->off;
	}
	if (fixed_k >= 0)
		k = (size_t)fixed_k < npg ? (size_t)fixed_k : npg;
	else
		k = npg ? (size_t)(rand64() % (npg + 1)) : 0;
	kept = 0;
	for (i = npg - k; i < npg; i++) {
		int64_t lo = pg[i].no * PL_PAGE, hi = lo + PL_PAGE, n;
		ssize_t got;
		/* The page as the program last saw it: the disk's content,
		 * then every held change in order. */
		memset(img, 0, sizeof img);
		got = pread(fd, img, PL_PAGE, lo);
		(void)got;
		for (j = 0; j < nrec; j++) {
			const struct pl_rec *h = &recs[j].h;
			if (h->kind == PL_WRITE) {
				int64_t a = h->off > lo ? h->off : lo;
				int64_t b = h->off + (int64_t)h->len < hi
					? h->off + (int64_t)h->len : hi;
				if (a < b)
					memcpy(img + (a - lo),
					       recs[j].data + (a - h->off),
					       (size_t)(b - a));
			} else if (h->kind == PL_TRUNC && h->off < hi) {
				int64_t a = h->off > lo ? h->off : lo;
				memset(img + (a - lo), 0, (size_t)(hi - a));
			}
		}
		n = size - lo < PL_PAGE ? size - lo : PL_PAGE;
		if (n > 0 && pwrite(fd, img, (size_t)n, lo) != (ssize_t)n)
			goto out;
		kept++;
	}
	if (fsync(fd) < 0)
		goto out;
	if (!quiet) {
		printf("cut: %s: %zu of %zu unsynced pages persisted", name,
		       kept, npg);
		if (kept && kept < npg)
			printf(" (pages %lld..., not %lld...)",
			       (long long)pg[npg - k].no, (long long)pg[0].no);
		printf("\n");
	}
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "cut: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(pg);
	free(recs);
	free(buf);
	return rc;
}

int
main(int argc, char **argv)
{
	struct names created = { 0 }, shm = { 0 };
	char state[PATH_MAX], path[PATH_MAX * 2], *j, *line, *save = NULL;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	const char *dir;
	size_t len, i;
	struct dirent *de;
	DIR *d;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "s:k:q")) != -1) {
		if (opt == 's')
			seed = strtoull(optarg, NULL, 10);
		else if (opt == 'k')
			fixed_k = atol(optarg);
		else if (opt == 'q')
			quiet = 1;
		else
			goto usage;
	}
	if (optind != argc - 1)
		goto usage;
	dir = argv[optind];
	rng = seed;
	snprintf(state, sizeof state, "%s/" PL_STATE, dir);
	if (!(j = slurp(strcat(strcpy(path, state), "/journal"), &len))) {
		if (!quiet)
			printf("cut: %s: nothing held\n", dir);
		return 0;
	}
	if (!quiet)
		printf("cut: %s: seed %llu\n", dir, (unsigned long long)seed);
	for (line = strtok_r(j, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "create ", 7) == 0) {
			names_add(&created, line + 7);
		} else if (strncmp(line, "shm ", 4) == 0) {
			names_add(&shm, line + 4);
		} else if (strcmp(line, "dirsync") == 0 ||
			   strcmp(line, "exit") == 0) {
			names_free(&created);
		}
	}
	free(j);
	if ((d = opendir(state))) {
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			char name[NAME_MAX + 1];
			if (n <= 8 || strcmp(de->d_name + n - 8, ".pending"))
				continue;
			memcpy(name, de->d_name, n - 8);
			name[n - 8] = '\0';
			snprintf(path, sizeof path, "%s/%s", state, de->d_name);
			if (!names_has(&created, name) &&
			    reorder_file(dir, name, path) < 0)
				rc = 1;
		}
		closedir(d);
	}
	for (i = 0; i < created.n + shm.n; i++) {
		const char *name = i < created.n ? created.v[i]
			: shm.v[i - created.n];
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (unlink(path) == 0) {
			if (!quiet)
				printf("cut: deleted %s (%s)\n", name, i < created.n
				       ? "created, directory never synced"
				       : "shared memory");
		} else if (errno != ENOENT) {
			fprintf(stderr, "cut: %s: %s\n", path, strerror(errno));
			rc = 1;
		}
	}
	/* The state goes: the next run under the library starts clean. */
	if ((d = opendir(state))) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", state, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(state);
	names_free(&created);
	names_free(&shm);
	return rc;
usage:
	fprintf(stderr, "usage: cut [-s SEED | -k K] [-q] DIR\n");
	return 2;
}
