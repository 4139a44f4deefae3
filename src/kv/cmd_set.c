/*
 * cmd_set.c - the set commands. A set is a table of members without values.
 */
#include "config.h"

#include <stdlib.h>

#include "resp.h"
#include "server.h"
#include "util.h"


/* SADD: the number of members that were not there yet. */
void
cmd_sadd(struct client *c)
{
	struct obj *s;
	long long added = 0;

	if (!server_lookup_typed(c, 1, false, OBJ_SET, &s))
		return;
	if (s == NULL) {
		s = obj_map_new(OBJ_SET);
		db_set(c->db, c->argv[1], c->argvlen[1], s, false);
	}
	for (int i = 2; i < c->argc; i++) {
		bool created;

		hmap_insert(obj_map(s), c->argv[i], c->argvlen[i], &created);
		added += created;
	}
	if (added > 0)
		server_dirty(added);
	client_int(c, added);
}

/* SREM: the key goes away with its last member. */
void
cmd_srem(struct client *c)
{
	struct obj *s;
	long long n = 0;

	if (!server_lookup_typed(c, 1, false, OBJ_SET, &s))
		return;
	if (s != NULL) {
		for (int i = 2; i < c->argc; i++) {
			struct hmap_entry *e = hmap_unlink(obj_map(s),
			    c->argv[i], c->argvlen[i]);

			if (e == NULL)
				continue;
			hmap_entry_free(e);
			n++;
			if (obj_map(s)->count == 0) {
				db_delete(c->db, c->argv[1], c->argvlen[1]);
				break;
			}
		}
	}
	if (n > 0)
		server_dirty(n);
	client_int(c, n);
}

/* SMEMBERS: a set reply in RESP3, empty for a missing key. */
void
cmd_smembers(struct client *c)
{
	struct obj *s;
	struct hmap_iter it;
	struct hmap_entry *e;

	if (!server_lookup_typed(c, 1, true, OBJ_SET, &s))
		return;
	if (s == NULL) {
		client_set(c, 0);
		return;
	}
	client_set(c, (long long)obj_map(s)->count);
	hmap_iter_init(&it, obj_map(s));
	while ((e = hmap_iter_next(&it)) != NULL)
		client_bulk(c, e->key, e->klen);
}

void
cmd_scard(struct client *c)
{
	struct obj *s;

	if (!server_lookup_typed(c, 1, true, OBJ_SET, &s))
		return;
	client_int(c, s ? (long long)obj_map(s)->count : 0);
}

void
cmd_sismember(struct client *c)
{
	struct obj *s;

	if (!server_lookup_typed(c, 1, true, OBJ_SET, &s))
		return;
	client_int(c, s != NULL &&
	    hmap_find(obj_map(s), c->argv[2], c->argvlen[2]) != NULL);
}
