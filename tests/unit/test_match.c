/*
 * test_match.c - glob matching against a table of cases checked on Redis,
 * against a naive matcher on random patterns, and on patterns that would be
 * exponential for a plain recursive matcher.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "match.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "tests"
#endif

#define GLOB_CASES	TEST_SRCDIR "/unit/data/glob_cases.txt"

/* Decode a table field: %NN is a byte, "(E)" the empty string. */
static size_t
decode_field(const char *in, char *out)
{
	size_t	n = 0;
	char	hex[3];

	if (strcmp(in, "(E)") == 0)
		return 0;
	while (*in != '\0') {
		if (in[0] == '%' && in[1] != '\0' && in[2] != '\0') {
			hex[0] = in[1];
			hex[1] = in[2];
			hex[2] = '\0';
			out[n++] = (char)strtol(hex, NULL, 16);
			in += 3;
		} else
			out[n++] = *in++;
	}
	return n;
}

/* An exact-size heap copy, so that reading past the end is caught by ASan. */
static char *
exact_copy(const char *p, size_t n)
{
	char	*c = malloc(n ? n : 1);

	assert_non_null(c);
	if (n > 0)
		memcpy(c, p, n);
	return c;
}

/* Every row of the table, both with and without case. */
static void
test_table(void **state)
{
	FILE	*f;
	char	 line[1024], pat[1024], str[1024];
	char	*fields[4], *p, *s, *save;
	size_t	 plen, slen;
	int	 lineno = 0, rows = 0, failures = 0, i;
	bool	 want_cs, want_ci, got_cs, got_ci;

	(void)state;
	f = fopen(GLOB_CASES, "r");
	if (f == NULL)
		fail_msg("cannot open %s", GLOB_CASES);
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		/* strsep keeps the empty first field of the "" pattern rows. */
		save = line;
		for (i = 0; i < 4; i++)
			fields[i] = strsep(&save, "\t");
		if (fields[3] == NULL)
			fail_msg("%s:%d: needs four fields", GLOB_CASES, lineno);
		plen = decode_field(fields[0], pat);
		slen = decode_field(fields[1], str);
		want_cs = fields[2][0] == '1';
		want_ci = fields[3][0] == '1';

		p = exact_copy(pat, plen);
		s = exact_copy(str, slen);
		got_cs = match_glob(p, plen, s, slen, false);
		got_ci = match_glob(p, plen, s, slen, true);
		free(p);
		free(s);
		if (got_cs != want_cs || got_ci != want_ci) {
			print_error("%s:%d: '%s' vs '%s': got %d/%d, want %d/%d\n",
			    GLOB_CASES, lineno, fields[0], fields[1],
			    got_cs, got_ci, want_cs, want_ci);
			failures++;
		}
		rows++;
	}
	fclose(f);
	assert_true(rows > 100);
	assert_int_equal(failures, 0);
}

/* The NUL-terminated form agrees with the counted one. */
static void
test_globs(void **state)
{
	(void)state;
	assert_true(match_globs("h?llo*", "hello world", false));
	assert_false(match_globs("H?LLO*", "hello world", false));
	assert_true(match_globs("H?LLO*", "hello world", true));
	assert_true(match_globs("", "", false));
	assert_false(match_globs("*", "", false));
	/* Only patlen bytes count: "a*" cut to "a". */
	assert_false(match_glob("a*", 1, "ab", 2, false));
	assert_true(match_glob("a*", 2, "ab", 2, false));
	/* Only slen bytes count. */
	assert_true(match_glob("ab", 2, "abc", 2, false));
}

/* A tiny PRNG so that the random cases are the same on every run. */
static uint32_t
rnd_next(uint32_t *st)
{
	*st = *st * 1103515245u + 12345u;
	return (*st >> 16) & 0x7fff;
}

/*
 * Reference: try every split for each star, recursively. Patterns here use
 * only literals, '?', '*' and '\', so this needs no class logic.
 */
static bool
naive(const char *p, size_t pl, const char *s, size_t sl)
{
	size_t	k;

	if (sl == 0) {
		while (pl > 0 && *p == '*') {
			p++;
			pl--;
		}
		return pl == 0;
	}
	if (pl == 0)
		return false;
	switch (*p) {
	case '*':
		for (k = 0; k < sl; k++) {
			if (naive(p + 1, pl - 1, s + k, sl - k))
				return true;
		}
		/* The rest against nothing: only more stars. */
		return naive(p + 1, pl - 1, s + sl, 0);
	case '?':
		return naive(p + 1, pl - 1, s + 1, sl - 1);
	case '\\':
		if (pl >= 2) {
			p++;
			pl--;
		}
		break;
	}
	return *p == *s && naive(p + 1, pl - 1, s + 1, sl - 1);
}

/* Backtracking to the last star only gives the same answers as trying all. */
static void
test_random_against_naive(void **state)
{
	static const char pa[] = "ab?*\\";
	static const char sa[] = "ab\\*";
	uint32_t	 st = 12345;
	char		 p[12], s[10];
	size_t		 pl, sl, i;
	int		 n;
	bool		 want;

	(void)state;
	for (n = 0; n < 200000; n++) {
		pl = rnd_next(&st) % sizeof p;
		sl = 1 + rnd_next(&st) % (sizeof s - 1);
		for (i = 0; i < pl; i++)
			p[i] = pa[rnd_next(&st) % (sizeof pa - 1)];
		for (i = 0; i < sl; i++)
			s[i] = sa[rnd_next(&st) % (sizeof sa - 1)];
		want = naive(p, pl, s, sl);
		if (match_glob(p, pl, s, sl, false) != want)
			fail_msg("'%.*s' vs '%.*s': want %d", (int)pl, p,
			    (int)sl, s, want);
	}
}

/* CPU seconds used so far by this process. */
static double
cpu_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Patterns with many stars that cannot match: a plain recursive matcher takes
 * O(n^stars) steps here (far beyond any time limit), ours about O(n * m).
 */
static void
test_pathological(void **state)
{
	const size_t	 n = 100000;
	char		*s, *p;
	double		 t0;
	size_t		 i, stars = 5000;

	(void)state;
	s = malloc(n);
	assert_non_null(s);
	memset(s, 'a', n);
	t0 = cpu_seconds();

	assert_false(match_globs("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false));
	assert_false(match_glob("*a*a*a*a*a*a*a*a*a*a*b", 22, s, n, false));
	assert_true(match_glob("*a*a*a*a*a*a*a*a*a*a*", 21, s, n, false));
	assert_false(match_glob("*a*a*a*a*a*a*a*a*a*a?b", 22, s, n, true));
	assert_false(match_glob("*[a]*[a]*[a]*[a]*[a]*b", 22, s, n, false));

	/* Thousands of stars: no recursion, so no deep stack either. */
	p = malloc(2 * stars + 1);
	assert_non_null(p);
	for (i = 0; i < stars; i++) {
		p[2 * i] = '*';
		p[2 * i + 1] = 'a';
	}
	assert_true(match_glob(p, 2 * stars, s, stars, false));
	assert_true(match_glob(p, 2 * stars, s, n, false));
	assert_false(match_glob(p, 2 * stars, s, stars - 1, false));
	p[2 * stars] = 'b';
	assert_false(match_glob(p, 2 * stars + 1, s, n / 10, false));

	/* Generous even under sanitizers; the exponential case never ends. */
	assert_true(cpu_seconds() - t0 < 5.0);
	free(p);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_globs),
		cmocka_unit_test(test_random_against_naive),
		cmocka_unit_test(test_pathological),
	};

	return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
