/*
 * conf.c - Redis-style configuration lines and files.
 *
 * The splitter follows the rules of redis.conf and of inline requests: bare
 * words end at a blank, a quote inside a bare word opens a quoted part of
 * the same word, "double quotes" know \n \r \t \b \a \xHH and \c for any
 * other c, 'single quotes' only know \'. Unlike a C-string splitter it works
 * on (pointer, length), so a NUL byte is an ordinary byte everywhere.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "util.h"

/* Lines up to this size are decoded on the stack, without a scratch malloc. */
#define CONF_STACK_SCRATCH	512

/* The blanks that separate words: the same set as isspace() in the C locale. */
static inline bool
conf_isblank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* Value of a hex digit, or -1: \xHH needs both digits to be valid. */
static inline int
conf_hexval(unsigned char c)
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
 * Decode one word starting at *pp (a non-blank byte) into dst, which has
 * room for end - *pp bytes (a word never decodes longer than its source).
 * Returns the decoded length and leaves *pp after the word, or returns
 * (size_t)-1 with *why set when the quotes are wrong.
 */
static size_t
conf_split_word(const unsigned char **pp, const unsigned char *end,
    unsigned char *dst, const char **why)
{
	const unsigned char	*p = *pp;
	size_t			 n = 0;
	int			 hi, lo;

	while (p < end) {
		if (conf_isblank(*p))
			break;
		if (*p == '"') {
			p++;
			for (;;) {
				if (p == end) {
					*why = "unbalanced quotes";
					return (size_t)-1;
				}
				if (*p == '"')
					break;
				if (*p != '\\' || p + 1 == end) {
					dst[n++] = *p++;
					continue;
				}
				if (p[1] == 'x' && p + 3 < end &&
				    (hi = conf_hexval(p[2])) != -1 &&
				    (lo = conf_hexval(p[3])) != -1) {
					dst[n++] = (unsigned char)(hi * 16 + lo);
					p += 4;
					continue;
				}
				switch (p[1]) {
				case 'n':
					dst[n++] = '\n';
					break;
				case 'r':
					dst[n++] = '\r';
					break;
				case 't':
					dst[n++] = '\t';
					break;
				case 'b':
					dst[n++] = '\b';
					break;
				case 'a':
					dst[n++] = '\a';
					break;
				default:
					dst[n++] = p[1];
					break;
				}
				p += 2;
			}
		} else if (*p == '\'') {
			p++;
			for (;;) {
				if (p == end) {
					*why = "unbalanced quotes";
					return (size_t)-1;
				}
				if (*p == '\'')
					break;
				if (*p == '\\' && p + 1 < end && p[1] == '\'') {
					dst[n++] = '\'';
					p += 2;
				} else
					dst[n++] = *p++;
			}
		} else {
			dst[n++] = *p++;
			continue;
		}
		/* p is on a closing quote: the word must end there. */
		p++;
		if (p < end && !conf_isblank(*p)) {
			*why = "closing quote must be followed by a blank";
			return (size_t)-1;
		}
		break;
	}
	*pp = p;
	return n;
}

/* The splitter proper; *why says what is wrong when it returns -1. */
static int
conf_split_why(const char *line, size_t len, int *argc, char ***argv,
    size_t **argvlen, const char **why)
{
	unsigned char		 stackbuf[CONF_STACK_SCRATCH];
	unsigned char		*scratch;
	const unsigned char	*p = (const unsigned char *)line, *end = p + len;
	char			**v = NULL;
	size_t			*vl = NULL, n, cap = 0;
	int			 c = 0, i;

	*argc = 0;
	*argv = NULL;
	if (argvlen != NULL)
		*argvlen = NULL;

	scratch = len < sizeof stackbuf ? stackbuf : xmalloc(len + 1);
	for (;;) {
		while (p < end && conf_isblank(*p))
			p++;
		if (p == end)
			break;
		n = conf_split_word(&p, end, scratch, why);
		if (n == (size_t)-1)
			goto fail;
		if (c == INT_MAX - 1) {
			*why = "too many words";
			goto fail;
		}
		if ((size_t)c + 1 >= cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
			vl = xreallocarray(vl, cap, sizeof *vl);
		}
		v[c] = xmemdup(scratch, n);
		vl[c] = n;
		c++;
	}
	if (scratch != stackbuf)
		free(scratch);

	if (v == NULL) {
		v = xmalloc(sizeof *v);
		vl = xmalloc(sizeof *vl);
	}
	v[c] = NULL;
	*argc = c;
	*argv = v;
	if (argvlen != NULL)
		*argvlen = vl;
	else
		free(vl);
	return 0;

fail:
	if (scratch != stackbuf)
		free(scratch);
	for (i = 0; i < c; i++)
		free(v[i]);
	free(v);
	free(vl);
	return -1;
}

/*
 * Both daemons read redis.conf lines and inline requests with this, so it
 * makes one pass over the line with a single scratch buffer. argv is also
 * NULL-terminated (argv[argc] == NULL) for callers that like that.
 */
int
conf_split(const char *line, size_t len, int *argc, char ***argv,
    size_t **argvlen)
{
	const char	*why;

	return conf_split_why(line, len, argc, argv, argvlen, &why);
}

/* Frees what conf_split() returned; argvlen may be NULL. */
void
conf_free_args(int argc, char **argv, size_t *argvlen)
{
	int	i;

	if (argv != NULL) {
		for (i = 0; i < argc; i++)
			free(argv[i]);
	}
	free(argv);
	free(argvlen);
}

/* Only a leading '#' makes a comment, so "auth-pass p#w" keeps its '#'. */
bool
conf_is_comment(const char *line, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (!conf_isblank((unsigned char)line[i]))
			return line[i] == '#';
	}
	return true;
}

/* Can this byte stand in a bare word? Blanks, quotes and '\' cannot. */
static inline bool
conf_isbare(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\';
}

/*
 * Rewritten files must read back to the same values, whatever bytes a
 * password or a name holds; plain words stay plain for people reading it.
 */
void
conf_quote(struct buf *out, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;
	char			*w;

	for (i = 0; i < len; i++) {
		if (!conf_isbare(p[i]))
			break;
	}
	if (len > 0 && i == len && p[0] != '#') {
		buf_append(out, s, len);
		return;
	}

	buf_appendc(out, '"');
	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '\\':
			buf_append(out, "\\\\", 2);
			break;
		case '"':
			buf_append(out, "\\\"", 2);
			break;
		case '\n':
			buf_append(out, "\\n", 2);
			break;
		case '\r':
			buf_append(out, "\\r", 2);
			break;
		case '\t':
			buf_append(out, "\\t", 2);
			break;
		case '\a':
			buf_append(out, "\\a", 2);
			break;
		case '\b':
			buf_append(out, "\\b", 2);
			break;
		default:
			if (p[i] >= ' ' && p[i] < 0x7f) {
				buf_appendc(out, (char)p[i]);
				break;
			}
			w = buf_reserve(out, 4);
			w[0] = '\\';
			w[1] = 'x';
			w[2] = hex[p[i] >> 4];
			w[3] = hex[p[i] & 0xf];
			out->len += 4;
			out->data[out->len] = '\0';
			break;
		}
	}
	buf_appendc(out, '"');
}

/* A new empty model: read or parse fills it. */
struct conf_file *
conf_file_new(const char *path)
{
	struct conf_file	*cf;

	cf = xcalloc(1, sizeof *cf);
	cf->path = xstrdup(path);
	return cf;
}

/* Frees one line's text and words. */
static void
conf_line_clear(struct conf_line *l)
{
	free(l->text);
	conf_free_args(l->argc, l->argv, l->argvlen);
	memset(l, 0, sizeof *l);
}

/* Drops every line but keeps the path, so read can start again. */
static void
conf_file_clear(struct conf_file *cf)
{
	size_t	i;

	for (i = 0; i < cf->nlines; i++)
		conf_line_clear(&cf->lines[i]);
	cf->nlines = 0;
}

/* Frees the model and everything in it. */
void
conf_file_free(struct conf_file *cf)
{
	if (cf == NULL)
		return;
	conf_file_clear(cf);
	free(cf->lines);
	free(cf->path);
	free(cf);
}

/* Room for n more lines in the model. */
static void
conf_file_grow(struct conf_file *cf, size_t n)
{
	size_t	ncap;

	if (cf->nlines + n <= cf->cap)
		return;
	ncap = cf->cap == 0 ? 32 : cf->cap;
	while (ncap < cf->nlines + n)
		ncap *= 2;
	cf->lines = xreallocarray(cf->lines, ncap, sizeof *cf->lines);
	cf->cap = ncap;
}

/*
 * Fills l from the raw text (len bytes, no newline): comments and blank
 * lines get no words. Returns -1 with *why set when the line is bad.
 */
static int
conf_line_init(struct conf_line *l, const char *text, size_t len, int lineno,
    const char **why)
{
	memset(l, 0, sizeof *l);
	if (memchr(text, '\0', len) != NULL) {
		*why = "NUL byte in configuration line";
		return -1;
	}
	if (!conf_is_comment(text, len) &&
	    conf_split_why(text, len, &l->argc, &l->argv, &l->argvlen,
	    why) != 0) {
		*why = strcmp(*why, "unbalanced quotes") == 0 ?
		    "unbalanced quotes in configuration line" : *why;
		return -1;
	}
	l->text = xmemdup(text, len);
	l->lineno = lineno;
	return 0;
}

/*
 * Appends the lines of text to the model, numbered from 1 in name. Nothing
 * is added when a line is bad: the error names it as "name:line: why".
 */
int
conf_file_parse(struct conf_file *cf, const char *text, size_t len,
    const char *name, char **err)
{
	const char	*p = text, *end = text + len, *nl, *why = NULL;
	size_t		 first = cf->nlines, n;
	int		 lineno = 0;

	if (err != NULL)
		*err = NULL;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		lineno++;
		conf_file_grow(cf, 1);
		if (conf_line_init(&cf->lines[cf->nlines], p, n, lineno,
		    &why) != 0) {
			if (err != NULL)
				*err = xasprintf("%s:%d: %s", name, lineno, why);
			while (cf->nlines > first)
				conf_line_clear(&cf->lines[--cf->nlines]);
			return -1;
		}
		cf->nlines++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Replaces the model by the file at cf->path. */
int
conf_file_read(struct conf_file *cf, bool missing_ok, char **err)
{
	struct buf	 b = BUF_INIT;
	char		*w;
	ssize_t		 r;
	int		 fd, saved, rv;

	if (err != NULL)
		*err = NULL;
	conf_file_clear(cf);
	if ((fd = open(cf->path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT && missing_ok)
			return 0;
		goto fail;
	}
	for (;;) {
		w = buf_reserve(&b, 65536);
		r = read(fd, w, 65536);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			saved = errno;
			close(fd);
			buf_free(&b);
			errno = saved;
			goto fail;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
		b.data[b.len] = '\0';
	}
	close(fd);
	rv = conf_file_parse(cf, b.data, b.len, cf->path, err);
	buf_free(&b);
	return rv;

fail:
	if (err != NULL)
		*err = xasprintf("%s: %s", cf->path, strerror(errno));
	return -1;
}

/* Key words match the first words of the line, ignoring case. */
bool
conf_line_matches(const struct conf_line *l, const char *key)
{
	const char	*p = key, *e;
	size_t		 n;
	int		 i = 0;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return i > 0;
		e = strchr(p, ' ');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (i >= l->argc || l->argvlen[i] != n ||
		    strncasecmp(l->argv[i], p, n) != 0)
			return false;
		i++;
		p += n;
	}
}

/* Does l set any of the NULL-terminated keys? */
static bool
conf_line_matches_any(const struct conf_line *l, const char *const *keys)
{
	for (; *keys != NULL; keys++) {
		if (conf_line_matches(l, *keys))
			return true;
	}
	return false;
}

/* An added line: split it so that later sets can find it again. */
static void
conf_line_new(struct conf_line *l, const char *text)
{
	memset(l, 0, sizeof *l);
	l->text = xstrdup(text);
	if (!conf_is_comment(text, strlen(text)) &&
	    conf_split(text, strlen(text), &l->argc, &l->argv,
	    &l->argvlen) != 0) {
		l->argc = 0;
		l->argv = NULL;
		l->argvlen = NULL;
	}
}

/*
 * A rewrite keeps the setting where the user put it: the new lines take
 * the place of the first old one, the other old ones go away.
 */
void
conf_file_set(struct conf_file *cf, const char *const *keys,
    const char *const *lines, size_t n)
{
	struct conf_line	*old = cf->lines;
	size_t			 nold = cf->nlines, i, j;
	bool			 placed = false;

	cf->lines = NULL;
	cf->nlines = cf->cap = 0;
	conf_file_grow(cf, nold + n);
	for (i = 0; i < nold; i++) {
		if (old[i].argc == 0 || !conf_line_matches_any(&old[i], keys)) {
			cf->lines[cf->nlines++] = old[i];
			continue;
		}
		conf_line_clear(&old[i]);
		if (placed)
			continue;
		for (j = 0; j < n; j++)
			conf_line_new(&cf->lines[cf->nlines++], lines[j]);
		placed = true;
	}
	if (!placed) {
		for (j = 0; j < n; j++)
			conf_line_new(&cf->lines[cf->nlines++], lines[j]);
	}
	free(old);
}

/* The file's new contents, each line ended by '\n'. */
void
conf_file_render(const struct conf_file *cf, struct buf *out)
{
	size_t	i;

	for (i = 0; i < cf->nlines; i++) {
		buf_appends(out, cf->lines[i].text);
		buf_appendc(out, '\n');
	}
}

/* Writes all of (p, n) to fd, going on after short writes and EINTR. */
static int
conf_write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Makes the rename itself durable; some file systems cannot fsync a directory. */
static int
conf_fsync_dir(const char *dir)
{
	int	fd, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fsync(fd) == -1 && errno != EINVAL && errno != EROFS) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * A bind-mounted single file cannot be renamed over: write it in place.
 * Not atomic, but the only way to update such a file at all.
 */
static int
conf_write_in_place(const char *target, const struct buf *b, char **err)
{
	int	fd, saved;

	if ((fd = open(target, O_WRONLY | O_TRUNC | O_CLOEXEC)) == -1) {
		*err = xasprintf("%s: %s", target, strerror(errno));
		return -1;
	}
	if (conf_write_all(fd, b->data, b->len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		*err = xasprintf("%s: %s", target, strerror(saved));
		return -1;
	}
	if (close(fd) == -1) {
		*err = xasprintf("%s: %s", target, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * CONFIG REWRITE and sentinel state updates must never leave a torn file:
 * the new text is written and synced beside the old file, then renamed
 * over it. A symbolic link is followed, so the file it names is replaced.
 */
int
conf_file_write(struct conf_file *cf, bool *fallback, char **err)
{
	struct buf	 b = BUF_INIT;
	int		 rc;

	conf_file_render(cf, &b);
	rc = conf_write_text(cf->path, b.data ? b.data : "", b.len, fallback, err);
	buf_free(&b);
	return rc;
}

int
conf_write_text(const char *path, const char *data, size_t len, bool *fallback, char **err)
{
	struct buf	 b = BUF_INIT;
	struct stat	 st;
	char		*target = NULL, *dir = NULL, *tmp = NULL, *slash;
	char		*e = NULL;
	const char	*base;
	mode_t		 mode = 0644;
	int		 fd = -1, saved;

	if (fallback != NULL)
		*fallback = false;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (target = realpath(path, NULL)) == NULL) {
		e = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (target == NULL)
		target = xstrdup(path);
	if (stat(target, &st) == 0)
		mode = st.st_mode & 07777;
	else if (errno != ENOENT) {
		e = xasprintf("%s: %s", target, strerror(errno));
		goto fail;
	}

	if ((slash = strrchr(target, '/')) == NULL) {
		dir = xstrdup(".");
		base = target;
	} else {
		dir = slash == target ? xstrdup("/") :
		    xstrndup(target, (size_t)(slash - target));
		base = slash + 1;
	}
	tmp = xasprintf("%s/.%s.tmp-XXXXXX", dir, base);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		e = xasprintf("%s: cannot create a temporary file: %s", target,
		    strerror(errno));
		free(tmp);
		tmp = NULL;
		goto fail;
	}

	buf_append(&b, data, len);
	if (conf_write_all(fd, b.data, b.len) == -1 || fsync(fd) == -1 ||
	    fchmod(fd, mode) == -1) {
		e = xasprintf("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	saved = close(fd);
	fd = -1;
	if (saved == -1) {
		e = xasprintf("%s: %s", tmp, strerror(errno));
		goto fail;
	}

	if (rename(tmp, target) == -1) {
		if (errno != EBUSY) {
			e = xasprintf("cannot rename %s to %s: %s", tmp,
			    target, strerror(errno));
			goto fail;
		}
		if (conf_write_in_place(target, &b, &e) != 0)
			goto fail;
		unlink(tmp);
		if (fallback != NULL)
			*fallback = true;
	} else if (conf_fsync_dir(dir) == -1) {
		/* The new file is in place, only its durability is in doubt. */
		e = xasprintf("%s: fsync: %s", dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto fail;
	}

	free(tmp);
	free(dir);
	free(target);
	buf_free(&b);
	if (err != NULL)
		*err = NULL;
	return 0;

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	free(target);
	buf_free(&b);
	if (err != NULL)
		*err = e;
	else
		free(e);
	errno = saved;
	return -1;
}
