/*
 * pubsub.c - channels and patterns.
 *
 * Each channel maps to the array of its subscribers; each client keeps the
 * names it subscribed to, so that closing it unsubscribes everything.
 * Patterns are few in practice: a flat list of (pattern, client) pairs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "hmap.h"
#include "match.h"
#include "pubsub.h"
#include "resp.h"
#include "util.h"

struct subs {
	struct client	**v;
	size_t		  n, cap;
};

static struct hmap	channels;	/* name -> struct subs */
static struct hmap	patterns;	/* pattern -> struct subs */

static void
subs_add(struct subs *s, struct client *c)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = c;
}

static void
subs_remove(struct subs *s, struct client *c)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i] == c) {
			/* Keep order: messages reach subscribers as they joined. */
			memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
			s->n--;
			return;
		}
	}
}

size_t
pubsub_count(const struct client *c, bool pattern)
{
	const struct hmap *h = pattern ? c->patterns : c->channels;

	return h ? h->count : 0;
}

size_t
pubsub_total(const struct client *c)
{
	return pubsub_count(c, false) + pubsub_count(c, true);
}

/* "subscribe"/"unsubscribe" confirmations: [kind, name, count]. */
static void
confirm(struct client *c, const char *kind, const char *name, size_t len)
{
	resp_push(&c->reply, 3, c->proto);
	resp_bulk_str(&c->reply, kind);
	if (name != NULL)
		resp_bulk(&c->reply, name, len);
	else
		resp_null(&c->reply, c->proto);
	resp_int(&c->reply, (long long)pubsub_total(c));
}

void
pubsub_subscribe(struct client *c, const char *ch, size_t len, bool pattern)
{
	struct hmap **mine = pattern ? &c->patterns : &c->channels;
	struct hmap *global = pattern ? &patterns : &channels;
	struct hmap_entry *e;
	bool created;

	if (*mine == NULL) {
		*mine = xmalloc(sizeof **mine);
		hmap_init(*mine);
	}
	hmap_insert(*mine, ch, len, &created);
	if (created) {
		e = hmap_insert(global, ch, len, NULL);
		if (e->val == NULL)
			e->val = xcalloc(1, sizeof(struct subs));
		subs_add(e->val, c);
	}
	confirm(c, pattern ? "psubscribe" : "subscribe", ch, len);
}

/* Drop c from one name of the global map. */
static void
global_remove(struct hmap *global, const char *ch, size_t len, struct client *c)
{
	struct hmap_entry *e = hmap_find(global, ch, len);
	struct subs *s;

	if (e == NULL)
		return;
	s = e->val;
	subs_remove(s, c);
	if (s->n == 0) {
		e = hmap_unlink(global, ch, len);
		free(s->v);
		free(s);
		hmap_entry_free(e);
	}
}

static void
drop_if_empty(struct hmap **mine)
{
	if (*mine != NULL && (*mine)->count == 0) {
		hmap_clear(*mine, NULL);
		free(*mine);
		*mine = NULL;
	}
}

void
pubsub_unsubscribe(struct client *c, const char *ch, size_t len, bool pattern)
{
	struct hmap **mine = pattern ? &c->patterns : &c->channels;
	struct hmap_entry *e = NULL;

	if (*mine != NULL)
		e = hmap_unlink(*mine, ch, len);
	if (e != NULL) {
		global_remove(pattern ? &patterns : &channels, ch, len, c);
		hmap_entry_free(e);
	}
	drop_if_empty(mine);
	confirm(c, pattern ? "punsubscribe" : "unsubscribe", ch, len);
}

void
pubsub_unsubscribe_all(struct client *c, bool pattern, bool notify)
{
	struct hmap **mine = pattern ? &c->patterns : &c->channels;
	struct hmap_iter it;
	struct hmap_entry *e;
	size_t n = 0;

	if (*mine != NULL) {
		hmap_iter_init(&it, *mine);
		while ((e = hmap_iter_next(&it)) != NULL) {
			global_remove(pattern ? &patterns : &channels, e->key, e->klen, c);
			hmap_unlink(*mine, e->key, e->klen);
			if (notify)
				confirm(c, pattern ? "punsubscribe" : "unsubscribe", e->key, e->klen);
			hmap_entry_free(e);
			n++;
		}
		drop_if_empty(mine);
	}
	if (notify && n == 0)
		confirm(c, pattern ? "punsubscribe" : "unsubscribe", NULL, 0);
}

void
pubsub_client_gone(struct client *c)
{
	pubsub_unsubscribe_all(c, false, false);
	pubsub_unsubscribe_all(c, true, false);
}

long long
pubsub_publish(const char *ch, size_t chlen, const char *msg, size_t mlen)
{
	struct hmap_entry *e;
	struct hmap_iter it;
	long long n = 0;

	e = hmap_find(&channels, ch, chlen);
	if (e != NULL) {
		struct subs *s = e->val;

		for (size_t i = 0; i < s->n; i++) {
			struct client *c = s->v[i];

			resp_push(&c->reply, 3, c->proto);
			resp_bulk(&c->reply, "message", 7);
			resp_bulk(&c->reply, ch, chlen);
			resp_bulk(&c->reply, msg, mlen);
			client_reply_added(c);
			n++;
		}
	}
	if (patterns.count == 0)
		return n;
	hmap_iter_init(&it, &patterns);
	while ((e = hmap_iter_next(&it)) != NULL) {
		struct subs *s = e->val;

		if (!match_glob(e->key, e->klen, ch, chlen, false))
			continue;
		for (size_t i = 0; i < s->n; i++) {
			struct client *c = s->v[i];

			resp_push(&c->reply, 4, c->proto);
			resp_bulk(&c->reply, "pmessage", 8);
			resp_bulk(&c->reply, e->key, e->klen);
			resp_bulk(&c->reply, ch, chlen);
			resp_bulk(&c->reply, msg, mlen);
			client_reply_added(c);
			n++;
		}
	}
	return n;
}

void
pubsub_channels_reply(struct client *c, const char *pat, size_t patlen)
{
	struct hmap_iter it;
	struct hmap_entry *e;
	struct buf tmp = BUF_INIT;
	long long n = 0;

	hmap_iter_init(&it, &channels);
	while ((e = hmap_iter_next(&it)) != NULL) {
		if (pat != NULL && !match_glob(pat, patlen, e->key, e->klen, false))
			continue;
		resp_bulk(&tmp, e->key, e->klen);
		n++;
	}
	resp_array(&c->reply, n);
	buf_append(&c->reply, tmp.data, tmp.len);
	buf_free(&tmp);
}

void
pubsub_numsub_reply(struct client *c, int argc, char **argv, const size_t *argvlen)
{
	resp_array(&c->reply, 2 * (long long)argc);
	for (int i = 0; i < argc; i++) {
		struct hmap_entry *e = hmap_find(&channels, argv[i], argvlen[i]);

		resp_bulk(&c->reply, argv[i], argvlen[i]);
		resp_int(&c->reply, e ? (long long)((struct subs *)e->val)->n : 0);
	}
}

size_t
pubsub_numpat(void)
{
	return patterns.count;
}

size_t
pubsub_nchannels(void)
{
	return channels.count;
}
