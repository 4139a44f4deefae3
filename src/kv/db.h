/*
 * db.h - the keyspace: 16 databases of keys with optional expiry times.
 *
 * Expiry times live in the key's entry (aux, unix ms, -1 for none); each
 * database also keeps the set of keys that have one, for the active cycle.
 * A master deletes a key whose time has passed when it is touched (lazy) or
 * sampled (active); a replica never deletes on its own: it waits for the
 * master's DEL but answers as if the key were gone.
 */
#ifndef SENTINEL_KV_DB_H
#define SENTINEL_KV_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "obj.h"

#define DB_COUNT	16

struct db {
	struct hmap	keys;		/* key -> struct obj *, aux = expire ms */
	struct hmap	expires;	/* key -> the entry in keys */
	uint64_t	expire_cursor;
	long long	avg_ttl;
};

extern struct db dbs[DB_COUNT];

/* What happens when a key expires on a master (replication sends a DEL). */
typedef void (*db_expired_fn)(int db, const char *key, size_t klen);

void	db_init(db_expired_fn on_expired);
void	db_free_all(void);
/* Look a key up, honouring expiry; NULL when missing or expired. */
struct hmap_entry *db_find(int db, const char *key, size_t klen);
struct obj *db_get(int db, const char *key, size_t klen);
/* Add or replace a value. keep_ttl keeps an existing expiry, otherwise it is cleared. */
struct hmap_entry *db_set(int db, const char *key, size_t klen, struct obj *val, bool keep_ttl);
/* Add a value under a key known to be absent (loading). */
struct hmap_entry *db_add(int db, const char *key, size_t klen, struct obj *val);
bool	db_delete(int db, const char *key, size_t klen);
/* Expiry: when < 0 removes it. */
void	db_set_expire(int db, struct hmap_entry *e, long long when_ms);
static inline long long db_get_expire(const struct hmap_entry *e) { return e->aux; }
size_t	db_size(int db);
size_t	db_expires(int db);
void	db_flush(int db);
void	db_flush_all(void);
/* Has a key's time passed (by the wall clock now_ms)? */
bool	db_is_expired(const struct hmap_entry *e, long long now_ms);
/* One step of the active expiry cycle (masters only); returns keys expired. */
size_t	db_active_expire(long long now_ms, int64_t budget_us);
/* Shrink tables that became mostly empty. */
void	db_resize(void);
/* Is this process a replica? (expired keys are then only hidden, not deleted) */
void	db_set_replica(bool replica);
/*
 * While a replica runs its master's stream, keys are seen as the master
 * sees them: a DEL for a key whose time has passed must find it.
 */
void	db_set_from_master(bool on);

extern long long db_stat_expired;
extern long long db_stat_hits;
extern long long db_stat_misses;

#endif
