/*
 * harness.h - integration test support: temp dirs, free ports, server
 * processes, raw RESP connections with a canonical text rendering of
 * replies, and TAP output.
 *
 * Reply rendering (one line per element, children indented two spaces):
 *	+text		simple string		-text		error
 *	:N		integer			"esc"		bulk string
 *	(nil)		null bulk ($-1)		(nil-array)	null array (*-1)
 *	_		RESP3 null		,1.5		double
 *	#t / #f		boolean			(123		big number
 *	=txt:"esc"	verbatim string		!"esc"		blob error
 *	*N %N ~N >N	array, map (N pairs, 2N children), set, push
 *	|N		attribute: 2N children, then the reply it annotates
 * Bulk payloads are quoted with \\ \" \n \r \t \a \b and \xHH escapes.
 */
#ifndef SENTINEL_HARNESS_H
#define SENTINEL_HARNESS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define H_DEADLINE_MS	10000	/* default wait for anything to happen */

/* --- TAP -------------------------------------------------------------- */
void	 h_plan(int n);
bool	 h_ok(bool cond, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 h_skip(const char *reason, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 h_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints every line of a multi-line text as a diagnostic with a prefix. */
void	 h_diag_lines(const char *prefix, const char *text);
/*
 * Tests whose timings are tight (sentinels with down-after of a few hundred
 * ms) take this lock so that "make -j2 check" does not run two of them at
 * once on a small machine; held until the process exits.
 */
void	 h_exclusive(void);
/* Exit status for main: 0 if every test passed. */
int	 h_done(void);

/* --- temp dirs and files ----------------------------------------------- */
/* A fresh directory under $TMPDIR (or /tmp), removed at exit. */
char	*h_tmpdir(const char *tag);
/* Removes a dir made by h_tmpdir now rather than at exit. */
void	 h_tmpdir_remove(const char *path);
/* rm -rf. */
int	 h_rmtree(const char *path);
int	 h_write_file(const char *path, const char *text);
/* Whole file as a NUL-terminated string, NULL if unreadable. */
char	*h_read_file(const char *path);

/* --- processes ----------------------------------------------------------- */
/* A loopback port nobody listens on right now. */
int	 h_free_port(void);
/* fork+exec argv (argv[0] is the path), output appended to logpath. */
pid_t	 h_spawn(char *const argv[], const char *logpath);
/* SIGTERM, wait up to deadline_ms, then SIGKILL; returns the wait status. */
int	 h_stop(pid_t pid, int deadline_ms);
/* SIGKILL and reap. */
int	 h_kill9(pid_t pid);
/* Reap pid if it exited; true and the status in *status if it did. */
bool	 h_exited(pid_t pid, int *status, int deadline_ms);
/* true once a connection to the port succeeds, false if pid died first. */
bool	 h_wait_port(int port, pid_t pid, int deadline_ms);

/* --- server kinds --------------------------------------------------------- */
enum h_kind {
	H_KV,
	H_REDIS,
};

struct h_target {
	enum h_kind	 kind;
	const char	*name;	/* "kv" or "redis" */
	const char	*bin;
};

/*
 * Runs body once per server kind selected by SCN_SERVERS ("kv,redis" by
 * default), one TAP line "desc [name]" each. A kind whose binary is not
 * configured is skipped; one configured but not executable fails.
 */
typedef bool (*h_body)(const struct h_target *, void *);
void	 h_run(const char *desc, h_body body, void *arg);
/* How many kinds h_run reports: plan = cases * h_nkinds(). */
int	 h_nkinds(void);
/* The target of a kind even if not selected; bin NULL when unavailable. */
bool	 h_target_get(enum h_kind kind, struct h_target *t);

struct h_server {
	pid_t	 pid;
	int	 port;
	char	*log;	/* output of the server */
};

struct h_srvcfg {
	const char		*bin;
	const char		*dir;	/* --dir */
	const char		*logdir;	/* NULL: dir */
	const char		*conf;	/* first argument, or NULL */
	const char		*save;	/* NULL: "" */
	const char *const	*args;	/* extra arguments, NULL-terminated */
	int			 port;	/* 0: a free one */
	bool			 nowait;	/* do not wait for PING */
};

/*
 * Starts bin with "[conf] --port N --bind 127.0.0.1 --dir D --save S
 * --appendonly no args..." and waits until it answers PING (any reply).
 * Retries on another port when the chosen one got taken. 0 or -1.
 */
int	 h_server_start(struct h_server *s, const struct h_srvcfg *cfg);
int	 h_server_stop(struct h_server *s);
void	 h_server_free(struct h_server *s);
/* The last lines of the log as diagnostics. */
void	 h_server_diag_log(const struct h_server *s);

/* --- RESP connections and replies ----------------------------------------- */
struct h_node {
	char		 *line;	/* the rendered header, without indent */
	char		 *str;	/* raw payload of strings and errors */
	size_t		  slen;
	struct h_node	**kids;
	size_t		  nkids;
};

struct h_conn {
	int		 fd;
	struct buf	 in;
	int		 timeout_ms;
};

enum {
	H_RD_OK = 0,
	H_RD_CLOSED = -1,	/* EOF or reset */
	H_RD_TIMEOUT = -2,
	H_RD_PROTO = -3,	/* not RESP */
};

struct h_conn *h_connect(int port);
void	 h_close(struct h_conn *c);
int	 h_send_raw(struct h_conn *c, const void *p, size_t n);
int	 h_send_argv(struct h_conn *c, int argc, const char *const *argv,
	    const size_t *lens);
/* NULL-terminated list of strings. */
int	 h_send(struct h_conn *c, ...) __attribute__((sentinel));
/* Reads one reply; H_RD_* */
int	 h_read(struct h_conn *c, struct h_node **out);
/* True if the server closes the connection within deadline_ms. */
bool	 h_wait_closed(struct h_conn *c, int deadline_ms);
/*
 * Sends a command and renders its reply; the result is allocated and
 * never NULL: "(closed)", "(timeout)" or "(protocol error)" on failure.
 */
char	*h_cmd(struct h_conn *c, ...) __attribute__((sentinel));
/* Reads one more reply, rendered as h_cmd does (pushes, pipelines). */
char	*h_reply(struct h_conn *c);
/* Same as h_cmd for a command in an array. */
char	*h_cmdv(struct h_conn *c, int argc, const char *const *argv);

void	 h_node_free(struct h_node *n);
/* Indented text, one line per element, each ending in \n. */
void	 h_render(const struct h_node *n, struct buf *out);
/* Appends s as a quoted, escaped string. */
void	 h_quote(struct buf *out, const char *s, size_t len);

/* Value of "field:" in an INFO text, allocated, or NULL. */
char	*h_info_field(const char *info, const char *field);
/* INFO [section] over c, then the field; allocated or NULL. */
char	*h_info_get(struct h_conn *c, const char *section, const char *field);

#endif
