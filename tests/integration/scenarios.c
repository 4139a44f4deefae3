/*
 * scenarios.c - runs every scenarios.d/NAME.scn script against a fresh server
 * of each selected kind (SCN_SERVERS), one TAP line per file and server.
 * Usage: scenarios [file.scn ...]   (default: all of scenarios.d)
 *
 * The .scn format, line by line:
 *
 *   # text            comment (only in column 0)
 *   @args A B ...     extra server arguments (quoting as for commands)
 *   @conf LINE        a line of a config file (DIR/redis.conf) that is
 *                     passed as the server's first argument
 *   @client N         later commands go to connection N (1-4; default 1),
 *                     opened on first use
 *   @reconnect        close the current connection and open it again
 *   @capture V [F]    store the next command's reply as ${V}: the string
 *                     or integer itself, or with F the value of "F=..."
 *                     in it (CLIENT INFO / CLIENT LIST lines)
 *   @send CMD ...     send a command, read nothing
 *   @raw "bytes"      send raw bytes (escapes allowed), read one reply
 *   @read             read one more reply without sending (pushes, the
 *                     second reply of SUBSCRIBE a b, pipelined replies)
 *   @scan ARGS        SCAN 0 ARGS... until the cursor is 0; the reply is
 *                     *N with the distinct keys, sorted
 *   CMD ARG ...       a command (column 0), sent as a multibulk; words
 *                     split on blanks, "..." with \n \r \t \\ \" \xHH
 *                     escapes, '...' verbatim; ${V} is replaced first
 *                     (also ${DIR}, the server's dir, and ${PORT});
 *                     expected lines are substituted too
 *
 * Every command, @raw and @read is followed by the expected reply: the
 * indented lines after it, in the rendering of harness.h (one line per
 * element; indentation is for the reader and ignored; trailing blanks
 * of expected lines are dropped, so use a pattern to pin one). Special
 * expected lines:
 *
 *   ?PATTERN          an fnmatch(3) pattern (FNM_NOESCAPE: a backslash
 *                     is itself, use [*] [?] [[] for those characters)
 *                     for the rendered line, e.g. ?:* any integer,
 *                     ?"*" any bulk string, ?-ERR unknown command*[ ]
 *                     (the leading '?' is the marker, not the pattern)
 *   :A..B             an integer reply from A to B inclusive (TTLs)
 *   .any              one element of any type, with all its children
 *   .rest             the remaining elements of the enclosing aggregate
 *   .unordered        before an aggregate whose elements are single
 *                     lines: they are compared as a multiset
 *   .closed           the server closed the connection instead
 *
 * A mask (pattern, .any, .rest) should carry a comment saying what it
 * hides and why. The first mismatch ends the file, with the command,
 * the expected and the received lines shown as diagnostics.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "harness.h"

#define SCN_MAXCLIENTS	4
#define SCN_MAXVARS	32

enum scn_op {
	SCN_CMD,
	SCN_SEND,
	SCN_RAW,
	SCN_READ,
	SCN_SCAN,
	SCN_CLIENT,
	SCN_RECONNECT,
	SCN_CAPTURE,
};

struct scn_step {
	enum scn_op	 op;
	int		 lineno;
	char		*text;		/* the line as written */
	char		*args;		/* rest of the line after a directive */
	char		**expect;
	size_t		 nexpect;
};

struct scn_file {
	char		*path;
	char		*name;
	char		*args;		/* all @args lines joined */
	struct buf	 conf;
	struct scn_step	*steps;
	size_t		 nsteps;
};

struct scn_var {
	char	*name;
	char	*value;
};

struct scn_run {
	const struct scn_file	*f;
	struct h_server		 srv;
	char			*dir;
	struct h_conn		*conns[SCN_MAXCLIENTS + 1];
	int			 cur;
	struct scn_var		 vars[SCN_MAXVARS];
	size_t			 nvars;
	char			*capname;
	char			*capfield;
};

/* --- parsing ----------------------------------------------------------- */

/* Drops trailing blanks and the newline. */
static void
scn_rstrip(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Reads a script into steps; errors are reported and end the file. */
static bool
scn_load(struct scn_file *f, const char *path)
{
	FILE		*fp;
	char		*line = NULL, *p;
	size_t		 cap = 0;
	int		 lineno = 0;
	struct scn_step	*st;
	struct buf	 args = BUF_INIT;
	static const struct {
		const char	*word;
		enum scn_op	 op;
	} dirs[] = {
		{ "@client", SCN_CLIENT },
		{ "@reconnect", SCN_RECONNECT },
		{ "@capture", SCN_CAPTURE },
		{ "@send", SCN_SEND },
		{ "@raw", SCN_RAW },
		{ "@read", SCN_READ },
		{ "@scan", SCN_SCAN },
	};
	size_t		 i, wl;

	memset(f, 0, sizeof *f);
	f->path = xstrdup(path);
	p = strrchr(path, '/');
	f->name = xstrdup(p != NULL ? p + 1 : path);
	if ((fp = fopen(path, "r")) == NULL) {
		h_diag("%s: cannot open", path);
		return false;
	}
	buf_appends(&args, "");
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		scn_rstrip(line);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (line[0] == ' ' || line[0] == '\t') {
			p = line + strspn(line, " \t");
			if (*p == '\0')
				continue;
			if (f->nsteps == 0) {
				h_diag("%s:%d: expected reply before any "
				    "command", path, lineno);
				goto fail;
			}
			st = &f->steps[f->nsteps - 1];
			st->expect = xreallocarray(st->expect, st->nexpect + 1,
			    sizeof *st->expect);
			st->expect[st->nexpect++] = xstrdup(p);
			continue;
		}
		if (strncmp(line, "@args", 5) == 0 &&
		    (line[5] == ' ' || line[5] == '\0')) {
			buf_appendf(&args, " %s", line + 5);
			continue;
		}
		if (strncmp(line, "@conf", 5) == 0 &&
		    (line[5] == ' ' || line[5] == '\0')) {
			buf_appendf(&f->conf, "%s\n", line[5] != '\0' ?
			    line + 6 : "");
			continue;
		}
		f->steps = xreallocarray(f->steps, f->nsteps + 1,
		    sizeof *f->steps);
		st = &f->steps[f->nsteps++];
		memset(st, 0, sizeof *st);
		st->lineno = lineno;
		st->text = xstrdup(line);
		st->op = SCN_CMD;
		st->args = xstrdup(line);
		if (line[0] != '@')
			continue;
		for (i = 0; i < ARRAY_SIZE(dirs); i++) {
			wl = strlen(dirs[i].word);
			if (strncmp(line, dirs[i].word, wl) == 0 &&
			    (line[wl] == ' ' || line[wl] == '\0')) {
				st->op = dirs[i].op;
				free(st->args);
				st->args = xstrdup(line + wl +
				    strspn(line + wl, " "));
				break;
			}
		}
		if (i == ARRAY_SIZE(dirs)) {
			h_diag("%s:%d: unknown directive %s", path, lineno,
			    line);
			goto fail;
		}
	}
	free(line);
	fclose(fp);
	f->args = args.data;
	for (i = 0; i < f->nsteps; i++) {
		st = &f->steps[i];
		if ((st->op == SCN_CMD || st->op == SCN_RAW ||
		    st->op == SCN_READ || st->op == SCN_SCAN) &&
		    st->nexpect == 0) {
			h_diag("%s:%d: no expected reply", path, st->lineno);
			return false;
		}
		if (st->op != SCN_CMD && st->op != SCN_RAW &&
		    st->op != SCN_READ && st->op != SCN_SCAN &&
		    st->nexpect != 0) {
			h_diag("%s:%d: a reply after a directive that reads "
			    "none", path, st->lineno);
			return false;
		}
	}
	return true;
fail:
	free(line);
	fclose(fp);
	buf_free(&args);
	return false;
}

/* Frees what scn_load built. */
static void
scn_free(struct scn_file *f)
{
	size_t	i, j;

	for (i = 0; i < f->nsteps; i++) {
		for (j = 0; j < f->steps[i].nexpect; j++)
			free(f->steps[i].expect[j]);
		free(f->steps[i].expect);
		free(f->steps[i].text);
		free(f->steps[i].args);
	}
	free(f->steps);
	free(f->path);
	free(f->name);
	free(f->args);
	buf_free(&f->conf);
}

/* Hex digit value or -1. */
static int
scn_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Splits a line into binary-safe words as redis-cli does. Returns the
 * count, or -1 on unbalanced quotes.
 */
static int
scn_split(const char *s, struct buf **words)
{
	struct buf	*w = NULL;
	int		 n = 0, h1, h2;
	char		 q;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		w = xreallocarray(w, (size_t)n + 1, sizeof *w);
		buf_init(&w[n]);
		buf_reserve(&w[n], 1);
		while (*s != '\0' && *s != ' ' && *s != '\t') {
			if (*s != '"' && *s != '\'') {
				buf_appendc(&w[n], *s++);
				continue;
			}
			q = *s++;
			while (*s != q) {
				if (*s == '\0')
					goto bad;
				if (q == '"' && *s == '\\' && s[1] != '\0') {
					s++;
					switch (*s) {
					case 'n': buf_appendc(&w[n], '\n'); break;
					case 'r': buf_appendc(&w[n], '\r'); break;
					case 't': buf_appendc(&w[n], '\t'); break;
					case 'a': buf_appendc(&w[n], '\a'); break;
					case 'b': buf_appendc(&w[n], '\b'); break;
					case 'x':
						h1 = scn_hex(s[1]);
						h2 = h1 < 0 ? -1 : scn_hex(s[2]);
						if (h2 < 0)
							goto bad;
						buf_appendc(&w[n],
						    (char)(h1 * 16 + h2));
						s += 2;
						break;
					default:
						buf_appendc(&w[n], *s);
					}
					s++;
					continue;
				}
				buf_appendc(&w[n], *s++);
			}
			s++;
		}
		n++;
	}
	*words = w;
	return n;
bad:
	buf_free(&w[n]);
	while (n-- > 0)
		buf_free(&w[n]);
	free(w);
	*words = NULL;
	return -1;
}

/* Frees scn_split's result. */
static void
scn_words_free(struct buf *w, int n)
{
	while (n-- > 0)
		buf_free(&w[n]);
	free(w);
}

/* --- running ----------------------------------------------------------- */

/* ${NAME} replaced by a captured value (or DIR / PORT). */
static char *
scn_subst(struct scn_run *r, const char *s)
{
	struct buf	 b = BUF_INIT;
	const char	*e;
	char		*name, port[16];
	size_t		 i;

	buf_appends(&b, "");
	while (*s != '\0') {
		if (s[0] != '$' || s[1] != '{' || (e = strchr(s, '}')) == NULL) {
			buf_appendc(&b, *s++);
			continue;
		}
		name = xstrndup(s + 2, (size_t)(e - s - 2));
		if (strcmp(name, "DIR") == 0)
			buf_appends(&b, r->dir);
		else if (strcmp(name, "PORT") == 0) {
			snprintf(port, sizeof port, "%d", r->srv.port);
			buf_appends(&b, port);
		} else {
			for (i = 0; i < r->nvars; i++)
				if (strcmp(r->vars[i].name, name) == 0)
					break;
			if (i < r->nvars)
				buf_appends(&b, r->vars[i].value);
			else
				buf_append(&b, s, (size_t)(e - s + 1));
		}
		free(name);
		s = e + 1;
	}
	return b.data;
}

/* Sets or replaces a variable. */
static void
scn_setvar(struct scn_run *r, const char *name, const char *value)
{
	size_t	i;

	for (i = 0; i < r->nvars; i++) {
		if (strcmp(r->vars[i].name, name) == 0) {
			free(r->vars[i].value);
			r->vars[i].value = xstrdup(value);
			return;
		}
	}
	if (r->nvars == SCN_MAXVARS)
		return;
	r->vars[r->nvars].name = xstrdup(name);
	r->vars[r->nvars++].value = xstrdup(value);
}

/* The current connection, opened on first use. */
static struct h_conn *
scn_conn(struct scn_run *r)
{
	if (r->conns[r->cur] == NULL)
		r->conns[r->cur] = h_connect(r->srv.port);
	return r->conns[r->cur];
}

/* ":A..B": an integer reply within [A, B] (TTLs, counters). */
static bool
scn_range_match(const char *exp, const char *got)
{
	const char	*dots = strstr(exp, "..");
	long long	 lo, hi, v;

	if (got[0] != ':' ||
	    !util_parse_ll(exp + 1, (size_t)(dots - exp - 1), &lo) ||
	    !util_parse_ll(dots + 2, strlen(dots + 2), &hi) ||
	    !util_parse_ll(got + 1, strlen(got + 1), &v))
		return false;
	return v >= lo && v <= hi;
}

/* Does a rendered line match an expected one (literal or ?pattern)? */
static bool
scn_line_match(const char *exp, const char *got)
{
	if (exp[0] == ':' && strstr(exp, "..") != NULL)
		return scn_range_match(exp, got);
	if (exp[0] == '?')
		return fnmatch(exp + 1, got, FNM_NOESCAPE) == 0;
	return strcmp(exp, got) == 0;
}

/* qsort helper for strings. */
static int
scn_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Element lists compared as multisets (single-line elements only). */
static bool
scn_match_unordered(char **exp, size_t nexp, size_t *i,
    const struct h_node *n, struct buf *why)
{
	char	**e, **g;
	size_t	  k;
	bool	  ok = true;

	if (*i + n->nkids > nexp) {
		buf_appendf(why, "fewer expected elements than the %zu got",
		    n->nkids);
		return false;
	}
	e = xcalloc(n->nkids + 1, sizeof *e);
	g = xcalloc(n->nkids + 1, sizeof *g);
	for (k = 0; k < n->nkids; k++) {
		if (n->kids[k]->nkids != 0) {
			buf_appendf(why, ".unordered over nested elements");
			ok = false;
		}
		e[k] = exp[*i + k];
		g[k] = n->kids[k]->line;
	}
	qsort(e, n->nkids, sizeof *e, scn_strcmp);
	qsort(g, n->nkids, sizeof *g, scn_strcmp);
	for (k = 0; ok && k < n->nkids; k++) {
		if (strcmp(e[k], g[k]) != 0) {
			buf_appendf(why, "unordered: expected %s, got %s",
			    e[k], g[k]);
			ok = false;
		}
	}
	*i += n->nkids;
	free(e);
	free(g);
	return ok;
}

/* Matches one element and its children against exp[*i...]. */
static bool
scn_match(char **exp, size_t nexp, size_t *i, const struct h_node *n,
    struct buf *why)
{
	const char	*line;
	bool		 unordered = false;
	size_t		 k;

	if (*i >= nexp) {
		buf_appendf(why, "unexpected element %s", n->line);
		return false;
	}
	line = exp[*i];
	if (strcmp(line, ".any") == 0) {
		(*i)++;
		return true;
	}
	if (strcmp(line, ".unordered") == 0) {
		unordered = true;
		if (++(*i) >= nexp) {
			buf_appendf(why, ".unordered at the end");
			return false;
		}
		line = exp[*i];
	}
	if (!scn_line_match(line, n->line)) {
		buf_appendf(why, "expected %s, got %s", line, n->line);
		return false;
	}
	(*i)++;
	if (unordered)
		return scn_match_unordered(exp, nexp, i, n, why);
	for (k = 0; k < n->nkids; k++) {
		if (*i < nexp && strcmp(exp[*i], ".rest") == 0) {
			(*i)++;
			return true;
		}
		if (!scn_match(exp, nexp, i, n->kids[k], why))
			return false;
	}
	if (*i < nexp && strcmp(exp[*i], ".rest") == 0)
		(*i)++;
	return true;
}

/* Shows what went wrong in a form that can be pasted into the script. */
static void
scn_report(struct scn_run *r, const struct scn_step *st, const char *got,
    const char *why)
{
	size_t	i;

	h_diag("%s:%d: [client %d] %s", r->f->name, st->lineno, r->cur,
	    st->text);
	if (why != NULL && *why != '\0')
		h_diag("  %s", why);
	h_diag("  expected:");
	for (i = 0; i < st->nexpect; i++)
		h_diag("    %s", st->expect[i]);
	h_diag("  got:");
	h_diag_lines("    ", got);
}

/* Keeps a reply (or a field of it) for later ${NAME} use. */
static void
scn_capture(struct scn_run *r, const struct h_node *n)
{
	const char	*s = n->str != NULL ? n->str : n->line;
	const char	*p, *e;
	size_t		 fl;
	char		*v;

	if (r->capfield == NULL) {
		scn_setvar(r, r->capname, s);
		goto done;
	}
	fl = strlen(r->capfield);
	for (p = s; p != NULL && *p != '\0'; p = strpbrk(p, " \n")) {
		p += strspn(p, " \n");
		if (strncmp(p, r->capfield, fl) == 0 && p[fl] == '=') {
			p += fl + 1;
			e = p + strcspn(p, " \r\n");
			v = xstrndup(p, (size_t)(e - p));
			scn_setvar(r, r->capname, v);
			free(v);
			break;
		}
	}
done:
	free(r->capname);
	free(r->capfield);
	r->capname = r->capfield = NULL;
}

/* SCAN to the end; the union of keys as one sorted array reply. */
static int
scn_scan(struct scn_run *r, struct h_conn *c, struct buf *words, int nw,
    struct h_node **out)
{
	const char	**argv;
	char		 *cursor = xstrdup("0");
	struct h_node	 *n, *res, *k;
	char		**keys = NULL;
	size_t		  nkeys = 0, i, j;
	int		  rc, iter, w;

	UNUSED(r);
	argv = xcalloc((size_t)nw + 2, sizeof *argv);
	argv[0] = "SCAN";
	for (w = 0; w < nw; w++)
		argv[w + 2] = words[w].data;
	for (iter = 0; iter < 100000; iter++) {
		argv[1] = cursor;
		if (h_send_argv(c, nw + 2, argv, NULL) == -1) {
			rc = H_RD_CLOSED;
			goto out;
		}
		if ((rc = h_read(c, &n)) != H_RD_OK)
			goto out;
		if (n->nkids != 2 || n->kids[0]->str == NULL) {
			/* Not a SCAN reply (an error): that is the result. */
			*out = n;
			goto out;
		}
		for (i = 0; i < n->kids[1]->nkids; i++)
			keys = xreallocarray(keys, nkeys + 1, sizeof *keys),
			    keys[nkeys++] = xstrdup(n->kids[1]->kids[i]->line);
		free(cursor);
		cursor = xstrdup(n->kids[0]->str);
		h_node_free(n);
		if (strcmp(cursor, "0") == 0)
			break;
	}
	qsort(keys, nkeys, sizeof *keys, scn_strcmp);
	res = xcalloc(1, sizeof *res);
	res->kids = xcalloc(nkeys + 1, sizeof *res->kids);
	for (i = 0; i < nkeys; i = j) {
		for (j = i + 1; j < nkeys && strcmp(keys[i], keys[j]) == 0; j++)
			;
		k = xcalloc(1, sizeof *k);
		k->line = xstrdup(keys[i]);
		res->kids[res->nkids++] = k;
	}
	res->line = xasprintf("*%zu", res->nkids);
	*out = res;
	rc = H_RD_OK;
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(cursor);
	free(argv);
	return rc;
}

/* Sends what a step sends; false (with diagnostics) if it cannot. */
static bool
scn_send_step(struct scn_run *r, const struct scn_step *st,
    struct h_conn *c, struct h_node **scanres, int *scanrc)
{
	struct buf	*words;
	const char	**argv;
	size_t		*lens;
	char		*line;
	int		 n, i, rc = 0;

	line = scn_subst(r, st->args);
	n = scn_split(line, &words);
	free(line);
	if (n < 0 || (n == 0 && st->op != SCN_SCAN)) {
		h_diag("%s:%d: bad quoting or empty command", r->f->name,
		    st->lineno);
		return false;
	}
	if (st->op == SCN_SCAN) {
		*scanrc = scn_scan(r, c, words, n, scanres);
		scn_words_free(words, n);
		return true;
	}
	if (st->op == SCN_RAW) {
		for (i = 0; i < n && rc == 0; i++)
			rc = h_send_raw(c, words[i].data, words[i].len);
	} else {
		argv = xcalloc((size_t)n, sizeof *argv);
		lens = xcalloc((size_t)n, sizeof *lens);
		for (i = 0; i < n; i++) {
			argv[i] = words[i].data;
			lens[i] = words[i].len;
		}
		rc = h_send_argv(c, n, argv, lens);
		free(argv);
		free(lens);
	}
	scn_words_free(words, n);
	UNUSED(rc);	/* a closed peer shows when reading the reply */
	return true;
}

/* One step; false ends the file as failed. */
static bool
scn_step(struct scn_run *r, const struct scn_step *st)
{
	struct h_conn	*c;
	struct h_node	*n = NULL;
	struct buf	 got = BUF_INIT, why = BUF_INIT;
	char		**exp;
	size_t		 i;
	int		 rc = H_RD_OK;
	bool		 ok;

	switch (st->op) {
	case SCN_CLIENT:
		r->cur = atoi(st->args);
		if (r->cur < 1 || r->cur > SCN_MAXCLIENTS) {
			h_diag("%s:%d: bad client number", r->f->name,
			    st->lineno);
			return false;
		}
		return true;
	case SCN_RECONNECT:
		h_close(r->conns[r->cur]);
		r->conns[r->cur] = NULL;
		return true;
	case SCN_CAPTURE:
		free(r->capname);
		free(r->capfield);
		r->capname = xstrndup(st->args, strcspn(st->args, " "));
		r->capfield = NULL;
		if (strchr(st->args, ' ') != NULL)
			r->capfield = xstrdup(strchr(st->args, ' ') + 1);
		return true;
	default:
		break;
	}
	if ((c = scn_conn(r)) == NULL) {
		h_diag("%s:%d: cannot connect to port %d", r->f->name,
		    st->lineno, r->srv.port);
		return false;
	}
	if (st->op != SCN_READ &&
	    !scn_send_step(r, st, c, &n, &rc))
		return false;
	if (st->op == SCN_SEND)
		return true;
	if (st->op != SCN_SCAN)
		rc = h_read(c, &n);

	if (rc == H_RD_CLOSED) {
		buf_appends(&got, "(closed)");
		ok = st->nexpect == 1 && strcmp(st->expect[0], ".closed") == 0;
		if (ok) {
			h_close(r->conns[r->cur]);
			r->conns[r->cur] = NULL;
		}
	} else if (rc != H_RD_OK) {
		buf_appends(&got, rc == H_RD_TIMEOUT ? "(timeout: no reply)" :
		    "(not a RESP reply)");
		ok = false;
	} else {
		h_render(n, &got);
		exp = xcalloc(st->nexpect, sizeof *exp);
		for (i = 0; i < st->nexpect; i++)
			exp[i] = scn_subst(r, st->expect[i]);
		i = 0;
		ok = scn_match(exp, st->nexpect, &i, n, &why);
		if (ok && i != st->nexpect) {
			buf_appendf(&why, "expected more: %s", exp[i]);
			ok = false;
		}
		for (i = 0; i < st->nexpect; i++)
			free(exp[i]);
		free(exp);
		if (r->capname != NULL)
			scn_capture(r, n);
	}
	if (!ok)
		scn_report(r, st, got.data != NULL ? got.data : "", why.data);
	h_node_free(n);
	buf_free(&got);
	buf_free(&why);
	return ok;
}

/* One file against one server: fresh dir, fresh server, all steps. */
static bool
scn_body(const struct h_target *t, void *arg)
{
	const struct scn_file	*f = arg;
	struct scn_run		 r;
	struct h_srvcfg		 cfg;
	struct buf		*words = NULL;
	const char		**argv = NULL;
	char			*conf = NULL, *text, *line;
	int			 nw = 0, k, st;
	size_t			 i;
	bool			 ok = false;

	memset(&r, 0, sizeof r);
	r.f = f;
	r.cur = 1;
	r.dir = h_tmpdir("scn");
	memset(&cfg, 0, sizeof cfg);
	cfg.bin = t->bin;
	cfg.dir = r.dir;

	line = scn_subst(&r, f->args);
	nw = scn_split(line, &words);
	free(line);
	if (nw < 0) {
		h_diag("%s: bad quoting in @args", f->name);
		goto out;
	}
	argv = xcalloc((size_t)nw + 1, sizeof *argv);
	for (k = 0; k < nw; k++)
		argv[k] = words[k].data;
	cfg.args = argv;
	if (f->conf.len > 0) {
		conf = xasprintf("%s/redis.conf", r.dir);
		text = scn_subst(&r, f->conf.data);
		if (h_write_file(conf, text) == -1) {
			free(text);
			h_diag("%s: cannot write", conf);
			goto out;
		}
		free(text);
		cfg.conf = conf;
	}
	if (h_server_start(&r.srv, &cfg) == -1)
		goto out;

	ok = true;
	for (i = 0; ok && i < f->nsteps; i++)
		ok = scn_step(&r, &f->steps[i]);

	/* A crash late in the file must not pass unnoticed. */
	if (h_exited(r.srv.pid, &st, 0)) {
		r.srv.pid = 0;
		h_diag("%s: server exited during the run (status %d)",
		    f->name, st);
		ok = false;
	}
	if (!ok)
		h_server_diag_log(&r.srv);
out:
	for (k = 0; k <= SCN_MAXCLIENTS; k++)
		h_close(r.conns[k]);
	h_server_free(&r.srv);
	for (i = 0; i < r.nvars; i++) {
		free(r.vars[i].name);
		free(r.vars[i].value);
	}
	free(r.capname);
	free(r.capfield);
	if (nw > 0)
		scn_words_free(words, nw);
	else
		free(words);
	free(argv);
	free(conf);
	h_tmpdir_remove(r.dir);
	free(r.dir);
	return ok;
}

/* Directory of scripts: $TEST_SRCDIR/integration/scenarios.d first. */
static char *
scn_dir(const char *argv0)
{
	const char	*src = getenv("TEST_SRCDIR");
	const char	*slash;
	char		*d;

	if (src != NULL && *src != '\0') {
		d = xasprintf("%s/integration/scenarios.d", src);
		if (access(d, R_OK) == 0)
			return d;
		free(d);
	}
	if ((slash = strrchr(argv0, '/')) != NULL) {
		d = xasprintf("%.*s/scenarios.d", (int)(slash - argv0), argv0);
		if (access(d, R_OK) == 0)
			return d;
		free(d);
	}
	return xstrdup("tests/integration/scenarios.d");
}

/* Sorted *.scn names, so TAP numbers are stable. */
static char **
scn_list(const char *dir, size_t *count)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 n = 0, len;

	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".scn") != 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof *v, scn_strcmp);
	*count = n;
	return v;
}

/* Runs the named scripts, or every script of scenarios.d. */
int
main(int argc, char **argv)
{
	char		**files, *dir = NULL;
	size_t		  nfiles = 0, i;
	struct scn_file	  f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1) {
		files = xcalloc((size_t)argc, sizeof *files);
		for (i = 1; i < (size_t)argc; i++)
			files[nfiles++] = xstrdup(argv[i]);
	} else {
		dir = scn_dir(argv[0]);
		files = scn_list(dir, &nfiles);
		if (files == NULL || nfiles == 0) {
			printf("1..0 # SKIP no scenarios in %s\n", dir);
			free(dir);
			return 0;
		}
	}
	h_plan((int)nfiles * h_nkinds());
	for (i = 0; i < nfiles; i++) {
		if (!scn_load(&f, files[i])) {
			/* A broken script fails on every server. */
			h_run(f.name, NULL, NULL);
		} else
			h_run(f.name, scn_body, &f);
		scn_free(&f);
		free(files[i]);
	}
	free(files);
	free(dir);
	return h_done();
}
