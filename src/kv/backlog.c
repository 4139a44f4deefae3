/*
 * backlog.c - the replication backlog ring.
 *
 * The ring keeps histlen bytes ending just before idx (wrapping), so the
 * byte at offset end sits at idx - 1 and the one at offset first at
 * idx - histlen, both modulo size. A size of 0 is allowed: nothing is kept
 * and only the offset advances.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "backlog.h"
#include "util.h"

/*
 * Locate the newest n bytes (n <= histlen) in the ring: at most two spans,
 * the second one starting at the ring's beginning when they wrap.
 */
static void
backlog_span(const struct backlog *b, size_t n, const char **p1, size_t *n1,
    size_t *n2)
{
	size_t	 pos;

	*p1 = b->ring;
	*n1 = *n2 = 0;
	if (n == 0)
		return;
	pos = (b->idx + b->size - n) % b->size;
	*p1 = b->ring + pos;
	*n1 = b->size - pos;
	if (*n1 > n)
		*n1 = n;
	*n2 = n - *n1;
}

/* Set up an empty ring so the stream can continue from offset end. */
void
backlog_init(struct backlog *b, size_t size, long long end)
{
	b->ring = xmalloc(size);
	b->size = size;
	b->idx = 0;
	b->histlen = 0;
	b->end = end;
}

/* Release the ring; the structure may be initialized again afterwards. */
void
backlog_free(struct backlog *b)
{
	free(b->ring);
	b->ring = NULL;
	b->size = 0;
	b->idx = 0;
	b->histlen = 0;
}

/*
 * Record stream bytes. The offset always advances by n, even when only the
 * last size bytes can be kept.
 */
void
backlog_append(struct backlog *b, const void *p, size_t n)
{
	const char	*s = p;
	size_t		 chunk;

	if (n == 0)
		return;
	b->end += (long long)n;
	if (b->size == 0)
		return;
	if (n >= b->size) {
		memcpy(b->ring, s + (n - b->size), b->size);
		b->idx = 0;
		b->histlen = b->size;
		return;
	}
	chunk = b->size - b->idx;
	if (chunk > n)
		chunk = n;
	memcpy(b->ring + b->idx, s, chunk);
	if (n > chunk)
		memcpy(b->ring, s + chunk, n - chunk);
	b->idx = (b->idx + n) % b->size;
	b->histlen += n;
	if (b->histlen > b->size)
		b->histlen = b->size;
}

/*
 * Change the capacity (repl-backlog-size at runtime) without losing more
 * history than the new size forces us to.
 */
void
backlog_resize(struct backlog *b, size_t size)
{
	const char	*p1;
	char		*ring;
	size_t		 keep, n1, n2;

	if (size == b->size)
		return;
	keep = b->histlen < size ? b->histlen : size;
	ring = xmalloc(size);
	backlog_span(b, keep, &p1, &n1, &n2);
	if (n1 > 0)
		memcpy(ring, p1, n1);
	if (n2 > 0)
		memcpy(ring + n1, b->ring, n2);
	free(b->ring);
	b->ring = ring;
	b->size = size;
	b->histlen = keep;
	b->idx = size == 0 ? 0 : keep % size;
}

/* Drop the history, as after a full resynchronization to offset end. */
void
backlog_reset(struct backlog *b, long long end)
{
	b->idx = 0;
	b->histlen = 0;
	b->end = end;
}

/* The oldest offset a replica could continue from. */
long long
backlog_first(const struct backlog *b)
{
	return b->end - (long long)b->histlen + 1;
}

/* Decide whether PSYNC at offset from can be answered with +CONTINUE. */
bool
backlog_has(const struct backlog *b, long long from)
{
	return from >= backlog_first(b) && from <= b->end + 1;
}

/* Feed a continuing replica everything it is missing. */
size_t
backlog_copy_from(const struct backlog *b, long long from, struct buf *out)
{
	const char	*p1;
	size_t		 n, n1, n2;

	if (!backlog_has(b, from))
		return 0;
	n = (size_t)(b->end - from + 1);
	backlog_span(b, n, &p1, &n1, &n2);
	if (n1 > 0)
		buf_append(out, p1, n1);
	if (n2 > 0)
		buf_append(out, b->ring, n2);
	return n;
}
