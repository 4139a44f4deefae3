/*
 * obj.c - string, list, hash and set values.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "obj.h"
#include "util.h"

struct obj *
obj_str_new(const char *p, size_t n)
{
	struct obj_str *s;

	if (n > UINT32_MAX)
		fatalx("string value too long");
	s = xmalloc(sizeof *s + n + 1);
	s->h.type = OBJ_STRING;
	s->h.len = (uint32_t)n;
	if (n > 0)
		memcpy(s->data, p, n);
	s->data[n] = '\0';
	return &s->h;
}

struct obj *
obj_str_ll(long long v)
{
	char tmp[24];
	size_t n = util_ll2str(tmp, v);

	return obj_str_new(tmp, n);
}

struct obj *
obj_str_append(struct obj *o, const char *p, size_t n)
{
	struct obj_str *s = (struct obj_str *)o;
	size_t len = o->len;

	if (len + n > UINT32_MAX)
		fatalx("string value too long");
	s = xrealloc(s, sizeof *s + len + n + 1);
	memcpy(s->data + len, p, n);
	s->h.len = (uint32_t)(len + n);
	s->data[len + n] = '\0';
	return &s->h;
}

bool
obj_str_to_ll(const struct obj *o, long long *v)
{
	return util_parse_ll(obj_str_ptr(o), o->len, v);
}

struct obj *
obj_list_new(void)
{
	struct obj_list *l = xcalloc(1, sizeof *l);

	l->h.type = OBJ_LIST;
	return &l->h;
}

static void
list_grow(struct obj_list *l)
{
	size_t ncap = l->cap ? l->cap * 2 : 8;
	struct obj **v = xreallocarray(NULL, ncap, sizeof *v);

	for (size_t i = 0; i < l->n; i++)
		v[i] = l->v[(l->head + i) % l->cap];
	free(l->v);
	l->v = v;
	l->cap = ncap;
	l->head = 0;
}

void
obj_list_push(struct obj *o, struct obj *s, bool head)
{
	struct obj_list *l = (struct obj_list *)o;

	if (l->n == l->cap)
		list_grow(l);
	if (head) {
		l->head = (l->head + l->cap - 1) % l->cap;
		l->v[l->head] = s;
	} else {
		l->v[(l->head + l->n) % l->cap] = s;
	}
	l->n++;
}

struct obj *
obj_list_pop(struct obj *o, bool head)
{
	struct obj_list *l = (struct obj_list *)o;
	struct obj *s;

	if (l->n == 0)
		return NULL;
	if (head) {
		s = l->v[l->head];
		l->head = (l->head + 1) % l->cap;
	} else {
		s = l->v[(l->head + l->n - 1) % l->cap];
	}
	l->n--;
	return s;
}

struct obj *
obj_list_at(const struct obj *o, size_t i)
{
	const struct obj_list *l = (const struct obj_list *)o;

	return i < l->n ? l->v[(l->head + i) % l->cap] : NULL;
}

struct obj *
obj_map_new(enum obj_type type)
{
	struct obj_map *m = xcalloc(1, sizeof *m);

	m->h.type = type;
	hmap_init(&m->map);
	return &m->h;
}

void
obj_free(struct obj *o)
{
	if (o == NULL)
		return;
	switch (o->type) {
	case OBJ_LIST: {
		struct obj_list *l = (struct obj_list *)o;

		for (size_t i = 0; i < l->n; i++)
			free(l->v[(l->head + i) % l->cap]);
		free(l->v);
		break;
	}
	case OBJ_HASH:
	case OBJ_SET:
		hmap_clear(obj_map(o), free);
		break;
	default:
		break;
	}
	free(o);
}

void
obj_free_cb(void *o)
{
	obj_free(o);
}

const char *
obj_type_name(const struct obj *o)
{
	switch (o->type) {
	case OBJ_STRING: return "string";
	case OBJ_LIST: return "list";
	case OBJ_SET: return "set";
	case OBJ_HASH: return "hash";
	}
	return "none";
}

size_t
obj_memory(const struct obj *o)
{
	switch (o->type) {
	case OBJ_STRING:
		return sizeof(struct obj_str) + o->len + 1;
	case OBJ_LIST: {
		const struct obj_list *l = (const struct obj_list *)o;
		size_t n = sizeof *l + l->cap * sizeof(void *);

		for (size_t i = 0; i < l->n; i++)
			n += sizeof(struct obj_str) + obj_list_at(o, i)->len + 1;
		return n;
	}
	default:
		return sizeof(struct obj_map) + hmap_memory(obj_cmap(o)) +
		    obj_cmap(o)->count * (sizeof(struct hmap_entry) + 16);
	}
}
