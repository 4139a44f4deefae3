/*
 * cmd_string.c - the string commands: GET, SET and its variants, counters,
 * APPEND and the range commands.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"
#include "server.h"
#include "util.h"

/* SET options, as they may be combined. */
#define SET_NX		0x01
#define SET_XX		0x02
#define SET_GET		0x04
#define SET_KEEPTTL	0x08
#define SET_EX		0x10
#define SET_PX		0x20
#define SET_EXAT	0x40
#define SET_PXAT	0x80
#define SET_EXPIRE	(SET_EX | SET_PX | SET_EXAT | SET_PXAT)

/* Longest text a long double is parsed from or printed to. */
#define LD_MAX_CHARS	(5 * 1024)

/* A string value of n bytes left for the caller to fill (NUL added). */
static struct obj *
str_alloc(size_t n)
{
	struct obj_str *s = xmalloc(sizeof *s + n + 1);

	s->h.type = OBJ_STRING;
	s->h.len = (uint32_t)n;
	s->data[n] = '\0';
	return &s->h;
}


static inline struct obj *
obj_of(const struct hmap_entry *e)
{
	return e != NULL ? e->val : NULL;
}

/*
 * The key's entry when it holds a string or is missing (read: a lookup to
 * read, counted); false after a WRONGTYPE reply.
 */
static inline bool
lookup_string(struct client *c, int i, bool read, struct hmap_entry **ep)
{
	struct hmap_entry *e = read ? server_find_read(c, i) :
	    db_find(c->db, c->argv[i], c->argvlen[i]);

	if (e != NULL && ((struct obj *)e->val)->type != OBJ_STRING) {
		reply_wrongtype(c);
		return false;
	}
	*ep = e;
	return true;
}

/* A string may not grow past proto-max-bulk-len (the master is obeyed). */
static bool
check_length(struct client *c, long long size, long long append)
{
	unsigned long long total = (unsigned long long)size +
	    (unsigned long long)append;

	if (c->flags & CLIENT_MASTER) {
		if (total <= UINT32_MAX)
			return true;
	} else if (total <= (unsigned long long)srv.proto_max_bulk_len &&
	    total <= UINT32_MAX)
		return true;
	client_err(c, "ERR string exceeds maximum allowed size "
	    "(proto-max-bulk-len)");
	return false;
}

/* Redis's error for a bad expire time names the command. */
static void
reply_expire_error(struct client *c, const char *cmd)
{
	client_errf(c, "ERR invalid expire time in '%s' command", cmd);
}

/*
 * Turn an EX/PX/EXAT/PXAT argument into absolute unix ms, refusing
 * non-positive times and overflow as Redis does.
 */
static bool
expire_arg(struct client *c, int i, int flags, const char *cmd,
    long long *when)
{
	long long v;

	if (!arg_ll(c, i, &v))
		return false;
	if (v <= 0 || ((flags & (SET_EX | SET_EXAT)) && v > LLONG_MAX / 1000)) {
		reply_expire_error(c, cmd);
		return false;
	}
	if (flags & (SET_EX | SET_EXAT))
		v *= 1000;
	if (flags & (SET_EX | SET_PX)) {
		long long now = util_wall_ms();

		if (v > LLONG_MAX - now) {
			reply_expire_error(c, cmd);
			return false;
		}
		v += now;
	}
	*when = v;
	return true;
}

/* Does argument i spell word (two to seven ASCII letters)? */
static inline bool
opt_is(const struct client *c, int i, const char *word, size_t n)
{
	return c->argvlen[i] == n && strncasecmp(c->argv[i], word, n) == 0;
}

/* Parse SET's options; false after a syntax error. */
static bool
set_options(struct client *c, int *flags, int *expire_at)
{
	for (int j = 3; j < c->argc; j++) {
		bool next = j + 1 < c->argc;
		int f = *flags;

		if (opt_is(c, j, "nx", 2) && !(f & SET_XX))
			*flags |= SET_NX;
		else if (opt_is(c, j, "xx", 2) && !(f & SET_NX))
			*flags |= SET_XX;
		else if (opt_is(c, j, "get", 3))
			*flags |= SET_GET;
		else if (opt_is(c, j, "keepttl", 7) && !(f & SET_EXPIRE))
			*flags |= SET_KEEPTTL;
		else if (opt_is(c, j, "ex", 2) && next &&
		    !(f & (SET_KEEPTTL | (SET_EXPIRE & ~SET_EX)))) {
			*flags |= SET_EX;
			*expire_at = ++j;
		} else if (opt_is(c, j, "px", 2) && next &&
		    !(f & (SET_KEEPTTL | (SET_EXPIRE & ~SET_PX)))) {
			*flags |= SET_PX;
			*expire_at = ++j;
		} else if (opt_is(c, j, "exat", 4) && next &&
		    !(f & (SET_KEEPTTL | (SET_EXPIRE & ~SET_EXAT)))) {
			*flags |= SET_EXAT;
			*expire_at = ++j;
		} else if (opt_is(c, j, "pxat", 4) && next &&
		    !(f & (SET_KEEPTTL | (SET_EXPIRE & ~SET_PXAT)))) {
			*flags |= SET_PXAT;
			*expire_at = ++j;
		} else {
			reply_syntax_error(c);
			return false;
		}
	}
	return true;
}

/* Store a copy of argument i as the value of key argument k, clearing any TTL. */
static inline struct hmap_entry *
store_arg(struct client *c, int k, int i, bool keep_ttl)
{
	return db_set(c->db, c->argv[k], c->argvlen[k],
	    obj_str_new(c->argv[i], c->argvlen[i]), keep_ttl);
}

/*
 * The heart of SET, SETNX, SETEX and PSETEX: the expire time is checked
 * first, then GET's reply, then NX/XX. ok and abort are the integer replies
 * of SETNX (-1 for +OK / null).
 */
static void
set_generic(struct client *c, int flags, int vi, int expire_at,
    const char *cmd, int ok, int abort)
{
	struct hmap_entry *e;
	long long when = -1;

	if (expire_at > 0 && !expire_arg(c, expire_at, flags, cmd, &when))
		return;
	/* Only GET cares about the old value's type. */
	if (flags & SET_GET) {
		if (!lookup_string(c, 1, true, &e))
			return;
		if (e == NULL)
			client_null(c);
		else
			client_bulk(c, obj_str_ptr(e->val),
			    ((struct obj *)e->val)->len);
	} else
		e = db_find(c->db, c->argv[1], c->argvlen[1]);
	if (((flags & SET_NX) && e != NULL) || ((flags & SET_XX) && e == NULL)) {
		if (flags & SET_GET)
			return;
		if (abort >= 0)
			client_int(c, abort);
		else
			client_null(c);
		return;
	}
	e = store_arg(c, 1, vi, (flags & SET_KEEPTTL) != 0);
	if (when >= 0)
		db_set_expire(c->db, e, when);
	server_dirty(1);
	if (flags & SET_GET)
		return;
	if (ok >= 0)
		client_int(c, ok);
	else
		client_ok(c);
}

/* GET key: on the benchmark path, so no detours. */
void
cmd_get(struct client *c)
{
	struct hmap_entry *e;
	const struct obj *o;

	if (!lookup_string(c, 1, true, &e))
		return;
	if (e == NULL) {
		client_null(c);
		return;
	}
	o = e->val;
	client_bulk(c, obj_str_ptr(o), o->len);
}

/* SET key value [options]: the plain form skips the option machinery. */
void
cmd_set(struct client *c)
{
	int flags = 0, expire_at = 0;

	if (c->argc == 3) {
		/* An expired key is removed (and counted) before it is replaced. */
		if (dbs[c->db].expires.count > 0)
			(void)db_find(c->db, c->argv[1], c->argvlen[1]);
		store_arg(c, 1, 2, false);
		server_dirty(1);
		client_ok(c);
		return;
	}
	if (!set_options(c, &flags, &expire_at))
		return;
	set_generic(c, flags, 2, expire_at, "set", -1, -1);
}

void
cmd_setnx(struct client *c)
{
	set_generic(c, SET_NX, 2, 0, "setnx", 1, 0);
}

void
cmd_setex(struct client *c)
{
	set_generic(c, SET_EX, 3, 2, "setex", -1, -1);
}

void
cmd_psetex(struct client *c)
{
	set_generic(c, SET_PX, 3, 2, "psetex", -1, -1);
}

/* MGET key...: anything that is not a string reads as null. */
void
cmd_mget(struct client *c)
{
	client_array(c, c->argc - 1);
	for (int i = 1; i < c->argc; i++) {
		const struct obj *o = obj_of(server_find_read(c, i));

		if (o == NULL || o->type != OBJ_STRING)
			client_null(c);
		else
			client_bulk(c, obj_str_ptr(o), o->len);
	}
}

/* MSET and MSETNX; MSETNX sets nothing when any key exists. */
static void
mset_generic(struct client *c, bool nx)
{
	if (c->argc % 2 == 0) {
		client_err_arity(c, c->argv[0]);
		return;
	}
	if (nx) {
		for (int i = 1; i < c->argc; i += 2) {
			if (db_find(c->db, c->argv[i], c->argvlen[i]) != NULL) {
				client_int(c, 0);
				return;
			}
		}
	}
	for (int i = 1; i < c->argc; i += 2) {
		if (!nx && dbs[c->db].expires.count > 0)
			(void)db_find(c->db, c->argv[i], c->argvlen[i]);
		store_arg(c, i, i + 1, false);
	}
	server_dirty((c->argc - 1) / 2);
	if (nx)
		client_int(c, 1);
	else
		client_ok(c);
}

void
cmd_mset(struct client *c)
{
	mset_generic(c, false);
}

void
cmd_msetnx(struct client *c)
{
	mset_generic(c, true);
}

/*
 * Add incr to the integer in a key, keeping its TTL; the new digits are
 * written in place when they fit.
 */
static void
incr_generic(struct client *c, long long incr)
{
	struct hmap_entry *e;
	struct obj *o;
	long long v = 0;
	char tmp[24];
	size_t n;

	if (!lookup_string(c, 1, false, &e))
		return;
	if (e != NULL && !obj_str_to_ll(e->val, &v)) {
		reply_not_integer(c);
		return;
	}
	if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) ||
	    (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
		client_err(c, "ERR increment or decrement would overflow");
		return;
	}
	v += incr;
	n = util_ll2str(tmp, v);
	if (e == NULL) {
		db_set(c->db, c->argv[1], c->argvlen[1], obj_str_new(tmp, n),
		    false);
	} else if (n <= (o = e->val)->len) {
		memcpy(obj_str_mut(o), tmp, n + 1);
		o->len = (uint32_t)n;
	} else {
		e->val = obj_str_new(tmp, n);
		obj_free(o);
	}
	server_dirty(1);
	client_int(c, v);
}

void
cmd_incr(struct client *c)
{
	incr_generic(c, 1);
}

void
cmd_decr(struct client *c)
{
	incr_generic(c, -1);
}

void
cmd_incrby(struct client *c)
{
	long long v;

	if (arg_ll(c, 2, &v))
		incr_generic(c, v);
}

void
cmd_decrby(struct client *c)
{
	long long v;

	if (!arg_ll(c, 2, &v))
		return;
	if (v == LLONG_MIN) {
		client_err(c, "ERR decrement would overflow");
		return;
	}
	incr_generic(c, -v);
}

/* A long double read the way Redis's string2ld reads it. */
static bool
parse_ld(const char *s, size_t len, long double *out)
{
	char buf[LD_MAX_CHARS], *end;
	long double v;

	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtold(buf, &end);
	if (isspace((unsigned char)buf[0]) || *end != '\0' ||
	    (size_t)(end - buf) != len || errno == EINVAL || isnan(v) ||
	    (errno == ERANGE && (isinf(v) || fpclassify(v) == FP_ZERO)))
		return false;
	*out = v;
	return true;
}

/*
 * A long double printed for people: 17 decimals, trailing zeros dropped,
 * "-0" as "0". Returns the length, 0 when it does not fit.
 */
static size_t
format_ld(char *buf, size_t cap, long double v)
{
	int n = snprintf(buf, cap, "%.17Lf", v);
	size_t l;

	if (n < 0 || (size_t)n + 1 > cap)
		return 0;
	l = (size_t)n;
	if (memchr(buf, '.', l) != NULL) {
		while (buf[l - 1] == '0')
			l--;
		if (buf[l - 1] == '.')
			l--;
	}
	if (l == 2 && buf[0] == '-' && buf[1] == '0') {
		buf[0] = '0';
		l = 1;
	}
	buf[l] = '\0';
	return l;
}

/* INCRBYFLOAT key incr: long double arithmetic, the TTL is kept. */
void
cmd_incrbyfloat(struct client *c)
{
	struct hmap_entry *e;
	long double v = 0, incr;
	char buf[LD_MAX_CHARS];
	struct obj *no;
	size_t n;

	if (!lookup_string(c, 1, false, &e))
		return;
	if ((e != NULL && !parse_ld(obj_str_ptr(e->val),
	    ((struct obj *)e->val)->len, &v)) ||
	    !parse_ld(c->argv[2], c->argvlen[2], &incr)) {
		client_err(c, "ERR value is not a valid float");
		return;
	}
	v += incr;
	if (isnan(v) || isinf(v)) {
		client_err(c, "ERR increment would produce NaN or Infinity");
		return;
	}
	if ((n = format_ld(buf, sizeof buf, v)) == 0) {
		client_err(c, "ERR value is not a valid float");
		return;
	}
	no = obj_str_new(buf, n);
	if (e == NULL)
		db_set(c->db, c->argv[1], c->argvlen[1], no, false);
	else {
		obj_free(e->val);
		e->val = no;
	}
	server_dirty(1);
	client_bulk(c, buf, n);
}

/* APPEND key value: creates the key, keeps the TTL otherwise. */
void
cmd_append(struct client *c)
{
	struct hmap_entry *e;
	struct obj *o;

	if (!lookup_string(c, 1, false, &e))
		return;
	if (e == NULL) {
		o = store_arg(c, 1, 2, false)->val;
	} else {
		o = e->val;
		if (!check_length(c, o->len, (long long)c->argvlen[2]))
			return;
		if (c->argvlen[2] > 0)
			e->val = o = obj_str_append(o, c->argv[2],
			    c->argvlen[2]);
	}
	server_dirty(1);
	client_int(c, o->len);
}

void
cmd_strlen(struct client *c)
{
	struct hmap_entry *e;

	if (!lookup_string(c, 1, true, &e))
		return;
	client_int(c, e ? ((struct obj *)e->val)->len : 0);
}

/* GETSET key value: the old value, and the new one without a TTL. */
void
cmd_getset(struct client *c)
{
	struct hmap_entry *e;

	if (!lookup_string(c, 1, true, &e))
		return;
	if (e == NULL)
		client_null(c);
	else
		client_bulk(c, obj_str_ptr(e->val), ((struct obj *)e->val)->len);
	store_arg(c, 1, 2, false);
	server_dirty(1);
}

void
cmd_getdel(struct client *c)
{
	struct hmap_entry *e;

	if (!lookup_string(c, 1, true, &e))
		return;
	if (e == NULL) {
		client_null(c);
		return;
	}
	client_bulk(c, obj_str_ptr(e->val), ((struct obj *)e->val)->len);
	db_delete(c->db, c->argv[1], c->argvlen[1]);
	server_dirty(1);
}

/* GETRANGE key start end: inclusive, negative from the end, clamped. */
void
cmd_getrange(struct client *c)
{
	struct hmap_entry *e;
	long long start, end, len;
	const struct obj *o;

	if (!arg_ll(c, 2, &start) || !arg_ll(c, 3, &end))
		return;
	if (!lookup_string(c, 1, true, &e))
		return;
	if (e == NULL) {
		client_bulk(c, "", 0);
		return;
	}
	o = e->val;
	len = o->len;
	if (start < 0 && end < 0 && start > end) {
		client_bulk(c, "", 0);
		return;
	}
	if (start < 0)
		start += len;
	if (end < 0)
		end += len;
	if (start < 0)
		start = 0;
	if (end < 0)
		end = 0;
	if (end >= len)
		end = len - 1;
	if (start > end || len == 0)
		client_bulk(c, "", 0);
	else
		client_bulk(c, obj_str_ptr(o) + start, (size_t)(end - start + 1));
}

/* SETRANGE key offset value: zero-fills any gap, keeps the TTL. */
void
cmd_setrange(struct client *c)
{
	struct hmap_entry *e;
	long long off;
	size_t vlen = c->argvlen[3], need;
	struct obj *o;

	if (!arg_ll(c, 2, &off))
		return;
	if (off < 0) {
		client_err(c, "ERR offset is out of range");
		return;
	}
	if (!lookup_string(c, 1, false, &e))
		return;
	if (e == NULL) {
		if (vlen == 0) {
			client_int(c, 0);
			return;
		}
		if (!check_length(c, off, (long long)vlen))
			return;
		o = str_alloc((size_t)off + vlen);
		memset(obj_str_mut(o), 0, (size_t)off);
		e = db_set(c->db, c->argv[1], c->argvlen[1], o, false);
	} else {
		o = e->val;
		if (vlen == 0) {
			client_int(c, o->len);
			return;
		}
		if (!check_length(c, off, (long long)vlen))
			return;
		need = (size_t)off + vlen;
		if (need > o->len) {
			size_t old = o->len;
			struct obj_str *s = xrealloc(o, sizeof *s + need + 1);

			memset(s->data + old, 0, need - old);
			s->data[need] = '\0';
			s->h.len = (uint32_t)need;
			e->val = o = &s->h;
		}
	}
	memcpy(obj_str_mut(o) + off, c->argv[3], vlen);
	server_dirty(1);
	client_int(c, o->len);
}
