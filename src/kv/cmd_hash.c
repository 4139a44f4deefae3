/*
 * cmd_hash.c - the hash commands. A hash is a table of field -> string value.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"
#include "server.h"
#include "util.h"


/* The hash at key argument 1, created when missing; NULL after WRONGTYPE. */
static struct obj *
hash_for_write(struct client *c)
{
	struct obj *o;

	if (!server_lookup_typed(c, 1, false, OBJ_HASH, &o))
		return NULL;
	if (o == NULL) {
		o = obj_map_new(OBJ_HASH);
		db_set(c->db, c->argv[1], c->argvlen[1], o, false);
	}
	return o;
}

/* Set a field to a copy of (p, n); true when the field is new. */
static bool
hash_put(struct obj *h, const char *f, size_t flen, const char *p, size_t n)
{
	bool created;
	struct hmap_entry *e = hmap_insert(obj_map(h), f, flen, &created);

	free(e->val);
	e->val = obj_str_new(p, n);
	return created;
}

/* A field's value as a bulk, or null. */
static void
reply_field(struct client *c, struct obj *h, int i)
{
	struct hmap_entry *e = NULL;
	const struct obj *v;

	if (h != NULL)
		e = hmap_find(obj_map(h), c->argv[i], c->argvlen[i]);
	if (e == NULL) {
		client_null(c);
		return;
	}
	v = e->val;
	client_bulk(c, obj_str_ptr(v), v->len);
}

/* HSET and HMSET: HSET counts the new fields, HMSET says OK. */
static void
hset_generic(struct client *c, bool hmset)
{
	struct obj *h;
	long long created = 0;

	if (c->argc % 2 == 1) {
		client_err_arity(c, c->argv[0]);
		return;
	}
	if ((h = hash_for_write(c)) == NULL)
		return;
	for (int i = 2; i < c->argc; i += 2)
		created += hash_put(h, c->argv[i], c->argvlen[i],
		    c->argv[i + 1], c->argvlen[i + 1]);
	server_dirty((c->argc - 2) / 2);
	if (hmset)
		client_ok(c);
	else
		client_int(c, created);
}

void
cmd_hset(struct client *c)
{
	hset_generic(c, false);
}

void
cmd_hmset(struct client *c)
{
	hset_generic(c, true);
}

void
cmd_hsetnx(struct client *c)
{
	struct obj *h;

	if ((h = hash_for_write(c)) == NULL)
		return;
	if (hmap_find(obj_map(h), c->argv[2], c->argvlen[2]) != NULL) {
		client_int(c, 0);
		return;
	}
	hash_put(h, c->argv[2], c->argvlen[2], c->argv[3], c->argvlen[3]);
	server_dirty(1);
	client_int(c, 1);
}

void
cmd_hget(struct client *c)
{
	struct obj *h;

	if (!server_lookup_typed(c, 1, true, OBJ_HASH, &h))
		return;
	reply_field(c, h, 2);
}

/* HMGET: a missing key is an empty hash, so all nulls. */
void
cmd_hmget(struct client *c)
{
	struct obj *h;

	if (!server_lookup_typed(c, 1, true, OBJ_HASH, &h))
		return;
	client_array(c, c->argc - 2);
	for (int i = 2; i < c->argc; i++)
		reply_field(c, h, i);
}

/* HDEL: the key goes away with its last field. */
void
cmd_hdel(struct client *c)
{
	struct obj *h;
	long long n = 0;

	if (!server_lookup_typed(c, 1, false, OBJ_HASH, &h))
		return;
	if (h != NULL) {
		for (int i = 2; i < c->argc; i++) {
			struct hmap_entry *e = hmap_unlink(obj_map(h),
			    c->argv[i], c->argvlen[i]);

			if (e == NULL)
				continue;
			free(e->val);
			hmap_entry_free(e);
			n++;
			if (obj_map(h)->count == 0) {
				db_delete(c->db, c->argv[1], c->argvlen[1]);
				break;
			}
		}
	}
	if (n > 0)
		server_dirty(n);
	client_int(c, n);
}

/* HGETALL, HKEYS, HVALS: HGETALL is a map in RESP3. */
static void
hgetall_generic(struct client *c, bool keys, bool vals)
{
	struct obj *h;
	struct hmap_iter it;
	struct hmap_entry *e;
	long long n;

	if (!server_lookup_typed(c, 1, true, OBJ_HASH, &h))
		return;
	n = h ? (long long)obj_map(h)->count : 0;
	if (keys && vals)
		client_map(c, n);
	else
		client_array(c, n);
	if (h == NULL)
		return;
	hmap_iter_init(&it, obj_map(h));
	while ((e = hmap_iter_next(&it)) != NULL) {
		const struct obj *v = e->val;

		if (keys)
			client_bulk(c, e->key, e->klen);
		if (vals)
			client_bulk(c, obj_str_ptr(v), v->len);
	}
}

void
cmd_hgetall(struct client *c)
{
	hgetall_generic(c, true, true);
}

void
cmd_hkeys(struct client *c)
{
	hgetall_generic(c, true, false);
}

void
cmd_hvals(struct client *c)
{
	hgetall_generic(c, false, true);
}

void
cmd_hlen(struct client *c)
{
	struct obj *h;

	if (!server_lookup_typed(c, 1, true, OBJ_HASH, &h))
		return;
	client_int(c, h ? (long long)obj_map(h)->count : 0);
}

void
cmd_hexists(struct client *c)
{
	struct obj *h;

	if (!server_lookup_typed(c, 1, true, OBJ_HASH, &h))
		return;
	client_int(c, h != NULL &&
	    hmap_find(obj_map(h), c->argv[2], c->argvlen[2]) != NULL);
}

/* HINCRBY key field incr: the increment is checked before the key. */
void
cmd_hincrby(struct client *c)
{
	struct obj *h;
	struct hmap_entry *e;
	long long incr, v = 0;
	char tmp[24];
	size_t n;

	if (!arg_ll(c, 3, &incr))
		return;
	if ((h = hash_for_write(c)) == NULL)
		return;
	e = hmap_find(obj_map(h), c->argv[2], c->argvlen[2]);
	if (e != NULL && !obj_str_to_ll(e->val, &v)) {
		client_err(c, "ERR hash value is not an integer");
		return;
	}
	if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) ||
	    (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
		client_err(c, "ERR increment or decrement would overflow");
		return;
	}
	v += incr;
	n = util_ll2str(tmp, v);
	hash_put(h, c->argv[2], c->argvlen[2], tmp, n);
	server_dirty(1);
	client_int(c, v);
}
