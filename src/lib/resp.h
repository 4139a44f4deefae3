/*
 * resp.h - the RESP request parser (multibulk and inline) for a plain
 * (buffer, length), and reply builders for RESP2 and RESP3.
 */
#ifndef SENTINEL_RESP_H
#define SENTINEL_RESP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define RESP_INLINE_MAX		(64 * 1024)	/* PROTO_INLINE_MAX_SIZE */
#define RESP_MBULK_BIG_ARG	(32 * 1024)

enum resp_status {
	RESP_DONE = 0,		/* one request complete: p->argc, p->argv */
	RESP_MORE,		/* need more bytes; everything usable was consumed */
	RESP_ERR,		/* protocol error: reply p->error and close */
};

struct resp_limits {
	long long	max_bulk;	/* proto-max-bulk-len, 512 MB by default */
	long long	max_multibulk;	/* counts above are refused; never more than
					   INT_MAX (Redis 7.0.15's own limit) */
	bool		authenticated;	/* false: multibulk > 10 or bulk > 16384 refused */
};

/* The limits used when resp_parse() is given NULL: 512 MB, INT_MAX, authenticated. */
#define RESP_DEFAULT_MAX_BULK	(512LL * 1024 * 1024)

struct resp_parser {
	/* The request: argv[i] is NUL-terminated, argvlen[i] its length. */
	int		 argc;
	char		**argv;
	size_t		*argvlen;
	const char	*error;		/* "ERR Protocol error: ..." on RESP_ERR */
	/* Progress across calls. */
	int		 kind;		/* 0 between requests, '*' inside a multibulk (inline lines are read whole) */
	long long	 mb_left;	/* multibulk arguments still to read */
	long long	 bulk_len;	/* -1: reading a "$len" header next */
	int		 argv_cap;
	char		*bulk;		/* a bulk that came in several pieces */
	size_t		 bulk_have;	/* its bytes read so far, CRLF included */
	size_t		 bulk_cap;
	char		 errbuf[48];	/* p->error when it names a byte */
};

void	resp_parser_init(struct resp_parser *p);
/* Free the arguments of the last request (or a partial one), keep the parser. */
void	resp_parser_reset(struct resp_parser *p);
void	resp_parser_free(struct resp_parser *p);
/*
 * Parse at most one request from (buf, len). *consumed is set to the bytes
 * used (also on RESP_MORE: partial progress is kept in p). An inline request
 * that is an empty line, and a multibulk count <= 0 ("*0", "*-1"), give
 * RESP_DONE with argc 0: skip it. The arguments of a finished request stay in
 * p until resp_parser_reset() or the next resp_parse() call. After RESP_ERR
 * every call returns RESP_ERR until resp_parser_reset(). lim may be NULL.
 * As in Redis, a NUL byte before the end of a header or inline line hides the
 * end (the request never completes, and fails when too long).
 */
enum resp_status resp_parse(struct resp_parser *p, const char *buf, size_t len,
	    size_t *consumed, const struct resp_limits *lim);

/* Reply builders: proto is 2 or 3. */
void	resp_simple(struct buf *b, const char *s);
void	resp_error(struct buf *b, const char *msg);	/* msg is "ERR ...", "WRONGTYPE ..." */
void	resp_errorf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	resp_int(struct buf *b, long long v);
void	resp_bulk(struct buf *b, const void *p, size_t n);
void	resp_bulk_str(struct buf *b, const char *s);
void	resp_bulk_ll(struct buf *b, long long v);
void	resp_bulk_double(struct buf *b, double d);
void	resp_null(struct buf *b, int proto);		/* $-1 / _ */
void	resp_null_array(struct buf *b, int proto);	/* *-1 / _ */
void	resp_array(struct buf *b, long long n);
void	resp_map(struct buf *b, long long npairs, int proto);	/* *2n / %n */
void	resp_set(struct buf *b, long long n, int proto);	/* *n / ~n */
void	resp_push(struct buf *b, long long n, int proto);	/* *n / >n */
void	resp_double(struct buf *b, double d, int proto);	/* bulk / ,d */
void	resp_bool(struct buf *b, bool v, int proto);		/* :1 :0 / #t #f */
void	resp_verbatim(struct buf *b, const char *s, size_t n, int proto); /* bulk / =n txt:... */
/* The whole request as one RESP multibulk (for replication and MONITOR-like uses). */
void	resp_command(struct buf *b, int argc, char **argv, const size_t *argvlen);

#endif
