/*
 * test_resp.c - the RESP parser against the requests and errors Redis 7.0.15
 * gives for the same bytes, fed whole, cut at every byte boundary and byte by
 * byte; its memory limits; and the exact bytes of every reply builder.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "resp.h"
#include "util.h"

/* A string literal with its length, NUL bytes included. */
#define S(lit)	(lit), (sizeof(lit) - 1)

static const struct resp_limits lim_auth = {
	512LL * 1024 * 1024, INT_MAX, true
};
static const struct resp_limits lim_unauth = {
	512LL * 1024 * 1024, INT_MAX, false
};

/* Arguments printed so that every byte shows: \xHH for the unprintable. */
static void
show_arg(struct buf *out, const char *s, size_t n)
{
	size_t	i;

	buf_appendc(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= ' ' && c < 0x7f && c != '"' && c != '\\')
			buf_appendc(out, (char)c);
		else
			buf_appendf(out, "\\x%02x", c);
	}
	buf_appendc(out, '"');
}

/*
 * Play a client: the stream comes in the pieces cuts[] gives (offsets where a
 * new read starts), the query buffer keeps what was not consumed, and every
 * request, error and the final state are written to out, one line each.
 */
static void
feed(struct buf *out, const char *in, size_t len, const size_t *cuts,
    size_t ncuts, const struct resp_limits *lim)
{
	struct resp_parser	 p;
	struct buf		 q = BUF_INIT;
	enum resp_status	 st = RESP_MORE;
	size_t			 from = 0, to, k, used;
	int			 i;

	resp_parser_init(&p);
	buf_clear(out);
	for (k = 0; k <= ncuts && st != RESP_ERR; k++) {
		to = k < ncuts ? cuts[k] : len;
		buf_append(&q, in + from, to - from);
		from = to;
		for (;;) {
			st = resp_parse(&p, q.data, q.len, &used, lim);
			assert_true(used <= q.len);
			if (st == RESP_ERR) {
				assert_non_null(p.error);
				buf_appendf(out, "ERR %s\n", p.error);
				break;
			}
			buf_consume(&q, used);
			if (st == RESP_MORE)
				break;
			buf_appendf(out, "DONE %d", p.argc);
			for (i = 0; i < p.argc; i++) {
				assert_int_equal(p.argv[i][p.argvlen[i]], '\0');
				buf_appendc(out, ' ');
				show_arg(out, p.argv[i], p.argvlen[i]);
			}
			buf_appendc(out, '\n');
		}
	}
	if (st == RESP_MORE)
		buf_appendf(out, "MORE %zu\n", q.len);
	if (st == RESP_ERR) {
		/* An error sticks. */
		assert_int_equal(resp_parse(&p, "PING\r\n", 6, &used, lim),
		    RESP_ERR);
		assert_int_equal(used, 0);
	}
	resp_parser_free(&p);
	buf_free(&q);
}

/* The transcript of the stream read in one piece. */
static char *
transcript(const char *in, size_t len, const struct resp_limits *lim)
{
	struct buf	out = BUF_INIT;

	feed(&out, in, len, NULL, 0, lim);
	return out.data;
}

/*
 * The heart of the incremental parser: the transcript must not depend on the
 * cuts. Checks one cut at every offset, byte by byte, and (for short inputs)
 * two cuts at every pair of offsets. Returns the transcript.
 */
static char *
check_splits(const char *in, size_t len, const struct resp_limits *lim)
{
	struct buf	 out = BUF_INIT;
	char		*whole;
	size_t		*cuts, i, j;

	whole = transcript(in, len, lim);
	for (i = 0; i <= len; i++) {
		feed(&out, in, len, &i, 1, lim);
		if (strcmp(out.data, whole) != 0)
			fail_msg("cut at %zu:\n%s\nwhole:\n%s", i, out.data,
			    whole);
	}
	cuts = xcalloc(len + 1, sizeof *cuts);
	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	feed(&out, in, len, cuts, len, lim);
	if (strcmp(out.data, whole) != 0)
		fail_msg("byte by byte:\n%s\nwhole:\n%s", out.data, whole);
	if (len <= 120) {
		for (i = 0; i <= len; i++) {
			for (j = i; j <= len; j++) {
				cuts[0] = i;
				cuts[1] = j;
				feed(&out, in, len, cuts, 2, lim);
				if (strcmp(out.data, whole) != 0)
					fail_msg("cuts at %zu, %zu", i, j);
			}
		}
	}
	free(cuts);
	buf_free(&out);
	return whole;
}

/* Parse whole and cut every way; the transcript must be expect. */
static void
expect_stream(const char *in, size_t len, const struct resp_limits *lim,
    const char *expect)
{
	char	*got;

	got = check_splits(in, len, lim);
	if (strcmp(got, expect) != 0)
		fail_msg("got:\n%s\nexpected:\n%s", got, expect);
	free(got);
}

/* Requests that parse: multibulk with binary bulks, inline, pipelines. */
static void
test_requests(void **state)
{
	(void)state;
	expect_stream(S("*1\r\n$4\r\nPING\r\n"), &lim_unauth,
	    "DONE 1 \"PING\"\nMORE 0\n");
	/* CRLF, NUL and high bytes inside bulks are data. */
	expect_stream(S("*3\r\n$3\r\nSET\r\n$4\r\na\r\nb\r\n$5\r\n\0\xff\r\r\n\r\n"),
	    &lim_unauth,
	    "DONE 3 \"SET\" \"a\\x0d\\x0ab\" \"\\x00\\xff\\x0d\\x0d\\x0a\"\n"
	    "MORE 0\n");
	expect_stream(S("*2\r\n$0\r\n\r\n$0\r\n\r\n"), &lim_unauth,
	    "DONE 2 \"\" \"\"\nMORE 0\n");
	/* Pipelined multibulk and inline, blank lines and empty counts skipped. */
	expect_stream(S("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
	    "SET \"a b\" 'c d' \"\\x41\\n\\\"\"\r\n"
	    "\r\n\n   \t \r\n"
	    "*0\r\n*-1\r\n*-9223372036854775808\r\n"
	    "PING\n"
	    "*1\r\n$4\r\nQUIT\r\n"
	    "GET"), &lim_unauth,
	    "DONE 2 \"GET\" \"k\"\n"
	    "DONE 4 \"SET\" \"a b\" \"c d\" \"A\\x0a\\x22\"\n"
	    "DONE 0\nDONE 0\nDONE 0\n"
	    "DONE 0\nDONE 0\nDONE 0\n"
	    "DONE 1 \"PING\"\n"
	    "DONE 1 \"QUIT\"\n"
	    "MORE 3\n");
	/* A partial bulk is consumed as it comes: nothing is left pending. */
	expect_stream(S("*2\r\n$3\r\nGET\r\n$10\r\n01234"), &lim_unauth,
	    "MORE 0\n");
	/* An incomplete header waits, and stays in the query buffer. */
	expect_stream(S("*2\r\n$3\r\nGET\r\n$1"), &lim_unauth, "MORE 2\n");
	expect_stream(S("*2\r"), &lim_unauth, "MORE 3\n");
	/* Like Redis, the two bytes after '\r' and after a bulk are not checked. */
	expect_stream(S("*1\rX$4\r\nPINGxy*1\r\n$4\r\nPING\r\n"), &lim_unauth,
	    "DONE 1 \"PING\"\nDONE 1 \"PING\"\nMORE 0\n");
	expect_stream(S("*2\r\n$4\r\nECHO\r\n$3\r\na\r\nb\r\n"), &lim_unauth,
	    "DONE 2 \"ECHO\" \"a\\x0d\\x0a\"\nDONE 0\nMORE 0\n");
	/* A line end needs no '\r'; '\r' alone is not a line end. */
	expect_stream(S("ECHO a\rb\n"), &lim_unauth,
	    "DONE 3 \"ECHO\" \"a\" \"b\"\nMORE 0\n");
	/* Redis's strchr() stops at NUL: such a request never completes. */
	expect_stream(S("PING\0\r\n"), &lim_unauth, "MORE 7\n");
	expect_stream(S("*1\r\nx\0\r\n"), &lim_unauth, "MORE 4\n");
	expect_stream(S("*1\0\r\n"), &lim_unauth, "MORE 5\n");
}

/* Compare a builder's output with the exact bytes expected, then clear it. */
static void
expect_bytes(struct buf *b, const char *want, size_t n)
{
	if (b->len != n || memcmp(b->data, want, n) != 0)
		fail_msg("got \"%s\" (%zu bytes), want \"%s\"", b->data, b->len,
		    want);
	buf_clear(b);
}

/* What resp_command() writes reads back to the same arguments. */
static void
test_command_roundtrip(void **state)
{
	char		*argv[4] = { xstrdup("SET"), xmemdup("k\r\n\0", 4),
			    xstrdup(""), xmemdup("*1\r\n$", 5) };
	size_t		 argvlen[4] = { 3, 4, 0, 5 };
	struct buf	 b = BUF_INIT;
	int		 i;

	(void)state;
	resp_command(&b, 4, argv, argvlen);
	expect_bytes(&b, S("*4\r\n$3\r\nSET\r\n$4\r\nk\r\n\0\r\n"
	    "$0\r\n\r\n$5\r\n*1\r\n$\r\n"));
	resp_command(&b, 4, argv, argvlen);
	expect_stream(b.data, b.len, &lim_unauth,
	    "DONE 4 \"SET\" \"k\\x0d\\x0a\\x00\" \"\" \"*1\\x0d\\x0a$\"\n"
	    "MORE 0\n");
	for (i = 0; i < 4; i++)
		free(argv[i]);
	buf_free(&b);
}

/* The error of parsing in, whole and cut every way; NULL if none. */
static void
expect_error(const char *in, size_t len, const struct resp_limits *lim,
    const char *error)
{
	struct buf	 want = BUF_INIT;
	char		*got;

	buf_appendf(&want, "ERR %s\n", error);
	got = len <= 4096 ? check_splits(in, len, lim) :
	    transcript(in, len, lim);
	if (strstr(got, want.data) == NULL)
		fail_msg("got:\n%s\nexpected %s", got, want.data);
	free(got);
	buf_free(&want);
}

/* A stream of n bytes: prefix, then fill repeated, then suffix. */
static char *
make_stream(const char *prefix, int fill, size_t nfill, const char *suffix,
    size_t *len)
{
	size_t	 a = strlen(prefix), c = strlen(suffix);
	char	*s = xmalloc(a + nfill + c + 1);

	memcpy(s, prefix, a);
	memset(s + a, fill, nfill);
	memcpy(s + a + nfill, suffix, c + 1);
	*len = a + nfill + c;
	return s;
}

/* Long lines: the inline and header limits, at their exact boundaries. */
static void
test_too_big(void **state)
{
	struct resp_parser	 p;
	char			*s, *t;
	size_t			 len, used;

	(void)state;
	/* 64 KB of inline line is fine, one byte more is not. */
	s = make_stream("", 'x', RESP_INLINE_MAX, "", &len);
	t = transcript(s, len, &lim_unauth);
	assert_string_equal(t, "MORE 65536\n");
	free(t);
	free(s);
	s = make_stream("", 'x', RESP_INLINE_MAX, "\n", &len);
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, s, len, &used, &lim_unauth), RESP_DONE);
	assert_int_equal(used, len);
	assert_int_equal(p.argc, 1);
	assert_int_equal(p.argvlen[0], RESP_INLINE_MAX);
	resp_parser_free(&p);
	free(s);
	s = make_stream("", 'x', RESP_INLINE_MAX, "\r\n", &len);
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, s, len - 1, &used, &lim_unauth),
	    RESP_MORE);
	assert_int_equal(resp_parse(&p, s, len, &used, &lim_unauth), RESP_DONE);
	assert_int_equal(used, len);
	assert_int_equal(p.argvlen[0], RESP_INLINE_MAX);
	resp_parser_free(&p);
	free(s);
	s = make_stream("", 'x', RESP_INLINE_MAX + 1, "", &len);
	expect_error(s, len, &lim_unauth,
	    "ERR Protocol error: too big inline request");
	free(s);
	s = make_stream("", 'x', RESP_INLINE_MAX, "\ry", &len);
	expect_error(s, len, &lim_unauth,
	    "ERR Protocol error: too big inline request");
	free(s);
	/* Even when the newline is already there, beyond the limit. */
	s = make_stream("", 'x', RESP_INLINE_MAX + 1, "\n", &len);
	expect_error(s, len, &lim_unauth,
	    "ERR Protocol error: too big inline request");
	free(s);
	s = make_stream("", 'x', RESP_INLINE_MAX + 1, "\r\n", &len);
	expect_error(s, len, &lim_unauth,
	    "ERR Protocol error: too big inline request");
	free(s);
	/* A NUL hides the newline: the line grows until it is too big. */
	s = make_stream("PING\0", 'x', RESP_INLINE_MAX, "", &len);
	s[4] = '\0';
	s[5] = '\n';
	expect_error(s, len, &lim_unauth,
	    "ERR Protocol error: too big inline request");
	free(s);

	s = make_stream("*", '1', RESP_INLINE_MAX, "", &len);
	expect_error(s, len, &lim_unauth,
	    "ERR Protocol error: too big mbulk count string");
	free(s);
	s = make_stream("*", '1', RESP_INLINE_MAX + 5, "\r\n", &len);
	expect_error(s, len, &lim_unauth,
	    "ERR Protocol error: too big mbulk count string");
	free(s);
	s = make_stream("*", '1', RESP_INLINE_MAX - 1, "", &len);
	t = transcript(s, len, &lim_unauth);
	assert_string_equal(t, "MORE 65536\n");
	free(t);
	free(s);

	s = make_stream("*1\r\n$", '1', RESP_INLINE_MAX, "", &len);
	expect_error(s, len, &lim_unauth,
	    "ERR Protocol error: too big bulk count string");
	free(s);
	s = make_stream("*1\r\n$", '1', RESP_INLINE_MAX - 1, "", &len);
	t = transcript(s, len, &lim_unauth);
	assert_string_equal(t, "MORE 65536\n");
	free(t);
	free(s);
	/* A long header that ends in time is just a bad number. */
	s = make_stream("*1\r\n$", '1', 100, "\r\n", &len);
	expect_error(s, len, &lim_auth,
	    "ERR Protocol error: invalid bulk length");
	free(s);
}

/* Every other protocol error and the bytes that cause it. */
static void
test_errors(void **state)
{
	struct resp_limits	 small = { 100, 5, true };
	struct resp_parser	 p;
	size_t			 used;

	(void)state;
	expect_error(S("SET \"a b\r\n"), &lim_auth,
	    "ERR Protocol error: unbalanced quotes in request");
	expect_error(S("SET 'a\r\n"), &lim_auth,
	    "ERR Protocol error: unbalanced quotes in request");
	expect_error(S("SET \"a\"b\n"), &lim_auth,
	    "ERR Protocol error: unbalanced quotes in request");
	expect_error(S("PING\r\nSET x 'y\n"), &lim_auth,
	    "ERR Protocol error: unbalanced quotes in request");

	expect_error(S("*abc\r\n"), &lim_auth,
	    "ERR Protocol error: invalid multibulk length");
	expect_error(S("*\r\n"), &lim_auth,
	    "ERR Protocol error: invalid multibulk length");
	expect_error(S("*01\r\n"), &lim_auth,
	    "ERR Protocol error: invalid multibulk length");
	expect_error(S("*+1\r\n"), &lim_auth,
	    "ERR Protocol error: invalid multibulk length");
	expect_error(S("*1 \r\n"), &lim_auth,
	    "ERR Protocol error: invalid multibulk length");
	expect_error(S("*-0\r\n"), &lim_auth,
	    "ERR Protocol error: invalid multibulk length");
	expect_error(S("*2147483648\r\n"), &lim_auth,
	    "ERR Protocol error: invalid multibulk length");
	expect_error(S("*99999999999999999999\r\n"), &lim_auth,
	    "ERR Protocol error: invalid multibulk length");
	expect_error(S("*6\r\n"), &small,
	    "ERR Protocol error: invalid multibulk length");
	expect_stream(S("*5\r\n"), &small, "MORE 0\n");

	expect_error(S("*11\r\n"), &lim_unauth,
	    "ERR Protocol error: unauthenticated multibulk length");
	expect_stream(S("*10\r\n"), &lim_unauth, "MORE 0\n");
	expect_stream(S("*11\r\n"), &lim_auth, "MORE 0\n");
	/* Bad numbers are refused before the authentication check. */
	expect_error(S("*2147483648\r\n"), &lim_unauth,
	    "ERR Protocol error: invalid multibulk length");

	expect_error(S("*1\r\nX3\r\nfoo\r\n"), &lim_auth,
	    "ERR Protocol error: expected '$', got 'X'");
	expect_error(S("*2\r\n$1\r\na\r\n:1\r\n"), &lim_auth,
	    "ERR Protocol error: expected '$', got ':'");
	expect_error(S("*1\r\n*1\r\n"), &lim_auth,
	    "ERR Protocol error: expected '$', got '*'");
	/* CR and LF would break the reply: Redis shows a space. */
	expect_error(S("*1\r\n\r\n"), &lim_auth,
	    "ERR Protocol error: expected '$', got ' '");
	expect_error(S("*1\r\n\n\r\n"), &lim_auth,
	    "ERR Protocol error: expected '$', got ' '");
	expect_error(S("*1\r\n\xe9\r\n"), &lim_auth,
	    "ERR Protocol error: expected '$', got '\xe9'");

	expect_error(S("*1\r\n$-1\r\n"), &lim_auth,
	    "ERR Protocol error: invalid bulk length");
	expect_error(S("*1\r\n$\r\n"), &lim_auth,
	    "ERR Protocol error: invalid bulk length");
	expect_error(S("*1\r\n$04\r\n"), &lim_auth,
	    "ERR Protocol error: invalid bulk length");
	expect_error(S("*1\r\n$4x\r\n"), &lim_auth,
	    "ERR Protocol error: invalid bulk length");
	expect_error(S("*1\r\n$1\n\r\n"), &lim_auth,
	    "ERR Protocol error: invalid bulk length");
	expect_error(S("*1\r\n$536870913\r\n"), &lim_auth,
	    "ERR Protocol error: invalid bulk length");
	expect_error(S("*1\r\n$101\r\n"), &small,
	    "ERR Protocol error: invalid bulk length");
	expect_stream(S("*1\r\n$100\r\n"), &small, "MORE 0\n");
	expect_stream(S("*1\r\n$536870912\r\n"), &lim_auth, "MORE 0\n");

	expect_error(S("*1\r\n$16385\r\n"), &lim_unauth,
	    "ERR Protocol error: unauthenticated bulk length");
	expect_stream(S("*1\r\n$16384\r\n"), &lim_unauth, "MORE 0\n");
	expect_error(S("*1\r\n$-1\r\n"), &lim_unauth,
	    "ERR Protocol error: invalid bulk length");

	/* A 2 GB bulk is refused from its header: nothing waits, nothing is allocated. */
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, S("*1\r\n$2147483648\r\n"), &used,
	    &lim_auth), RESP_ERR);
	assert_string_equal(p.error, "ERR Protocol error: invalid bulk length");
	assert_null(p.bulk);
	assert_int_equal(p.argv_cap, 1);
	/* reset makes the parser usable again. */
	resp_parser_reset(&p);
	assert_null(p.error);
	assert_int_equal(resp_parse(&p, S("PING\r\n"), &used, &lim_auth),
	    RESP_DONE);
	assert_int_equal(p.argc, 1);
	resp_parser_free(&p);

	/* NULL limits are Redis's defaults for an authenticated client. */
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, S("*1\r\n$536870913\r\n"), &used,
	    NULL), RESP_ERR);
	resp_parser_free(&p);
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, S("*11\r\n$536870912\r\n"), &used,
	    NULL), RESP_MORE);
	assert_int_equal(used, 17);
	resp_parser_free(&p);
}

/* Untrusted counts and lengths must not decide how much memory is taken. */
static void
test_memory(void **state)
{
	struct resp_parser	 p;
	char			 chunk[1000], hdr[64];
	size_t			 used, got, total = 10 * 1000 * 1000;
	int			 i;

	(void)state;
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, S("*2147483647\r\n"), &used,
	    &lim_auth), RESP_MORE);
	assert_int_equal(used, 13);
	assert_true(p.argv_cap <= 1024);
	/* The array grows with the arguments that really come. */
	for (i = 0; i < 5000; i++) {
		assert_int_equal(resp_parse(&p, S("$1\r\nx\r\n"), &used,
		    &lim_auth), RESP_MORE);
		assert_int_equal(used, 7);
		assert_true(p.argv_cap <= 2 * p.argc + 1024);
	}
	assert_int_equal(p.argc, 5000);
	resp_parser_free(&p);

	/* A 10 MB bulk coming 1000 bytes at a time. */
	resp_parser_init(&p);
	snprintf(hdr, sizeof hdr, "*2\r\n$3\r\nSET\r\n$%zu\r\n", total);
	assert_int_equal(resp_parse(&p, hdr, strlen(hdr), &used, &lim_auth),
	    RESP_MORE);
	assert_int_equal(used, strlen(hdr));
	assert_null(p.bulk);
	for (got = 0; got < total; got += sizeof chunk) {
		memset(chunk, 'a' + (int)(got / sizeof chunk % 26), sizeof chunk);
		assert_int_equal(resp_parse(&p, chunk, sizeof chunk, &used,
		    &lim_auth), RESP_MORE);
		assert_int_equal(used, sizeof chunk);
		assert_true(p.bulk_cap <= 16384 ||
		    p.bulk_cap <= 2 * (got + sizeof chunk) + 2);
		assert_true(p.bulk_cap <= total + 1);
	}
	assert_int_equal(resp_parse(&p, "\r", 1, &used, &lim_auth), RESP_MORE);
	assert_int_equal(resp_parse(&p, "\n", 1, &used, &lim_auth), RESP_DONE);
	assert_int_equal(p.argc, 2);
	assert_int_equal(p.argvlen[1], total);
	assert_int_equal(p.argv[1][total], '\0');
	for (got = 0; got < total; got += 4999)
		assert_int_equal(p.argv[1][got], 'a' + (int)(got / 1000 % 26));
	resp_parser_free(&p);

	/* Ten arguments of 16 KB are what an unauthenticated client may send. */
	{
		struct buf	 req = BUF_INIT;
		char		*big = make_stream("", 'z', 16384, "", &used);

		buf_appends(&req, "*10\r\n");
		for (i = 0; i < 10; i++) {
			buf_appends(&req, "$16384\r\n");
			buf_append(&req, big, 16384);
			buf_appends(&req, "\r\n");
		}
		resp_parser_init(&p);
		assert_int_equal(resp_parse(&p, req.data, req.len, &used,
		    &lim_unauth), RESP_DONE);
		assert_int_equal(used, req.len);
		assert_int_equal(p.argc, 10);
		assert_memory_equal(p.argv[9], big, 16384);
		resp_parser_free(&p);
		free(big);
		buf_free(&req);
	}
}

/* Arguments stay until the next call; reset drops a partial request. */
static void
test_lifecycle(void **state)
{
	struct resp_parser	 p;
	size_t			 used;

	(void)state;
	resp_parser_init(&p);
	assert_int_equal(resp_parse(&p, S("*2\r\n$3\r\nGET\r\n$3\r\nk"), &used,
	    NULL), RESP_MORE);
	assert_int_equal(p.argc, 1);
	assert_non_null(p.bulk);
	resp_parser_reset(&p);
	assert_int_equal(p.argc, 0);
	assert_null(p.bulk);
	assert_int_equal(p.kind, 0);
	assert_int_equal(resp_parse(&p, S("ECHO hi\n"), &used, NULL), RESP_DONE);
	assert_int_equal(p.argc, 2);
	assert_string_equal(p.argv[1], "hi");
	/* Without reset, the next call drops the finished request itself. */
	assert_int_equal(resp_parse(&p, S(""), &used, NULL), RESP_MORE);
	assert_int_equal(p.argc, 0);
	assert_int_equal(resp_parse(&p, S("*1\r\n$1\r\nx\r\n"), &used, NULL),
	    RESP_DONE);
	assert_string_equal(p.argv[0], "x");
	resp_parser_free(&p);
	assert_null(p.argv);
	/* A freed parser is a fresh one. */
	assert_int_equal(resp_parse(&p, S("*1\r\n$1\r\ny\r\n"), &used, NULL),
	    RESP_DONE);
	assert_string_equal(p.argv[0], "y");
	resp_parser_free(&p);
}

/* Every reply builder, in both protocols. */
static void
test_replies(void **state)
{
	struct buf	b = BUF_INIT;
	int		proto;

	(void)state;
	resp_simple(&b, "OK");
	expect_bytes(&b, S("+OK\r\n"));
	resp_simple(&b, "a\r\nb");
	expect_bytes(&b, S("+a  b\r\n"));
	resp_error(&b, "ERR unknown command 'x'");
	expect_bytes(&b, S("-ERR unknown command 'x'\r\n"));
	resp_error(&b, "WRONGTYPE bad\r\n+OK\r\n");
	expect_bytes(&b, S("-WRONGTYPE bad  +OK  \r\n"));
	resp_error(&b, "-NOAUTH x");
	expect_bytes(&b, S("-NOAUTH x\r\n"));
	resp_errorf(&b, "ERR %s %d\n", "line", 42);
	expect_bytes(&b, S("-ERR line 42\r\n"));
	resp_errorf(&b, "\r\nERR a\r\nb%s", "\n\n");
	expect_bytes(&b, S("-ERR a  b\r\n"));
	resp_int(&b, 0);
	expect_bytes(&b, S(":0\r\n"));
	resp_int(&b, LLONG_MIN);
	expect_bytes(&b, S(":-9223372036854775808\r\n"));
	resp_int(&b, LLONG_MAX);
	expect_bytes(&b, S(":9223372036854775807\r\n"));
	resp_bulk(&b, "a\0\r\n", 4);
	expect_bytes(&b, S("$4\r\na\0\r\n\r\n"));
	resp_bulk(&b, "", 0);
	expect_bytes(&b, S("$0\r\n\r\n"));
	resp_bulk_str(&b, "hello");
	expect_bytes(&b, S("$5\r\nhello\r\n"));
	resp_bulk_ll(&b, -12345);
	expect_bytes(&b, S("$6\r\n-12345\r\n"));
	/* Redis 7.0 prints reply doubles with %.17g. */
	resp_bulk_double(&b, 1.1);
	expect_bytes(&b, S("$18\r\n1.1000000000000001\r\n"));
	resp_bulk_double(&b, 1.5);
	expect_bytes(&b, S("$3\r\n1.5\r\n"));
	resp_bulk_double(&b, -INFINITY);
	expect_bytes(&b, S("$4\r\n-inf\r\n"));
	resp_array(&b, 3);
	expect_bytes(&b, S("*3\r\n"));
	resp_array(&b, 0);
	expect_bytes(&b, S("*0\r\n"));

	for (proto = 2; proto <= 3; proto++) {
		bool r3 = proto == 3;

		resp_null(&b, proto);
		if (r3)
			expect_bytes(&b, S("_\r\n"));
		else
			expect_bytes(&b, S("$-1\r\n"));
		resp_null_array(&b, proto);
		if (r3)
			expect_bytes(&b, S("_\r\n"));
		else
			expect_bytes(&b, S("*-1\r\n"));
		resp_map(&b, 3, proto);
		if (r3)
			expect_bytes(&b, S("%3\r\n"));
		else
			expect_bytes(&b, S("*6\r\n"));
		resp_set(&b, 2, proto);
		if (r3)
			expect_bytes(&b, S("~2\r\n"));
		else
			expect_bytes(&b, S("*2\r\n"));
		resp_push(&b, 3, proto);
		if (r3)
			expect_bytes(&b, S(">3\r\n"));
		else
			expect_bytes(&b, S("*3\r\n"));
		resp_bool(&b, true, proto);
		resp_bool(&b, false, proto);
		if (r3)
			expect_bytes(&b, S("#t\r\n#f\r\n"));
		else
			expect_bytes(&b, S(":1\r\n:0\r\n"));
		resp_double(&b, 3.0, proto);
		if (r3)
			expect_bytes(&b, S(",3\r\n"));
		else
			expect_bytes(&b, S("$1\r\n3\r\n"));
		resp_double(&b, 0.1, proto);
		if (r3)
			expect_bytes(&b, S(",0.10000000000000001\r\n"));
		else
			expect_bytes(&b, S("$19\r\n0.10000000000000001\r\n"));
		resp_double(&b, -3.14e100, proto);
		if (r3)
			expect_bytes(&b, S(",-3.1399999999999998e+100\r\n"));
		else
			expect_bytes(&b, S("$24\r\n-3.1399999999999998e+100\r\n"));
		resp_double(&b, -2.5e-300, proto);
		if (r3)
			expect_bytes(&b, S(",-2.5e-300\r\n"));
		else
			expect_bytes(&b, S("$9\r\n-2.5e-300\r\n"));
		resp_double(&b, INFINITY, proto);
		if (r3)
			expect_bytes(&b, S(",inf\r\n"));
		else
			expect_bytes(&b, S("$3\r\ninf\r\n"));
		resp_double(&b, -INFINITY, proto);
		if (r3)
			expect_bytes(&b, S(",-inf\r\n"));
		else
			expect_bytes(&b, S("$4\r\n-inf\r\n"));
		resp_verbatim(&b, "a\r\nb", 4, proto);
		if (r3)
			expect_bytes(&b, S("=8\r\ntxt:a\r\nb\r\n"));
		else
			expect_bytes(&b, S("$4\r\na\r\nb\r\n"));
		resp_verbatim(&b, "", 0, proto);
		if (r3)
			expect_bytes(&b, S("=4\r\ntxt:\r\n"));
		else
			expect_bytes(&b, S("$0\r\n\r\n"));
	}

	/* Builders append: a whole reply in one buffer. */
	resp_array(&b, 2);
	resp_bulk_str(&b, "a");
	resp_int(&b, 7);
	expect_bytes(&b, S("*2\r\n$1\r\na\r\n:7\r\n"));
	resp_command(&b, 0, NULL, NULL);
	expect_bytes(&b, S("*0\r\n"));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_command_roundtrip),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_replies),
	};

	return cmocka_run_group_tests_name("resp", tests, NULL, NULL);
}
