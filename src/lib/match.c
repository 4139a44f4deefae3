/*
 * match.c - Redis glob matching.
 *
 * Every pattern element other than '*' consumes exactly one byte of the
 * string, so when the rest of the pattern fails after a star the only useful
 * retry is to let the most recent star swallow one more byte: earlier stars
 * taking more could only start the later part further right. Backtracking to
 * the last star alone gives Redis's answers in O(patlen * slen) at worst.
 *
 * The class syntax follows Redis byte for byte, including its odd corners:
 * "[]" matches nothing and "[^]" any byte, an unterminated class ends with
 * the pattern, "a-]" is a range ending at ']', an escaped byte inside a
 * class is compared exactly even when matching without case, ranges may be
 * written backwards and compare bytes as signed chars (as x86 Redis does),
 * and no pattern but the empty one matches an empty string.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "match.h"

/* ASCII only: Redis runs with the C locale's ctype. */
static int
match_lower(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c + ('a' - 'A');
	return c;
}

/* One byte compared as a plain (non-class, or class literal) element. */
static bool
match_byte(char p, char c, bool nocase)
{
	if (nocase)
		return match_lower((unsigned char)p) == match_lower((unsigned char)c);
	return p == c;
}

/*
 * Match a class whose body starts at pat[*pi] (just after '[') against the
 * byte c. Advances *pi past the class: past its ']' or to the end of the
 * pattern when unterminated.
 */
static bool
match_class(const char *pat, size_t patlen, size_t *pi, char c, bool nocase)
{
	size_t	i = *pi;
	bool	not = false, hit = false;
	int	start, end, cc;

	if (i < patlen && pat[i] == '^') {
		not = true;
		i++;
	}
	for (;;) {
		if (i >= patlen)
			break;			/* unterminated: ends with the pattern */
		if (pat[i] == '\\' && patlen - i >= 2) {
			i++;
			if (pat[i] == c)	/* exact, even without case */
				hit = true;
		} else if (pat[i] == ']') {
			i++;
			break;
		} else if (patlen - i >= 3 && pat[i + 1] == '-') {
			start = (signed char)pat[i];
			end = (signed char)pat[i + 2];
			cc = (signed char)c;
			if (start > end) {
				int t = start;

				start = end;
				end = t;
			}
			if (nocase) {
				start = match_lower(start);
				end = match_lower(end);
				cc = match_lower(cc);
			}
			if (cc >= start && cc <= end)
				hit = true;
			i += 2;
		} else if (match_byte(pat[i], c, nocase))
			hit = true;
		i++;
	}
	*pi = i;
	return not ? !hit : hit;
}

/*
 * Match the single-byte element at pat[*pi] (not a star) against c and step
 * *pi past it.
 */
static bool
match_element(const char *pat, size_t patlen, size_t *pi, char c, bool nocase)
{
	size_t	i = *pi;

	switch (pat[i]) {
	case '?':
		*pi = i + 1;
		return true;
	case '[':
		*pi = i + 1;
		return match_class(pat, patlen, pi, c, nocase);
	case '\\':
		if (patlen - i >= 2)
			i++;	/* a trailing backslash is itself */
		break;
	}
	*pi = i + 1;
	return match_byte(pat[i], c, nocase);
}

/* Glob match of (pat, patlen) against (s, slen) with Redis's semantics. */
bool
match_glob(const char *pat, size_t patlen, const char *s, size_t slen,
    bool nocase)
{
	size_t	pi = 0, si = 0;
	size_t	star_pi = 0, star_si = 0;	/* after the last star; its start */
	bool	have_star = false;

	/* Redis never enters its loop for an empty string: only "" matches it. */
	if (slen == 0)
		return patlen == 0;

	for (;;) {
		if (si == slen) {
			/* String used up: only trailing stars may remain. */
			while (pi < patlen && pat[pi] == '*')
				pi++;
			return pi == patlen;
		}
		if (pi < patlen && pat[pi] == '*') {
			while (pi < patlen && pat[pi] == '*')
				pi++;
			if (pi == patlen)
				return true;
			have_star = true;
			star_pi = pi;
			star_si = si;
			continue;
		}
		if (pi < patlen && match_element(pat, patlen, &pi, s[si], nocase)) {
			si++;
			continue;
		}
		/* Let the last star take one more byte, if any is left. */
		if (!have_star || star_si + 1 >= slen)
			return false;
		star_si++;
		pi = star_pi;
		si = star_si;
	}
}

/* NUL-terminated form, for callers that hold C strings. */
bool
match_globs(const char *pat, const char *s, bool nocase)
{
	return match_glob(pat, strlen(pat), s, strlen(s), nocase);
}
