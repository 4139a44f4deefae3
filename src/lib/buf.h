/*
 * buf.h - a growable byte buffer: query buffers, reply buffers, file images.
 */
#ifndef SENTINEL_BUF_H
#define SENTINEL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* always NUL-terminated when cap > 0 */
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT { NULL, 0, 0 }

void	buf_init(struct buf *b);
void	buf_free(struct buf *b);
void	buf_clear(struct buf *b);
/* Make room for at least extra more bytes; returns the write position. */
char	*buf_reserve(struct buf *b, size_t extra);
void	buf_append(struct buf *b, const void *p, size_t n);
void	buf_appendc(struct buf *b, char c);
void	buf_appends(struct buf *b, const char *s);
void	buf_appendf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_vappendf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* Drop n bytes from the front. */
void	buf_consume(struct buf *b, size_t n);
/* Give the memory back when a large buffer became empty. */
void	buf_shrink(struct buf *b, size_t keep);

#endif
