/*
 * replay.c - run every file of the fuzz corpus through the fuzz targets, so
 * that "make check" keeps the inputs the fuzzers found without needing clang.
 * Built twice: tests/fuzz/replay (the server's targets) and, with
 * REPLAY_SENTINEL defined, tests/fuzz/replay_sentinel (the sentinel's).
 *
 * The tests directory is argv[1], else $TEST_SRCDIR, else "tests". Output is
 * TAP: "1..N", then one "ok K - <set>/<file>" line per file, for the sets
 * resp, conf, rdb and replstream, or info, hello and sentinelcmd
 * (tests/fuzz/corpus/<set>).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"
#ifdef REPLAY_SENTINEL
#include "sentinel_targets.h"
#else
#include "targets.h"
#endif

struct replay_set {
	const char	 *name;		/* corpus subdirectory */
	int		(*fn)(const uint8_t *, size_t);
	char		**files;
	size_t		  nfiles;
};

/* Sorted names make the TAP numbering the same on every machine. */
static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir, sorted; -1 if dir cannot be read. */
static int
replay_list(const char *dir, struct replay_set *set)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*path;
	size_t		 cap = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (set->nfiles == cap) {
				cap = cap ? cap * 2 : 64;
				set->files = xreallocarray(set->files, cap,
				    sizeof *set->files);
			}
			set->files[set->nfiles++] = xstrdup(de->d_name);
		}
		free(path);
	}
	closedir(d);
	if (set->nfiles > 0)
		qsort(set->files, set->nfiles, sizeof *set->files, replay_cmp);
	return 0;
}

/* The whole file, or -1. */
static int
replay_read(const char *path, struct buf *out)
{
	char	 chunk[8192];
	size_t	 n;
	FILE	*f;
	int	 bad;

	buf_clear(out);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	bad = ferror(f);
	fclose(f);
	return bad ? -1 : 0;
}

/* List every corpus, then replay each file and say how it went. */
int
main(int argc, char **argv)
{
	struct replay_set	 sets[] = {
#ifdef REPLAY_SENTINEL
		{ "info", fuzz_info_one, NULL, 0 },
		{ "hello", fuzz_hello_one, NULL, 0 },
		{ "sentinelcmd", fuzz_sentinel_cmd_one, NULL, 0 },
#else
		{ "resp", fuzz_resp_one, NULL, 0 },
		{ "conf", fuzz_conf_one, NULL, 0 },
		{ "rdb", fuzz_rdb_one, NULL, 0 },
		{ "replstream", fuzz_replstream_one, NULL, 0 },
#endif
	};
	struct buf		 data = BUF_INIT;
	const char		*top;
	char			*dir, *path;
	size_t			 i, j, total = 0, k = 0, failed = 0;
	bool			 ok;

	if (argc > 1)
		top = argv[1];
	else if ((top = getenv("TEST_SRCDIR")) == NULL || *top == '\0')
		top = "tests";
	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		dir = xasprintf("%s/fuzz/corpus/%s", top, sets[i].name);
		if (replay_list(dir, &sets[i]) != 0) {
			printf("Bail out! %s: %s\n", dir, strerror(errno));
			free(dir);
			return 1;
		}
		free(dir);
		total += sets[i].nfiles;
	}

	printf("1..%zu\n", total);
	fflush(stdout);
	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		for (j = 0; j < sets[i].nfiles; j++) {
			path = xasprintf("%s/fuzz/corpus/%s/%s", top,
			    sets[i].name, sets[i].files[j]);
			ok = replay_read(path, &data) == 0 &&
			    sets[i].fn((const uint8_t *)(data.data != NULL ?
			    data.data : ""), data.len) == 0;
			if (!ok)
				failed++;
			printf("%sok %zu - %s/%s\n", ok ? "" : "not ", ++k,
			    sets[i].name, sets[i].files[j]);
			fflush(stdout);
			free(path);
			free(sets[i].files[j]);
		}
		free(sets[i].files);
	}
	buf_free(&data);
	return failed == 0 ? 0 : 1;
}
