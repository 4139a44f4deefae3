/*
 * cmd_keys.c - commands on keys whatever their type: deletion, existence,
 * expiry, TYPE, KEYS, SCAN, RENAME, RANDOMKEY and TOUCH.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"
#include "resp.h"
#include "server.h"
#include "util.h"

#define EXPIRE_NX	0x01
#define EXPIRE_XX	0x02
#define EXPIRE_GT	0x04
#define EXPIRE_LT	0x08

/* A growing list of keyspace entries gathered for one reply. */
struct entries {
	struct hmap_entry	**v;
	size_t			  n, cap;
};

static void
entries_add(struct entries *l, struct hmap_entry *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = e;
}


/* DEL and UNLINK: the number of keys removed. */
static void
del_generic(struct client *c)
{
	long long n = 0;

	for (int i = 1; i < c->argc; i++)
		if (db_delete(c->db, c->argv[i], c->argvlen[i]))
			n++;
	if (n > 0)
		server_dirty(n);
	client_int(c, n);
}

void
cmd_del(struct client *c)
{
	del_generic(c);
}

void
cmd_unlink(struct client *c)
{
	del_generic(c);
}

/* EXISTS and TOUCH count a key each time it is named. */
void
cmd_exists(struct client *c)
{
	long long n = 0;

	for (int i = 1; i < c->argc; i++)
		if (server_find_read(c, i) != NULL)
			n++;
	client_int(c, n);
}

void
cmd_touch(struct client *c)
{
	cmd_exists(c);
}

/* The NX/XX/GT/LT options of the EXPIRE family; false after replying. */
static bool
expire_options(struct client *c, int *flags)
{
	for (int j = 3; j < c->argc; j++) {
		if (arg_eq(c, j, "nx"))
			*flags |= EXPIRE_NX;
		else if (arg_eq(c, j, "xx"))
			*flags |= EXPIRE_XX;
		else if (arg_eq(c, j, "gt"))
			*flags |= EXPIRE_GT;
		else if (arg_eq(c, j, "lt"))
			*flags |= EXPIRE_LT;
		else {
			resp_errorf(&c->reply, "ERR Unsupported option %s",
			    c->argv[j]);
			return false;
		}
	}
	if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
		client_err(c, "ERR NX and XX, GT or LT options at the same "
		    "time are not compatible");
		return false;
	}
	if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
		client_err(c, "ERR GT and LT options at the same time are not "
		    "compatible");
		return false;
	}
	return true;
}

/*
 * EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: base is now for the relative
 * forms, 0 for the absolute ones. A time already past deletes the key, except
 * on a replica or while loading, where it is stored as it is.
 */
static void
expire_generic(struct client *c, long long base, bool seconds, const char *cmd)
{
	struct hmap_entry *e;
	long long when, cur;
	int flags = 0;

	if (!expire_options(c, &flags) || !arg_ll(c, 2, &when))
		return;
	if (seconds) {
		if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
			client_errf(c, "ERR invalid expire time in '%s' command",
			    cmd);
			return;
		}
		when *= 1000;
	}
	if (when > LLONG_MAX - base) {
		client_errf(c, "ERR invalid expire time in '%s' command", cmd);
		return;
	}
	when += base;
	if ((e = db_find(c->db, c->argv[1], c->argvlen[1])) == NULL) {
		client_int(c, 0);
		return;
	}
	cur = db_get_expire(e);
	if (((flags & EXPIRE_NX) && cur != -1) ||
	    ((flags & EXPIRE_XX) && cur == -1) ||
	    ((flags & EXPIRE_GT) && (cur == -1 || when <= cur)) ||
	    ((flags & EXPIRE_LT) && cur != -1 && when >= cur)) {
		client_int(c, 0);
		return;
	}
	if (when <= util_wall_ms() && !srv.loading && !server_is_replica()) {
		db_delete(c->db, c->argv[1], c->argvlen[1]);
	} else {
		/* A negative time would read as "none": it is past anyway. */
		db_set_expire(c->db, e, when < 0 ? 0 : when);
	}
	server_dirty(1);
	client_int(c, 1);
}

void
cmd_expire(struct client *c)
{
	expire_generic(c, util_wall_ms(), true, "expire");
}

void
cmd_pexpire(struct client *c)
{
	expire_generic(c, util_wall_ms(), false, "pexpire");
}

void
cmd_expireat(struct client *c)
{
	expire_generic(c, 0, true, "expireat");
}

void
cmd_pexpireat(struct client *c)
{
	expire_generic(c, 0, false, "pexpireat");
}

/* TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 missing, -1 no expiry. */
static void
ttl_generic(struct client *c, bool ms, bool absolute)
{
	struct hmap_entry *e = server_find_read(c, 1);
	long long t;

	if (e == NULL) {
		client_int(c, -2);
		return;
	}
	if ((t = db_get_expire(e)) < 0) {
		client_int(c, -1);
		return;
	}
	if (!absolute)
		t -= util_wall_ms();
	if (t < 0)
		t = 0;
	client_int(c, ms ? t : (t + 500) / 1000);
}

void
cmd_ttl(struct client *c)
{
	ttl_generic(c, false, false);
}

void
cmd_pttl(struct client *c)
{
	ttl_generic(c, true, false);
}

void
cmd_expiretime(struct client *c)
{
	ttl_generic(c, false, true);
}

void
cmd_pexpiretime(struct client *c)
{
	ttl_generic(c, true, true);
}

void
cmd_persist(struct client *c)
{
	struct hmap_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);

	if (e == NULL || db_get_expire(e) < 0) {
		client_int(c, 0);
		return;
	}
	db_set_expire(c->db, e, -1);
	server_dirty(1);
	client_int(c, 1);
}

void
cmd_type(struct client *c)
{
	const struct hmap_entry *e = server_find_read(c, 1);

	resp_simple(&c->reply, e ? obj_type_name(e->val) : "none");
}

/* KEYS pattern: expired keys are skipped, not deleted. */
void
cmd_keys(struct client *c)
{
	const char *pat = c->argv[1];
	size_t plen = c->argvlen[1];
	bool all = plen == 1 && pat[0] == '*';
	struct entries l = { NULL, 0, 0 };
	struct hmap_iter it;
	struct hmap_entry *e;
	long long now = util_wall_ms();

	hmap_iter_init(&it, &dbs[c->db].keys);
	while ((e = hmap_iter_next(&it)) != NULL) {
		if (!all && !match_glob(pat, plen, e->key, e->klen, false))
			continue;
		if (!db_is_expired(e, now))
			entries_add(&l, e);
	}
	client_array(c, (long long)l.n);
	for (size_t i = 0; i < l.n; i++)
		client_bulk(c, l.v[i]->key, l.v[i]->klen);
	free(l.v);
}

static void
scan_collect(void *arg, struct hmap_entry *e)
{
	entries_add(arg, e);
}

/* SCAN cursor [MATCH pattern] [COUNT n] [TYPE type], as Redis walks its dict. */
void
cmd_scan(struct client *c)
{
	unsigned long long cursor;
	const char *pat = NULL, *type = NULL;
	size_t plen = 0;
	long long count = 10, budget;
	struct entries l = { NULL, 0, 0 };
	size_t kept = 0;
	char *end, num[24];
	long long now;

	errno = 0;
	cursor = strtoull(c->argv[1], &end, 10);
	if (isspace((unsigned char)c->argv[1][0]) || *end != '\0' ||
	    errno == ERANGE) {
		client_err(c, "ERR invalid cursor");
		return;
	}
	for (int i = 2; i < c->argc; i += 2) {
		bool next = i + 1 < c->argc;

		if (next && arg_eq(c, i, "count")) {
			if (!arg_ll(c, i + 1, &count))
				return;
			if (count < 1) {
				reply_syntax_error(c);
				return;
			}
		} else if (next && arg_eq(c, i, "match")) {
			pat = c->argv[i + 1];
			plen = c->argvlen[i + 1];
			if (plen == 1 && pat[0] == '*')
				pat = NULL;
		} else if (next && arg_eq(c, i, "type")) {
			type = c->argv[i + 1];
		} else {
			reply_syntax_error(c);
			return;
		}
	}

	/* At most ten buckets per element asked for, as Redis bounds its walk. */
	budget = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
	do {
		cursor = hmap_scan(&dbs[c->db].keys, cursor, scan_collect, &l);
	} while (cursor != 0 && budget-- > 0 && (long long)l.n < count);

	now = util_wall_ms();
	for (size_t i = 0; i < l.n; i++) {
		struct hmap_entry *e = l.v[i];
		bool expired;

		if (pat != NULL && !match_glob(pat, plen, e->key, e->klen, false))
			continue;
		expired = db_is_expired(e, now);
		if (type != NULL) {
			/* Redis reads the key to learn its type. */
			if (expired)
				db_stat_misses++;
			else
				db_stat_hits++;
		}
		if (expired) {
			/* Gone: a master deletes it now. */
			(void)db_find(c->db, e->key, e->klen);
			continue;
		}
		if (type != NULL && strcasecmp(type, obj_type_name(e->val)) != 0)
			continue;
		l.v[kept++] = e;
	}

	client_array(c, 2);
	client_bulk(c, num, (size_t)snprintf(num, sizeof num, "%llu", cursor));
	client_array(c, (long long)kept);
	for (size_t i = 0; i < kept; i++)
		client_bulk(c, l.v[i]->key, l.v[i]->klen);
	free(l.v);
}

/*
 * RENAME and RENAMENX: the value and its TTL move to the new name,
 * replacing whatever was there (RENAMENX refuses to).
 */
static void
rename_generic(struct client *c, bool nx)
{
	struct hmap_entry *src, *dst;
	struct obj *val;
	long long when;

	if ((src = db_find(c->db, c->argv[1], c->argvlen[1])) == NULL) {
		client_err(c, "ERR no such key");
		return;
	}
	if (c->argvlen[1] == c->argvlen[2] &&
	    memcmp(c->argv[1], c->argv[2], c->argvlen[1]) == 0) {
		if (nx)
			client_int(c, 0);
		else
			client_ok(c);
		return;
	}
	if (nx && db_find(c->db, c->argv[2], c->argvlen[2]) != NULL) {
		client_int(c, 0);
		return;
	}
	val = src->val;
	when = db_get_expire(src);
	/* Detach the value so that deleting the old name keeps it. */
	src->val = NULL;
	db_delete(c->db, c->argv[1], c->argvlen[1]);
	/* Any (expired) key under the new name is removed, as Redis does. */
	(void)db_find(c->db, c->argv[2], c->argvlen[2]);
	dst = db_set(c->db, c->argv[2], c->argvlen[2], val, false);
	if (when >= 0)
		db_set_expire(c->db, dst, when);
	server_dirty(1);
	if (nx)
		client_int(c, 1);
	else
		client_ok(c);
}

void
cmd_rename(struct client *c)
{
	rename_generic(c, false);
}

void
cmd_renamenx(struct client *c)
{
	rename_generic(c, true);
}

/*
 * RANDOMKEY: expired keys picked are deleted and another is tried; a
 * replica whose keys all have a TTL gives up after 100 tries.
 */
void
cmd_randomkey(struct client *c)
{
	struct db *d = &dbs[c->db];
	bool volatile_only = d->keys.count == d->expires.count;
	int tries = 100;
	struct hmap_entry *e;
	long long now = util_wall_ms();

	for (;;) {
		if ((e = hmap_random(&d->keys)) == NULL) {
			client_null(c);
			return;
		}
		if (db_get_expire(e) < 0)
			break;
		if (volatile_only && server_is_replica() && --tries == 0)
			break;
		if (!db_is_expired(e, now))
			break;
		if (!server_is_replica())
			(void)db_find(c->db, e->key, e->klen);
	}
	client_bulk(c, e->key, e->klen);
}
