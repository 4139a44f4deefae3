/*
 * conf.h - Redis-style configuration lines and files.
 *
 * conf_split() reads one line the way redis.conf and inline requests are
 * read: bare words, "double quoted" with \n \r \t \b \a \\ \" \xHH escapes,
 * 'single quoted' with \' only. A closing quote must be followed by a blank
 * or the end of the line. As in Redis, an invalid \x drops only the backslash
 * ("\xZZ" is xZZ), any other \c is c, and a quote inside a bare word opens a
 * quoted part of that word (a"b c" is one word). Blanks are space, \t, \r,
 * \n, \v and \f; a NUL byte is an ordinary byte.
 *
 * struct conf_file is the file as lines: settings are rewritten where they
 * stand, comments and order are kept, new settings are appended, and the
 * file is replaced atomically (temp file, fsync, rename, fsync of the dir).
 */
#ifndef SENTINEL_CONF_H
#define SENTINEL_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Split (line, len) into *argc words in *argv (each NUL-terminated and
 * malloc'd, with lengths in *argvlen when that is not NULL). Returns 0, or -1
 * on unbalanced quotes (nothing is allocated then). A blank line gives argc 0.
 * argv is also NULL-terminated (argv[argc] == NULL), even when argc is 0.
 * Comments are not handled here: see conf_is_comment().
 */
int	conf_split(const char *line, size_t len, int *argc, char ***argv, size_t **argvlen);
void	conf_free_args(int argc, char **argv, size_t *argvlen);
/* True when the first non-blank character of the line is '#', or the line is blank. */
bool	conf_is_comment(const char *line, size_t len);
/* Append s as one word that conf_split reads back to the same bytes (quoted only when needed). */
void	conf_quote(struct buf *out, const char *s, size_t len);

struct conf_line {
	char	*text;		/* the line as in the file, without the newline */
	int	 lineno;	/* 1-based line number when read; 0 for added lines */
	int	 argc;		/* 0 for comments and blank lines */
	char	**argv;
	size_t	*argvlen;
};

struct conf_file {
	char		*path;		/* absolute */
	struct conf_line *lines;
	size_t		 nlines;
	size_t		 cap;
};

/* A new empty model for path (which is kept as given). */
struct conf_file *conf_file_new(const char *path);
void	conf_file_free(struct conf_file *cf);
/*
 * Read path into the model, replacing what it held. A missing file is an
 * empty model when missing_ok. A trailing \r is dropped from each line; a
 * line holding a NUL byte is an error. On error returns -1 and sets *err to
 * "path:line: what is wrong" (or "path: strerror" when it cannot be read);
 * free *err.
 */
int	conf_file_read(struct conf_file *cf, bool missing_ok, char **err);
/*
 * Parse text as if it were the file (for tests and for --directive lines):
 * its lines are appended, numbered from 1, errors name them "name:line:".
 * All or nothing: on error no line is added.
 */
int	conf_file_parse(struct conf_file *cf, const char *text, size_t len, const char *name, char **err);

/*
 * Does line l set key? key is one or more words ("port", "sentinel monitor"),
 * compared without regard to case with the first words of the line.
 */
bool	conf_line_matches(const struct conf_line *l, const char *key);

/*
 * Replace the lines that set any of keys (a NULL-terminated list of aliases,
 * e.g. {"replicaof", "slaveof", NULL}) by the n given lines (raw text, already
 * quoted with conf_quote): the first new line goes where the first old one
 * stood, extra old lines are removed, extra new lines follow the last one
 * kept, and when no old line exists the new lines are appended at the end.
 * n == 0 removes the setting.
 */
void	conf_file_set(struct conf_file *cf, const char *const *keys, const char *const *lines, size_t n);
/* The whole model as text, one line each with '\n'. */
void	conf_file_render(const struct conf_file *cf, struct buf *out);
/*
 * Write the model to cf->path atomically: a temp file in the same directory,
 * fsync, rename over the old file, fsync of the directory; the old file's mode
 * is kept. If rename fails with EBUSY (a single-file bind mount), the file is
 * rewritten in place instead and *fallback is set true (fallback may be
 * NULL). A symbolic link is followed: the file it names is replaced. A new
 * file gets mode 0644. Returns 0, or -1 with *err set (free it); the temp
 * file is removed on failure.
 */
int	conf_file_write(struct conf_file *cf, bool *fallback, char **err);
/* The same for any text: path's content becomes data[0..len). */
int	conf_write_text(const char *path, const char *data, size_t len, bool *fallback,
	    char **err);

#endif
