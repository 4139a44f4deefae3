/*
 * hmap.c - chained hash table with keys stored in the entries.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "util.h"

#define HMAP_MIN_SIZE	4

void
hmap_init(struct hmap *h)
{
	h->tab = NULL;
	h->mask = 0;
	h->count = 0;
}

void
hmap_clear(struct hmap *h, void (*freeval)(void *))
{
	if (h->tab != NULL) {
		for (uint64_t i = 0; i <= h->mask; i++) {
			struct hmap_entry *e = h->tab[i], *n;

			for (; e != NULL; e = n) {
				n = e->next;
				if (freeval != NULL && e->val != NULL)
					freeval(e->val);
				free(e);
			}
		}
		free(h->tab);
	}
	hmap_init(h);
}

static void
hmap_resize(struct hmap *h, uint64_t size)
{
	struct hmap_entry **tab = xcalloc(size, sizeof *tab);
	uint64_t mask = size - 1;

	if (h->tab != NULL) {
		for (uint64_t i = 0; i <= h->mask; i++) {
			struct hmap_entry *e = h->tab[i], *n;

			for (; e != NULL; e = n) {
				uint64_t b = util_hash(e->key, e->klen) & mask;

				n = e->next;
				e->next = tab[b];
				tab[b] = e;
			}
		}
		free(h->tab);
	}
	h->tab = tab;
	h->mask = mask;
}

struct hmap_entry *
hmap_find(const struct hmap *h, const char *key, size_t klen)
{
	struct hmap_entry *e;

	if (h->count == 0)
		return NULL;
	e = h->tab[util_hash(key, klen) & h->mask];
	for (; e != NULL; e = e->next)
		if (e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e;
	return NULL;
}

struct hmap_entry *
hmap_insert(struct hmap *h, const char *key, size_t klen, bool *created)
{
	struct hmap_entry *e;
	uint64_t hv = util_hash(key, klen), b;

	if (h->tab != NULL) {
		for (e = h->tab[hv & h->mask]; e != NULL; e = e->next) {
			if (e->klen == klen && memcmp(e->key, key, klen) == 0) {
				if (created)
					*created = false;
				return e;
			}
		}
	}
	if (klen > UINT32_MAX)
		fatalx("hmap_insert: key too long");
	if (h->tab == NULL)
		hmap_resize(h, HMAP_MIN_SIZE);
	else if (h->count >= h->mask + 1)
		hmap_resize(h, (h->mask + 1) * 2);
	e = xmalloc(sizeof *e + klen + 1);
	e->val = NULL;
	e->aux = -1;
	e->klen = (uint32_t)klen;
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	b = hv & h->mask;
	e->next = h->tab[b];
	h->tab[b] = e;
	h->count++;
	if (created)
		*created = true;
	return e;
}

struct hmap_entry *
hmap_unlink(struct hmap *h, const char *key, size_t klen)
{
	struct hmap_entry **pp;

	if (h->count == 0)
		return NULL;
	pp = &h->tab[util_hash(key, klen) & h->mask];
	for (; *pp != NULL; pp = &(*pp)->next) {
		struct hmap_entry *e = *pp;

		if (e->klen == klen && memcmp(e->key, key, klen) == 0) {
			*pp = e->next;
			h->count--;
			return e;
		}
	}
	return NULL;
}

void
hmap_entry_free(struct hmap_entry *e)
{
	free(e);
}

void
hmap_shrink(struct hmap *h)
{
	uint64_t size;

	if (h->tab == NULL)
		return;
	if (h->count == 0) {
		free(h->tab);
		hmap_init(h);
		return;
	}
	size = h->mask + 1;
	if (size <= HMAP_MIN_SIZE || h->count * 8 > size)
		return;
	while (size > HMAP_MIN_SIZE && h->count * 2 < size)
		size /= 2;
	hmap_resize(h, size);
}

struct hmap_entry *
hmap_random(const struct hmap *h)
{
	uint64_t r, b;
	struct hmap_entry *e;
	size_t n = 0, pick;

	if (h->count == 0)
		return NULL;
	util_random_bytes(&r, sizeof r);
	b = r & h->mask;
	/* Walk from a random bucket to the first non-empty one. */
	while (h->tab[b] == NULL)
		b = (b + 1) & h->mask;
	for (e = h->tab[b]; e != NULL; e = e->next)
		n++;
	pick = (size_t)((r >> 32) % n);
	for (e = h->tab[b]; pick > 0; pick--)
		e = e->next;
	return e;
}

/* Reverse the bits of v: the cursor counts in reverse binary. */
static uint64_t
rev64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
	v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
	v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
	v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
	v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
	return (v >> 32) | (v << 32);
}

uint64_t
hmap_scan(const struct hmap *h, uint64_t cursor,
    void (*fn)(void *arg, struct hmap_entry *e), void *arg)
{
	struct hmap_entry *e, *n;

	if (h->count == 0)
		return 0;
	for (e = h->tab[cursor & h->mask]; e != NULL; e = n) {
		n = e->next;
		fn(arg, e);
	}
	/* Increment the masked cursor's reversed bits. */
	cursor |= ~h->mask;
	cursor = rev64(cursor);
	cursor++;
	cursor = rev64(cursor);
	return cursor;
}

size_t
hmap_memory(const struct hmap *h)
{
	return h->tab ? (h->mask + 1) * sizeof(*h->tab) : 0;
}

void
hmap_iter_init(struct hmap_iter *it, const struct hmap *h)
{
	it->h = h;
	it->idx = 0;
	it->next = NULL;
	if (h->tab != NULL) {
		while (it->idx <= h->mask && h->tab[it->idx] == NULL)
			it->idx++;
		if (it->idx <= h->mask)
			it->next = h->tab[it->idx];
	}
}

struct hmap_entry *
hmap_iter_next(struct hmap_iter *it)
{
	struct hmap_entry *e = it->next;
	const struct hmap *h = it->h;

	if (e == NULL)
		return NULL;
	if (e->next != NULL) {
		it->next = e->next;
	} else {
		it->next = NULL;
		for (it->idx++; it->idx <= h->mask; it->idx++) {
			if (h->tab[it->idx] != NULL) {
				it->next = h->tab[it->idx];
				break;
			}
		}
	}
	return e;
}
