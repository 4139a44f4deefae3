/*
 * backlog.h - the replication backlog: a ring of the last N bytes of the
 * replication stream, addressed by replication offset, from which a
 * reconnecting replica continues (PSYNC ... +CONTINUE).
 *
 * Offsets are Redis's: the stream's first byte has offset 1, "end" is the
 * offset of the last byte written (master_repl_offset). The ring holds the
 * bytes first..end where first = end - histlen + 1.
 */
#ifndef SENTINEL_KV_BACKLOG_H
#define SENTINEL_KV_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct backlog {
	char		*ring;
	size_t		 size;		/* capacity in bytes */
	size_t		 idx;		/* where the next byte goes */
	size_t		 histlen;	/* bytes held, <= size */
	long long	 end;		/* offset of the last byte written */
};

/* An empty backlog of size bytes whose stream so far ends at offset end. */
void	backlog_init(struct backlog *b, size_t size, long long end);
void	backlog_free(struct backlog *b);
/* Append stream bytes; the oldest fall out when the ring is full. */
void	backlog_append(struct backlog *b, const void *p, size_t n);
/* Change the capacity, keeping the newest bytes that still fit. */
void	backlog_resize(struct backlog *b, size_t size);
/* Forget the history; the stream now ends at offset end (after a full sync). */
void	backlog_reset(struct backlog *b, long long end);
/* Offset of the oldest byte held (end + 1 when empty). */
long long backlog_first(const struct backlog *b);
/* Can a replica that has everything up to from - 1 continue from here? (first <= from <= end + 1) */
bool	backlog_has(const struct backlog *b, long long from);
/* Append the bytes from offset from to the end to out; returns how many (0 when !backlog_has). */
size_t	backlog_copy_from(const struct backlog *b, long long from, struct buf *out);

#endif
