/*
 * obj.h - the values of the keyspace: strings, lists, hashes and sets.
 */
#ifndef SENTINEL_KV_OBJ_H
#define SENTINEL_KV_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"

enum obj_type {
	OBJ_STRING = 0,
	OBJ_LIST,
	OBJ_SET,
	OBJ_HASH,
};

/* Common head of every value. */
struct obj {
	uint32_t	type;
	uint32_t	len;	/* strings: byte length */
};

struct obj_str {
	struct obj	h;
	char		data[];	/* len bytes and a NUL */
};

/* A list is a ring of string values. */
struct obj_list {
	struct obj	  h;
	struct obj	**v;
	size_t		  head, n, cap;
};

/* Hash: field -> string value; set: member -> NULL. */
struct obj_map {
	struct obj	h;
	struct hmap	map;
};

struct obj	*obj_str_new(const char *p, size_t n);
struct obj	*obj_str_ll(long long v);
static inline const char *obj_str_ptr(const struct obj *o) { return ((const struct obj_str *)o)->data; }
static inline char *obj_str_mut(struct obj *o) { return ((struct obj_str *)o)->data; }
/* Append to a string, which may move: returns the new object. */
struct obj	*obj_str_append(struct obj *o, const char *p, size_t n);
/* Parse a string value as a strict integer. */
bool		 obj_str_to_ll(const struct obj *o, long long *v);

struct obj	*obj_list_new(void);
void		 obj_list_push(struct obj *l, struct obj *s, bool head);
struct obj	*obj_list_pop(struct obj *l, bool head);
struct obj	*obj_list_at(const struct obj *l, size_t i);
static inline size_t obj_list_len(const struct obj *l) { return ((const struct obj_list *)l)->n; }

struct obj	*obj_map_new(enum obj_type type);
static inline struct hmap *obj_map(struct obj *o) { return &((struct obj_map *)o)->map; }
static inline const struct hmap *obj_cmap(const struct obj *o) { return &((const struct obj_map *)o)->map; }

/* Free any value (lists, hashes and sets with their elements). */
void		 obj_free(struct obj *o);
void		 obj_free_cb(void *o);
const char	*obj_type_name(const struct obj *o);
/* Rough memory used by a value, for INFO memory. */
size_t		 obj_memory(const struct obj *o);

#endif
