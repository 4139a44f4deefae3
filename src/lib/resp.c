/*
 * resp.c - the RESP request parser (multibulk and inline) and the reply
 * builders for RESP2 and RESP3.
 *
 * The parser follows what Redis 7.0.15 accepts and refuses, with the same
 * error texts, but it works on a plain (buffer, length): the caller keeps the
 * query buffer, drops what resp_parse() consumed and calls again when more
 * bytes came in. Whatever way the input is cut, the requests and errors come
 * out the same.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "resp.h"
#include "util.h"

#define RESP_UNAUTH_MBULK	10
#define RESP_UNAUTH_BULK	16384
#define RESP_ARGV_FIRST		1024	/* argv slots allocated from a count alone */
#define RESP_BULK_FIRST		16384	/* first piece of a large split bulk */

static const struct resp_limits resp_default_limits = {
	RESP_DEFAULT_MAX_BULK, INT_MAX, true
};

/* Results of resp_find_eol() besides an offset. */
#define RESP_EOL_MORE	((size_t)-1)
#define RESP_EOL_BIG	((size_t)-2)

/* A parser with nothing read yet. */
void
resp_parser_init(struct resp_parser *p)
{
	memset(p, 0, sizeof *p);
	p->bulk_len = -1;
}

/* Drop the arguments (finished or partial) but keep the arrays for reuse. */
void
resp_parser_reset(struct resp_parser *p)
{
	int	i;

	for (i = 0; i < p->argc; i++)
		free(p->argv[i]);
	p->argc = 0;
	free(p->bulk);
	p->bulk = NULL;
	p->bulk_have = p->bulk_cap = 0;
	/* One huge request must not pin its argv for the life of the client. */
	if (p->argv_cap > RESP_ARGV_FIRST) {
		free(p->argv);
		free(p->argvlen);
		p->argv = NULL;
		p->argvlen = NULL;
		p->argv_cap = 0;
	}
	p->error = NULL;
	p->kind = 0;
	p->mb_left = 0;
	p->bulk_len = -1;
}

/* Give back everything the parser holds. */
void
resp_parser_free(struct resp_parser *p)
{
	resp_parser_reset(p);
	free(p->argv);
	free(p->argvlen);
	resp_parser_init(p);
}

/* Make room for at least want arguments. */
static void
resp_argv_grow(struct resp_parser *p, int want)
{
	if (want <= p->argv_cap)
		return;
	p->argv = xreallocarray(p->argv, (size_t)want, sizeof *p->argv);
	p->argvlen = xreallocarray(p->argvlen, (size_t)want,
	    sizeof *p->argvlen);
	p->argv_cap = want;
}

/*
 * Find the byte c that ends the line starting buf, the way Redis's strchr()
 * on its NUL-terminated query buffer does: a NUL before c hides it. Only the
 * first window bytes are searched, so that the answer does not depend on how
 * much has arrived: when c is not among them, the line is too big however
 * the bytes come in.
 */
static inline size_t
resp_find_eol(const char *buf, size_t len, int c, size_t window)
{
	const char	*e;

	e = memchr(buf, c, len < window ? len : window);
	if (e != NULL && memchr(buf, '\0', (size_t)(e - buf)) != NULL)
		e = NULL;
	if (e == NULL)
		return len >= window ? RESP_EOL_BIG : RESP_EOL_MORE;
	return (size_t)(e - buf);
}

/* Record a protocol error; it sticks until resp_parser_reset(). */
static enum resp_status
resp_fail(struct resp_parser *p, const char *error)
{
	p->error = error;
	return RESP_ERR;
}

/* An inline request: one line split like a configuration line. */
static enum resp_status
resp_parse_inline(struct resp_parser *p, const char *buf, size_t len,
    size_t *consumed)
{
	size_t	 eol, linelen, *vl;
	char	**v;
	int	 n;

	/*
	 * The line may hold RESP_INLINE_MAX bytes before its "\r\n" or "\n".
	 * Redis refuses more as soon as it holds that much without a newline,
	 * so its limit moves with the reads; this one does not.
	 */
	eol = resp_find_eol(buf, len, '\n', RESP_INLINE_MAX + 2);
	if (eol == RESP_EOL_MORE && len == RESP_INLINE_MAX + 1 &&
	    buf[RESP_INLINE_MAX] != '\r')
		eol = RESP_EOL_BIG;
	if (eol == RESP_EOL_MORE)
		return RESP_MORE;
	linelen = eol;
	if (eol != RESP_EOL_BIG && linelen > 0 && buf[linelen - 1] == '\r')
		linelen--;
	if (eol == RESP_EOL_BIG || linelen > RESP_INLINE_MAX)
		return resp_fail(p, "ERR Protocol error: too big inline request");
	if (conf_split(buf, linelen, &n, &v, &vl) != 0)
		return resp_fail(p,
		    "ERR Protocol error: unbalanced quotes in request");
	resp_argv_grow(p, n);
	if (n > 0) {
		memcpy(p->argv, v, (size_t)n * sizeof *v);
		memcpy(p->argvlen, vl, (size_t)n * sizeof *vl);
	}
	p->argc = n;
	conf_free_args(0, v, vl);	/* the strings now belong to p */
	*consumed = eol + 1;
	return RESP_DONE;
}

/*
 * Read a "<c><number>\r\n" header at buf. Returns RESP_DONE with *used set and
 * *ok telling whether *v could be read, RESP_MORE, or RESP_ERR with p->error
 * set. As in Redis, the byte after '\r' is not looked at: the header is
 * simply two bytes longer.
 */
static enum resp_status
resp_header(struct resp_parser *p, const char *buf, size_t len, long long *v,
    bool *ok, size_t *used, int c)
{
	size_t	 eol;

	/* Up to RESP_INLINE_MAX bytes before the '\r'. */
	eol = resp_find_eol(buf, len, '\r', RESP_INLINE_MAX + 1);
	if (eol == RESP_EOL_BIG)
		return resp_fail(p, c == '*' ?
		    "ERR Protocol error: too big mbulk count string" :
		    "ERR Protocol error: too big bulk count string");
	if (eol == RESP_EOL_MORE || eol + 2 > len)
		return RESP_MORE;
	if (buf[0] != c) {
		/* Only bulk headers get here: requests start with '*'. */
		snprintf(p->errbuf, sizeof p->errbuf,
		    "ERR Protocol error: expected '$', got '%c'",
		    buf[0] == '\r' || buf[0] == '\n' ? ' ' : buf[0]);
		return resp_fail(p, p->errbuf);
	}
	*ok = util_parse_ll(buf + 1, eol - 1, v);
	*used = eol + 2;
	return RESP_DONE;
}

/*
 * Take bytes of a bulk that did not come in one piece. The buffer grows with
 * the data actually received, so a large announced length costs nothing until
 * the bytes are here. Returns true when the bulk and its CRLF are complete.
 */
static bool
resp_bulk_piece(struct resp_parser *p, const char *buf, size_t len,
    size_t *used)
{
	size_t	 blen = (size_t)p->bulk_len, take, data, ncap;

	take = blen + 2 - p->bulk_have;
	if (take > len)
		take = len;
	data = 0;
	if (p->bulk_have < blen) {
		data = blen - p->bulk_have;
		if (data > take)
			data = take;
	}
	if (data > 0 && p->bulk_have + data + 1 > p->bulk_cap) {
		if (blen < RESP_MBULK_BIG_ARG)
			ncap = blen + 1;
		else {
			ncap = p->bulk_cap ? p->bulk_cap : RESP_BULK_FIRST;
			while (ncap < p->bulk_have + data + 1)
				ncap *= 2;
			if (ncap > blen + 1)
				ncap = blen + 1;
		}
		p->bulk = xrealloc(p->bulk, ncap);
		p->bulk_cap = ncap;
	}
	if (data > 0)
		memcpy(p->bulk + p->bulk_have, buf, data);
	p->bulk_have += take;
	*used = take;
	return p->bulk_have == blen + 2;
}

/* The body of a multibulk request: "$<len>\r\n<bytes>\r\n" mb_left times. */
static enum resp_status
resp_parse_bulks(struct resp_parser *p, const char *buf, size_t len,
    size_t *pos, const struct resp_limits *lim)
{
	enum resp_status	 st;
	long long		 ll, ncap;
	size_t			 used, blen;
	bool			 ok;

	while (p->mb_left > 0) {
		if (p->bulk_len == -1) {
			st = resp_header(p, buf + *pos, len - *pos, &ll, &ok,
			    &used, '$');
			if (st != RESP_DONE)
				return st;
			if (!ok || ll < 0 || ll > lim->max_bulk)
				return resp_fail(p,
				    "ERR Protocol error: invalid bulk length");
			if (ll > RESP_UNAUTH_BULK && !lim->authenticated)
				return resp_fail(p, "ERR Protocol error: "
				    "unauthenticated bulk length");
			*pos += used;
			p->bulk_len = ll;
			p->bulk_have = 0;
		}
		if (p->argc == p->argv_cap) {
			ncap = (long long)p->argv_cap * 2;
			if (ncap > p->argc + p->mb_left)
				ncap = p->argc + p->mb_left;
			resp_argv_grow(p, (int)ncap);
		}
		blen = (size_t)p->bulk_len;
		if (p->bulk_have == 0 && len - *pos >= blen + 2) {
			/* The usual case: the whole bulk is in the buffer. */
			p->argv[p->argc] = xmemdup(buf + *pos, blen);
			*pos += blen + 2;
		} else {
			if (!resp_bulk_piece(p, buf + *pos, len - *pos, &used)) {
				*pos += used;
				return RESP_MORE;
			}
			*pos += used;
			if (p->bulk == NULL)
				p->bulk = xmalloc(1);	/* "$0" in pieces */
			p->bulk[blen] = '\0';
			p->argv[p->argc] = p->bulk;
			p->bulk = NULL;
			p->bulk_have = p->bulk_cap = 0;
		}
		p->argvlen[p->argc++] = blen;
		p->bulk_len = -1;
		p->mb_left--;
	}
	p->kind = 0;
	return RESP_DONE;
}

/* One request from (buf, len), continuing where the last call stopped. */
enum resp_status
resp_parse(struct resp_parser *p, const char *buf, size_t len,
    size_t *consumed, const struct resp_limits *lim)
{
	enum resp_status	 st;
	long long		 ll, max;
	size_t			 pos = 0, used;
	bool			 ok;

	*consumed = 0;
	if (p->error != NULL)
		return RESP_ERR;
	if (lim == NULL)
		lim = &resp_default_limits;

	if (p->kind == 0) {
		/* A new request: drop the last one's arguments. */
		resp_parser_reset(p);
		if (len == 0)
			return RESP_MORE;
		if (buf[0] != '*')
			return resp_parse_inline(p, buf, len, consumed);

		st = resp_header(p, buf, len, &ll, &ok, &used, '*');
		if (st != RESP_DONE)
			return st;
		max = lim->max_multibulk < INT_MAX ? lim->max_multibulk :
		    INT_MAX;
		if (!ok || ll > max)
			return resp_fail(p,
			    "ERR Protocol error: invalid multibulk length");
		if (ll > RESP_UNAUTH_MBULK && !lim->authenticated)
			return resp_fail(p,
			    "ERR Protocol error: unauthenticated multibulk length");
		pos = used;
		if (ll <= 0) {
			/* "*0" and "*-1" are empty requests. */
			*consumed = pos;
			return RESP_DONE;
		}
		p->kind = '*';
		p->mb_left = ll;
		p->bulk_len = -1;
		/* Trust the count only so far: argv grows as bulks come. */
		resp_argv_grow(p, ll < RESP_ARGV_FIRST ? (int)ll :
		    RESP_ARGV_FIRST);
	}

	st = resp_parse_bulks(p, buf, len, &pos, lim);
	if (st != RESP_ERR)
		*consumed = pos;
	return st;
}

/* Append a type byte, a number and CRLF: every header is built here. */
static inline void
resp_header_out(struct buf *b, char type, long long n)
{
	char	*w;
	size_t	 k;

	w = buf_reserve(b, 24);
	w[0] = type;
	k = util_ll2str(w + 1, n);
	w[k + 1] = '\r';
	w[k + 2] = '\n';
	b->len += k + 3;
	b->data[b->len] = '\0';
}

/* Append bytes and CRLF in one reservation. */
static inline void
resp_body_out(struct buf *b, const void *s, size_t n)
{
	char	*w;

	w = buf_reserve(b, n + 2);
	if (n > 0)
		memcpy(w, s, n);
	w[n] = '\r';
	w[n + 1] = '\n';
	b->len += n + 2;
	b->data[b->len] = '\0';
}

/* A line reply must stay one line, whatever the text holds. */
static void
resp_line_out(struct buf *b, char type, const char *s, size_t n)
{
	char	*w;
	size_t	 i;

	w = buf_reserve(b, n + 3);
	w[0] = type;
	memcpy(w + 1, s, n);
	for (i = 1; i <= n; i++) {
		if (w[i] == '\r' || w[i] == '\n')
			w[i] = ' ';
	}
	w[n + 1] = '\r';
	w[n + 2] = '\n';
	b->len += n + 3;
	b->data[b->len] = '\0';
}

/* "+OK": CR and LF in s become spaces. */
void
resp_simple(struct buf *b, const char *s)
{
	resp_line_out(b, '+', s, strlen(s));
}

/*
 * "-ERR ...": msg carries its own code. A leading '-' is not doubled, and CR
 * or LF inside become spaces, as Redis does for formatted errors.
 */
void
resp_error(struct buf *b, const char *msg)
{
	if (msg[0] == '-')
		msg++;
	resp_line_out(b, '-', msg, strlen(msg));
}

/*
 * An error built with printf formatting. Like Redis's addReplyErrorFormat(),
 * CR and LF at either end are dropped, those inside become spaces.
 */
void
resp_errorf(struct buf *b, const char *fmt, ...)
{
	struct buf	 tmp = BUF_INIT;
	va_list		 ap;
	size_t		 start = 0, end;

	va_start(ap, fmt);
	buf_vappendf(&tmp, fmt, ap);
	va_end(ap);
	end = tmp.len;
	while (start < end && (tmp.data[start] == '\r' ||
	    tmp.data[start] == '\n'))
		start++;
	while (end > start && (tmp.data[end - 1] == '\r' ||
	    tmp.data[end - 1] == '\n'))
		end--;
	if (start < end && tmp.data[start] == '-')
		start++;
	resp_line_out(b, '-', tmp.data + start, end - start);
	buf_free(&tmp);
}

/* ":<v>". */
void
resp_int(struct buf *b, long long v)
{
	resp_header_out(b, ':', v);
}

/* "$<n>\r\n<bytes>\r\n": binary safe. */
void
resp_bulk(struct buf *b, const void *p, size_t n)
{
	resp_header_out(b, '$', (long long)n);
	resp_body_out(b, p, n);
}

/* A C string as a bulk. */
void
resp_bulk_str(struct buf *b, const char *s)
{
	resp_bulk(b, s, strlen(s));
}

/* A number as a bulk string. */
void
resp_bulk_ll(struct buf *b, long long v)
{
	char	tmp[24];

	resp_bulk(b, tmp, util_ll2str(tmp, v));
}

/*
 * Doubles as Redis 7.0 prints them in replies: "inf" and "-inf" spelled out,
 * anything else with "%.17g" (so 1.1 is 1.1000000000000001).
 */
static size_t
resp_fmt_double(char *dst, size_t cap, double d)
{
	int	n;

	if (isinf(d))
		n = snprintf(dst, cap, "%s", d > 0 ? "inf" : "-inf");
	else
		n = snprintf(dst, cap, "%.17g", d);
	return n < 0 ? 0 : (size_t)n;
}

/* A double as a bulk string: RESP2's form of a double. */
void
resp_bulk_double(struct buf *b, double d)
{
	char	tmp[64];

	resp_bulk(b, tmp, resp_fmt_double(tmp, sizeof tmp, d));
}

/* A missing value. */
void
resp_null(struct buf *b, int proto)
{
	if (proto >= 3)
		buf_append(b, "_\r\n", 3);
	else
		buf_append(b, "$-1\r\n", 5);
}

/* A missing array (a timed-out blocking call, an aborted transaction). */
void
resp_null_array(struct buf *b, int proto)
{
	if (proto >= 3)
		buf_append(b, "_\r\n", 3);
	else
		buf_append(b, "*-1\r\n", 5);
}

/* An array header: n elements follow. */
void
resp_array(struct buf *b, long long n)
{
	resp_header_out(b, '*', n);
}

/* A map header: RESP2 sees a flat array of key, value, key, value... */
void
resp_map(struct buf *b, long long npairs, int proto)
{
	if (proto >= 3)
		resp_header_out(b, '%', npairs);
	else
		resp_header_out(b, '*', npairs * 2);
}

/* A set header. */
void
resp_set(struct buf *b, long long n, int proto)
{
	resp_header_out(b, proto >= 3 ? '~' : '*', n);
}

/* An out-of-band message header (pub/sub in RESP3). */
void
resp_push(struct buf *b, long long n, int proto)
{
	resp_header_out(b, proto >= 3 ? '>' : '*', n);
}

/* A double: a bulk string in RESP2, ",<d>" in RESP3. */
void
resp_double(struct buf *b, double d, int proto)
{
	char	tmp[64];
	size_t	n;

	if (proto < 3) {
		resp_bulk_double(b, d);
		return;
	}
	tmp[0] = ',';
	n = resp_fmt_double(tmp + 1, sizeof tmp - 1, d);
	resp_body_out(b, tmp, n + 1);
}

/* A boolean: an integer in RESP2. */
void
resp_bool(struct buf *b, bool v, int proto)
{
	if (proto >= 3)
		buf_append(b, v ? "#t\r\n" : "#f\r\n", 4);
	else
		buf_append(b, v ? ":1\r\n" : ":0\r\n", 4);
}

/* Text meant for people (INFO, CLIENT LIST): a plain bulk in RESP2. */
void
resp_verbatim(struct buf *b, const char *s, size_t n, int proto)
{
	if (proto < 3) {
		resp_bulk(b, s, n);
		return;
	}
	resp_header_out(b, '=', (long long)n + 4);
	buf_append(b, "txt:", 4);
	resp_body_out(b, s, n);
}

/* A request in multibulk form, as replicas and MONITOR-like consumers read it. */
void
resp_command(struct buf *b, int argc, char **argv, const size_t *argvlen)
{
	int	i;

	resp_header_out(b, '*', argc);
	for (i = 0; i < argc; i++) {
		resp_header_out(b, '$', (long long)argvlen[i]);
		resp_body_out(b, argv[i], argvlen[i]);
	}
}
