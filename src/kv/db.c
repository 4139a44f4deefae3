/*
 * db.c - the keyspace and its expiry.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

struct db	 dbs[DB_COUNT];
long long	 db_stat_expired;
long long	 db_stat_hits;
long long	 db_stat_misses;

static db_expired_fn	 expired_cb;
static bool		 is_replica;
static bool		 from_master;	/* running our master's stream: expiry is its business */

void
db_init(db_expired_fn on_expired)
{
	expired_cb = on_expired;
	for (int i = 0; i < DB_COUNT; i++) {
		hmap_init(&dbs[i].keys);
		hmap_init(&dbs[i].expires);
		dbs[i].expire_cursor = 0;
	}
}

void
db_set_replica(bool replica)
{
	is_replica = replica;
}

void
db_set_from_master(bool on)
{
	from_master = on;
}

void
db_free_all(void)
{
	db_flush_all();
}

bool
db_is_expired(const struct hmap_entry *e, long long now_ms)
{
	return e->aux >= 0 && e->aux <= now_ms;
}

/* Remove an entry's expiry bookkeeping. */
static void
forget_expire(struct db *d, struct hmap_entry *e)
{
	if (e->aux >= 0) {
		struct hmap_entry *x = hmap_unlink(&d->expires, e->key, e->klen);

		if (x != NULL)
			hmap_entry_free(x);
		e->aux = -1;
	}
}

static void
delete_entry(int db, struct hmap_entry *e)
{
	struct db *d = &dbs[db];
	struct hmap_entry *x;

	forget_expire(d, e);
	x = hmap_unlink(&d->keys, e->key, e->klen);
	obj_free(x->val);
	hmap_entry_free(x);
}

/* Delete a key whose time has passed, telling replication. */
static void
expire_now(int db, struct hmap_entry *e)
{
	char stack[256], *key = stack;
	size_t klen = e->klen;

	/* The entry goes away: keep its name for the callback. */
	if (klen >= sizeof stack)
		key = xmalloc(klen + 1);
	memcpy(key, e->key, klen);
	delete_entry(db, e);
	db_stat_expired++;
	if (expired_cb)
		expired_cb(db, key, klen);
	if (key != stack)
		free(key);
}

struct hmap_entry *
db_find(int db, const char *key, size_t klen)
{
	struct hmap_entry *e = hmap_find(&dbs[db].keys, key, klen);

	if (e != NULL && e->aux >= 0 && !from_master && db_is_expired(e, util_wall_ms())) {
		if (!is_replica)
			expire_now(db, e);
		return NULL;
	}
	return e;
}

struct obj *
db_get(int db, const char *key, size_t klen)
{
	struct hmap_entry *e = db_find(db, key, klen);

	return e ? e->val : NULL;
}

struct hmap_entry *
db_set(int db, const char *key, size_t klen, struct obj *val, bool keep_ttl)
{
	struct db *d = &dbs[db];
	bool created;
	struct hmap_entry *e = hmap_insert(&d->keys, key, klen, &created);

	if (!created) {
		if (e->val != val)
			obj_free(e->val);
		if (!keep_ttl)
			forget_expire(d, e);
		else if (e->aux >= 0 && db_is_expired(e, util_wall_ms()))
			forget_expire(d, e);
	}
	e->val = val;
	return e;
}

struct hmap_entry *
db_add(int db, const char *key, size_t klen, struct obj *val)
{
	return db_set(db, key, klen, val, false);
}

bool
db_delete(int db, const char *key, size_t klen)
{
	struct hmap_entry *e = db_find(db, key, klen);

	if (e == NULL)
		return false;
	delete_entry(db, e);
	return true;
}

void
db_set_expire(int db, struct hmap_entry *e, long long when_ms)
{
	struct db *d = &dbs[db];

	if (when_ms < 0) {
		forget_expire(d, e);
		return;
	}
	if (e->aux < 0) {
		struct hmap_entry *x = hmap_insert(&d->expires, e->key, e->klen, NULL);

		x->val = e;
	}
	e->aux = when_ms;
}

size_t
db_size(int db)
{
	return dbs[db].keys.count;
}

size_t
db_expires(int db)
{
	return dbs[db].expires.count;
}

void
db_flush(int db)
{
	hmap_clear(&dbs[db].expires, NULL);
	hmap_clear(&dbs[db].keys, obj_free_cb);
	dbs[db].expire_cursor = 0;
}

void
db_flush_all(void)
{
	for (int i = 0; i < DB_COUNT; i++)
		db_flush(i);
}

struct sweep {
	int		 db;
	long long	 now;
	struct hmap_entry *due[64];
	size_t		 ndue;
	size_t		 seen;
};

static void
sweep_one(void *arg, struct hmap_entry *x)
{
	struct sweep *s = arg;
	struct hmap_entry *e = x->val;

	s->seen++;
	if (db_is_expired(e, s->now) && s->ndue < ARRAY_SIZE(s->due))
		s->due[s->ndue++] = e;
}

size_t
db_active_expire(long long now_ms, int64_t budget_us)
{
	int64_t start = util_mono_us();
	size_t total = 0;

	if (is_replica)
		return 0;
	for (int i = 0; i < DB_COUNT; i++) {
		struct db *d = &dbs[i];

		/* Walk the expires table a few buckets at a time, resuming where we stopped. */
		for (int round = 0; d->expires.count > 0; round++) {
			struct sweep s = { .db = i, .now = now_ms };
			int buckets = 0;

			do {
				d->expire_cursor = hmap_scan(&d->expires, d->expire_cursor, sweep_one, &s);
				buckets++;
			} while (d->expire_cursor != 0 && s.seen < 20 && buckets < 400);
			for (size_t k = 0; k < s.ndue; k++)
				expire_now(i, s.due[k]);
			total += s.ndue;
			/* Go on only while many of the keys looked at had expired. */
			if (s.seen == 0 || s.ndue * 4 < s.seen || d->expire_cursor == 0)
				break;
			if ((round & 15) == 15 && util_mono_us() - start > budget_us)
				return total;
		}
	}
	return total;
}

void
db_resize(void)
{
	for (int i = 0; i < DB_COUNT; i++) {
		hmap_shrink(&dbs[i].keys);
		hmap_shrink(&dbs[i].expires);
	}
}
