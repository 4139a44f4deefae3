/*
 * cmd_list.c - the list commands: pushes, pops and reads by index.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>

#include "resp.h"
#include "server.h"
#include "util.h"


/* LPUSH and RPUSH: the new length; each element is a change. */
static void
push_generic(struct client *c, bool head)
{
	struct obj *l;

	if (!server_lookup_typed(c, 1, false, OBJ_LIST, &l))
		return;
	if (l == NULL) {
		l = obj_list_new();
		db_set(c->db, c->argv[1], c->argvlen[1], l, false);
	}
	for (int i = 2; i < c->argc; i++)
		obj_list_push(l, obj_str_new(c->argv[i], c->argvlen[i]), head);
	server_dirty(c->argc - 2);
	client_int(c, (long long)obj_list_len(l));
}

void
cmd_lpush(struct client *c)
{
	push_generic(c, true);
}

void
cmd_rpush(struct client *c)
{
	push_generic(c, false);
}

/* Reply with a popped element and free it. */
static void
reply_popped(struct client *c, struct obj *s)
{
	client_bulk(c, obj_str_ptr(s), s->len);
	free(s);
}

/*
 * LPOP and RPOP [count]: without count a bulk (null when missing); with it
 * an array in pop order (a null array when missing, empty for 0).
 */
static void
pop_generic(struct client *c, bool head)
{
	struct obj *l;
	long long count = 0, n;
	bool hascount = c->argc == 3;

	if (c->argc > 3) {
		client_err_arity(c, c->argv[0]);
		return;
	}
	if (hascount) {
		/* Redis gives one message for both a bad and a negative count. */
		if (!util_parse_ll(c->argv[2], c->argvlen[2], &count) ||
		    count < 0) {
			client_err(c, "ERR value is out of range, must be positive");
			return;
		}
	}
	if (!server_lookup_typed(c, 1, false, OBJ_LIST, &l))
		return;
	if (l == NULL) {
		if (hascount)
			client_null_array(c);
		else
			client_null(c);
		return;
	}
	if (hascount && count == 0) {
		client_array(c, 0);
		return;
	}
	if (!hascount) {
		n = 1;
		reply_popped(c, obj_list_pop(l, head));
	} else {
		n = count < (long long)obj_list_len(l) ? count :
		    (long long)obj_list_len(l);
		client_array(c, n);
		for (long long i = 0; i < n; i++)
			reply_popped(c, obj_list_pop(l, head));
	}
	if (obj_list_len(l) == 0)
		db_delete(c->db, c->argv[1], c->argvlen[1]);
	server_dirty(n);
}

void
cmd_lpop(struct client *c)
{
	pop_generic(c, true);
}

void
cmd_rpop(struct client *c)
{
	pop_generic(c, false);
}

/* LRANGE key start stop: inclusive, negative from the end, clamped. */
void
cmd_lrange(struct client *c)
{
	struct obj *l;
	long long start, end, len;

	if (!arg_ll(c, 2, &start) || !arg_ll(c, 3, &end))
		return;
	if (!server_lookup_typed(c, 1, true, OBJ_LIST, &l))
		return;
	len = l ? (long long)obj_list_len(l) : 0;
	if (start < 0)
		start += len;
	if (end < 0)
		end += len;
	if (start < 0)
		start = 0;
	if (start > end || start >= len) {
		client_array(c, 0);
		return;
	}
	if (end >= len)
		end = len - 1;
	client_array(c, end - start + 1);
	for (long long i = start; i <= end; i++) {
		const struct obj *s = obj_list_at(l, (size_t)i);

		client_bulk(c, obj_str_ptr(s), s->len);
	}
}

void
cmd_llen(struct client *c)
{
	struct obj *l;

	if (!server_lookup_typed(c, 1, true, OBJ_LIST, &l))
		return;
	client_int(c, l ? (long long)obj_list_len(l) : 0);
}

/* LINDEX key index: the type is checked before the index. */
void
cmd_lindex(struct client *c)
{
	struct obj *l;
	long long idx, len;
	const struct obj *s;

	if (!server_lookup_typed(c, 1, true, OBJ_LIST, &l))
		return;
	if (l == NULL) {
		client_null(c);
		return;
	}
	if (!arg_ll(c, 2, &idx))
		return;
	len = (long long)obj_list_len(l);
	if (idx < 0)
		idx += len;
	if (idx < 0 || idx >= len) {
		client_null(c);
		return;
	}
	s = obj_list_at(l, (size_t)idx);
	client_bulk(c, obj_str_ptr(s), s->len);
}
