/*
 * hmap.h - a chained hash table keyed by byte strings, stored inside the
 * entry. Used for the keyspace, hashes, sets and pub/sub channels.
 * Power-of-two sizes let SCAN use a reverse-binary cursor that stays valid
 * when the table grows or shrinks between calls.
 */
#ifndef SENTINEL_HMAP_H
#define SENTINEL_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap_entry {
	struct hmap_entry	*next;
	void			*val;
	int64_t			 aux;	/* the keyspace keeps the expiry here */
	uint32_t		 klen;
	char			 key[];	/* NUL-terminated */
};

struct hmap {
	struct hmap_entry	**tab;
	uint64_t		  mask;	/* size - 1; size 0 when tab is NULL */
	size_t			  count;
};

void	hmap_init(struct hmap *h);
/* Free every entry, calling freeval on each value when not NULL. */
void	hmap_clear(struct hmap *h, void (*freeval)(void *));
struct hmap_entry *hmap_find(const struct hmap *h, const char *key, size_t klen);
/* Find or add: *created tells which. A new entry has val NULL and aux -1. */
struct hmap_entry *hmap_insert(struct hmap *h, const char *key, size_t klen, bool *created);
/* Unlink and return the entry (free it with hmap_entry_free), or NULL. */
struct hmap_entry *hmap_unlink(struct hmap *h, const char *key, size_t klen);
void	hmap_entry_free(struct hmap_entry *e);
/* Halve the table while it is mostly empty; call from a timer, never while iterating. */
void	hmap_shrink(struct hmap *h);
/* A random entry, or NULL when empty (fair enough for sampling). */
struct hmap_entry *hmap_random(const struct hmap *h);
/* Visit the bucket at cursor and return the next cursor (0 when done). */
uint64_t hmap_scan(const struct hmap *h, uint64_t cursor,
	    void (*fn)(void *arg, struct hmap_entry *e), void *arg);
size_t	hmap_memory(const struct hmap *h);

/* Iteration that survives removal of the current entry. */
struct hmap_iter {
	const struct hmap	*h;
	uint64_t		 idx;
	struct hmap_entry	*next;
};
void	hmap_iter_init(struct hmap_iter *it, const struct hmap *h);
struct hmap_entry *hmap_iter_next(struct hmap_iter *it);

#endif
