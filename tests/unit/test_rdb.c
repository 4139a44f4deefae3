/*
 * test_rdb.c - the RDB writer and reader: CRC64, length and string
 * encodings, round trips of every type, the compact encodings real Redis
 * servers write (built here byte by byte), corrupt and truncated images,
 * and a dump.rdb written by a real redis-server 7.0.15.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "rdb.h"
#include "util.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "tests"
#endif

/* ------------------------------------------------------------ recorder */

/*
 * Everything the reader delivers, two ways: the event stream in order
 * (for prefix checks), and one text block per key (type, db, key, expiry,
 * then its elements) that can be compared as a whole.
 */
struct rec {
	struct buf	  log;
	char		**blocks;
	size_t		  nblocks;
	char		**aux;		/* "name=value" */
	size_t		  naux;
	int		  db;
	/* the key being read */
	struct buf	  head;
	char		**elems;
	size_t		  nelems;
	int		  kind;		/* 'l', 's', 'h' */
	int		  fail_after;	/* stop after this many callbacks, -1 never */
	int		  calls;
};

static void
rec_init(struct rec *rc)
{
	memset(rc, 0, sizeof *rc);
	buf_init(&rc->log);
	buf_init(&rc->head);
	rc->fail_after = -1;
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
rec_free(struct rec *rc)
{
	buf_free(&rc->log);
	buf_free(&rc->head);
	strv_free(rc->blocks, rc->nblocks);
	strv_free(rc->aux, rc->naux);
	strv_free(rc->elems, rc->nelems);
}

static void
strv_push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

static char *
repr(const char *p, size_t n)
{
	struct buf b = BUF_INIT;
	char *s;

	util_repr(&b, p, n);
	s = xstrdup(b.data);
	buf_free(&b);
	return s;
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The block for a key: members of sets and hashes sorted. */
static char *
block_make(const char *head, char **elems, size_t n, int kind)
{
	struct buf b = BUF_INIT;
	char *s;

	if (kind == 's' || kind == 'h')
		qsort(elems, n, sizeof *elems, strp_cmp);
	buf_appends(&b, head);
	for (size_t i = 0; i < n; i++)
		buf_appendf(&b, "\t%s\n", elems[i]);
	s = xstrdup(b.data);
	buf_free(&b);
	return s;
}

static int
rec_tick(struct rec *rc)
{
	if (rc->fail_after >= 0 && rc->calls >= rc->fail_after)
		return -1;
	rc->calls++;
	return 0;
}

static int
rec_aux(void *ctx, const char *n, size_t nlen, const char *v, size_t vlen)
{
	struct rec *rc = ctx;
	char *a = repr(n, nlen), *b = repr(v, vlen);

	buf_appendf(&rc->log, "aux %s %s\n", a, b);
	strv_push(&rc->aux, &rc->naux, xasprintf("%.*s=%.*s", (int)nlen, n,
	    (int)vlen, v));
	free(a);
	free(b);
	return rec_tick(rc);
}

static int
rec_select(void *ctx, int db)
{
	struct rec *rc = ctx;

	buf_appendf(&rc->log, "db %d\n", db);
	rc->db = db;
	return rec_tick(rc);
}

static int
rec_resize(void *ctx, uint64_t a, uint64_t b)
{
	struct rec *rc = ctx;

	buf_appendf(&rc->log, "resize %llu %llu\n", (unsigned long long)a,
	    (unsigned long long)b);
	return rec_tick(rc);
}

static int
rec_string(void *ctx, const char *k, size_t klen, const char *v, size_t vlen,
    long long exp)
{
	struct rec *rc = ctx;
	char *a = repr(k, klen), *b = repr(v, vlen), *line;

	line = xasprintf("db%d string %s %lld %s\n", rc->db, a, exp, b);
	buf_appends(&rc->log, line);
	strv_push(&rc->blocks, &rc->nblocks, line);
	free(a);
	free(b);
	return rec_tick(rc);
}

static int
rec_begin(struct rec *rc, int kind, const char *k, size_t klen, long long exp)
{
	char *a = repr(k, klen);
	const char *t = kind == 'l' ? "list" : kind == 's' ? "set" : "hash";

	buf_clear(&rc->head);
	buf_appendf(&rc->head, "db%d %s %s %lld\n", rc->db, t, a, exp);
	buf_appends(&rc->log, rc->head.data);
	rc->kind = kind;
	free(a);
	return rec_tick(rc);
}

static int
rec_list(void *ctx, const char *k, size_t klen, long long exp)
{
	return rec_begin(ctx, 'l', k, klen, exp);
}

static int
rec_set(void *ctx, const char *k, size_t klen, long long exp)
{
	return rec_begin(ctx, 's', k, klen, exp);
}

static int
rec_hash(void *ctx, const char *k, size_t klen, long long exp)
{
	return rec_begin(ctx, 'h', k, klen, exp);
}

static int
rec_item(void *ctx, const char *p, size_t n)
{
	struct rec *rc = ctx;
	char *a = repr(p, n);

	buf_appendf(&rc->log, "\t%s\n", a);
	strv_push(&rc->elems, &rc->nelems, a);
	return rec_tick(rc);
}

static int
rec_field(void *ctx, const char *f, size_t flen, const char *v, size_t vlen)
{
	struct rec *rc = ctx;
	char *a = repr(f, flen), *b = repr(v, vlen), *s;

	s = xasprintf("%s %s", a, b);
	buf_appendf(&rc->log, "\t%s\n", s);
	strv_push(&rc->elems, &rc->nelems, s);
	free(a);
	free(b);
	return rec_tick(rc);
}

static int
rec_end(void *ctx)
{
	struct rec *rc = ctx;

	buf_appends(&rc->log, "end\n");
	strv_push(&rc->blocks, &rc->nblocks, block_make(rc->head.data,
	    rc->elems, rc->nelems, rc->kind));
	strv_free(rc->elems, rc->nelems);
	rc->elems = NULL;
	rc->nelems = 0;
	return rec_tick(rc);
}

static const struct rdb_callbacks rec_cb_template = {
	NULL, rec_aux, rec_select, rec_resize, rec_string, rec_list, rec_set,
	rec_hash, rec_item, rec_field, rec_end
};

/* Reads a whole image; returns the last rdb_reader_next result (0 or -1). */
static int
read_all(const void *img, size_t len, struct rec *rc, char *err, size_t errlen)
{
	struct rdb_callbacks cb = rec_cb_template;
	struct rdb_reader r;
	int ret;

	cb.ctx = rc;
	if (rdb_reader_init(&r, img, len) == -1) {
		snprintf(err, errlen, "%s", r.error);
		rdb_reader_free(&r);
		return -1;
	}
	while ((ret = rdb_reader_next(&r, &cb)) == 1)
		;
	/* Sticky: once finished or failed, it stays so. */
	assert_int_equal(rdb_reader_next(&r, &cb), ret);
	if (ret == -1)
		assert_true(r.error[0] != '\0');
	snprintf(err, errlen, "%s", r.error);
	rdb_reader_free(&r);
	return ret;
}

/* ------------------------------------------------------- expectations */

/* Expected blocks, built with the same formatting as the recorder. */
struct expect {
	char	**blocks;
	size_t	  n;
	struct buf head;
	char	**elems;
	size_t	  nelems;
	int	  kind;
};

static void
exp_string(struct expect *e, int db, const char *k, size_t klen,
    const char *v, size_t vlen, long long exp)
{
	char *a = repr(k, klen), *b = repr(v, vlen);

	strv_push(&e->blocks, &e->n, xasprintf("db%d string %s %lld %s\n", db,
	    a, exp, b));
	free(a);
	free(b);
}

static void
exp_begin(struct expect *e, int db, int kind, const char *k, long long exp)
{
	char *a = repr(k, strlen(k));
	const char *t = kind == 'l' ? "list" : kind == 's' ? "set" : "hash";

	buf_clear(&e->head);
	buf_appendf(&e->head, "db%d %s %s %lld\n", db, t, a, exp);
	e->kind = kind;
	free(a);
}

static void
exp_item(struct expect *e, const char *p, size_t n)
{
	strv_push(&e->elems, &e->nelems, repr(p, n));
}

static void
exp_field(struct expect *e, const char *f, size_t flen, const char *v,
    size_t vlen)
{
	char *a = repr(f, flen), *b = repr(v, vlen);

	strv_push(&e->elems, &e->nelems, xasprintf("%s %s", a, b));
	free(a);
	free(b);
}

static void
exp_end(struct expect *e)
{
	strv_push(&e->blocks, &e->n, block_make(e->head.data, e->elems,
	    e->nelems, e->kind));
	strv_free(e->elems, e->nelems);
	e->elems = NULL;
	e->nelems = 0;
}

static void
exp_free(struct expect *e)
{
	strv_free(e->blocks, e->n);
	strv_free(e->elems, e->nelems);
	buf_free(&e->head);
}

/* Same blocks (in order, or as multisets when sorted is set). */
static void
assert_blocks(struct rec *rc, struct expect *e, int sorted)
{
	if (sorted) {
		qsort(rc->blocks, rc->nblocks, sizeof *rc->blocks, strp_cmp);
		qsort(e->blocks, e->n, sizeof *e->blocks, strp_cmp);
	}
	for (size_t i = 0; i < rc->nblocks && i < e->n; i++)
		assert_string_equal(rc->blocks[i], e->blocks[i]);
	assert_int_equal(rc->nblocks, e->n);
}

/* -------------------------------------------------- raw image building */

static void
raw_len(struct buf *b, uint64_t len)
{
	unsigned char c[9];

	if (len < 64) {
		buf_appendc(b, (char)len);
	} else if (len < 16384) {
		c[0] = (unsigned char)(0x40 | (len >> 8));
		c[1] = (unsigned char)len;
		buf_append(b, c, 2);
	} else if (len <= UINT32_MAX) {
		c[0] = 0x80;
		for (int i = 0; i < 4; i++)
			c[1 + i] = (unsigned char)(len >> (24 - 8 * i));
		buf_append(b, c, 5);
	} else {
		c[0] = 0x81;
		for (int i = 0; i < 8; i++)
			c[1 + i] = (unsigned char)(len >> (56 - 8 * i));
		buf_append(b, c, 9);
	}
}

static void
raw_str(struct buf *b, const void *p, size_t n)
{
	raw_len(b, n);
	buf_append(b, p, n);
}

static void
raw_le(struct buf *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		buf_appendc(b, (char)(v >> (8 * i)));
}

static void
raw_header(struct buf *b, int version)
{
	buf_appendf(b, "REDIS%04d", version);
	buf_appendc(b, (char)0xfe);	/* SELECTDB 0 */
	buf_appendc(b, 0);
}

/* EOF and the CRC (or a zero CRC: "not computed"). */
static void
raw_end(struct buf *b, int with_crc)
{
	buf_appendc(b, (char)0xff);
	raw_le(b, with_crc ? rdb_crc64(0, b->data, b->len) : 0, 8);
}

static void
raw_key(struct buf *b, int type, const char *key)
{
	buf_appendc(b, (char)type);
	raw_str(b, key, strlen(key));
}

/* A canonical integer, as Redis decides whether to store one as such. */
static int
canon_int(const char *s, long long *v)
{
	char tmp[24];

	return util_parse_ll(s, strlen(s), v) &&
	    util_ll2str(tmp, *v) == strlen(s) && strcmp(tmp, s) == 0;
}

/* A ziplist of the given entries, with the integer encodings Redis picks. */
static void
build_ziplist(struct buf *zl, const char *const *ents, size_t n)
{
	size_t prev = 0, start, tail = 10;
	long long v;

	buf_clear(zl);
	raw_le(zl, 0, 4);
	raw_le(zl, 0, 4);
	raw_le(zl, n, 2);
	for (size_t i = 0; i < n; i++) {
		const char *s = ents[i];
		size_t len = strlen(s);

		start = zl->len;
		tail = start;
		if (prev < 254)
			buf_appendc(zl, (char)prev);
		else {
			buf_appendc(zl, (char)0xfe);
			raw_le(zl, prev, 4);
		}
		if (canon_int(s, &v)) {
			if (v >= 0 && v <= 12)
				buf_appendc(zl, (char)(0xf1 + v));
			else if (v >= INT8_MIN && v <= INT8_MAX) {
				buf_appendc(zl, (char)0xfe);
				raw_le(zl, (uint64_t)v, 1);
			} else if (v >= INT16_MIN && v <= INT16_MAX) {
				buf_appendc(zl, (char)0xc0);
				raw_le(zl, (uint64_t)v, 2);
			} else if (v >= -(1 << 23) && v < (1 << 23)) {
				buf_appendc(zl, (char)0xf0);
				raw_le(zl, (uint64_t)v, 3);
			} else if (v >= INT32_MIN && v <= INT32_MAX) {
				buf_appendc(zl, (char)0xd0);
				raw_le(zl, (uint64_t)v, 4);
			} else {
				buf_appendc(zl, (char)0xe0);
				raw_le(zl, (uint64_t)v, 8);
			}
		} else {
			if (len < 64)
				buf_appendc(zl, (char)len);
			else if (len < 16384) {
				buf_appendc(zl, (char)(0x40 | (len >> 8)));
				buf_appendc(zl, (char)len);
			} else {
				buf_appendc(zl, (char)0x80);
				for (int k = 0; k < 4; k++)
					buf_appendc(zl, (char)(len >> (24 - 8 * k)));
			}
			buf_append(zl, s, len);
		}
		prev = zl->len - start;
	}
	buf_appendc(zl, (char)0xff);
	for (int k = 0; k < 4; k++) {
		zl->data[k] = (char)(zl->len >> (8 * k));
		zl->data[4 + k] = (char)(tail >> (8 * k));
	}
}

/* A listpack of the given entries, with the encodings Redis picks. */
static void
build_listpack(struct buf *lp, const char *const *ents, size_t n)
{
	long long v;
	size_t start, l;

	buf_clear(lp);
	raw_le(lp, 0, 4);
	raw_le(lp, n, 2);
	for (size_t i = 0; i < n; i++) {
		const char *s = ents[i];
		size_t len = strlen(s);

		start = lp->len;
		if (canon_int(s, &v)) {
			if (v >= 0 && v <= 127)
				buf_appendc(lp, (char)v);
			else if (v >= -4096 && v <= 4095) {
				uint64_t u = (uint64_t)v & 0x1fff;
				buf_appendc(lp, (char)(0xc0 | (u >> 8)));
				buf_appendc(lp, (char)u);
			} else if (v >= INT16_MIN && v <= INT16_MAX) {
				buf_appendc(lp, (char)0xf1);
				raw_le(lp, (uint64_t)v, 2);
			} else if (v >= -(1 << 23) && v < (1 << 23)) {
				buf_appendc(lp, (char)0xf2);
				raw_le(lp, (uint64_t)v, 3);
			} else if (v >= INT32_MIN && v <= INT32_MAX) {
				buf_appendc(lp, (char)0xf3);
				raw_le(lp, (uint64_t)v, 4);
			} else {
				buf_appendc(lp, (char)0xf4);
				raw_le(lp, (uint64_t)v, 8);
			}
		} else {
			if (len < 64)
				buf_appendc(lp, (char)(0x80 | len));
			else if (len < 4096) {
				buf_appendc(lp, (char)(0xe0 | (len >> 8)));
				buf_appendc(lp, (char)len);
			} else {
				buf_appendc(lp, (char)0xf0);
				raw_le(lp, len, 4);
			}
			buf_append(lp, s, len);
		}
		l = lp->len - start;
		/* backlen: 7-bit groups, most significant first, high bit on all but the first */
		if (l <= 127)
			buf_appendc(lp, (char)l);
		else if (l < 16383) {
			buf_appendc(lp, (char)(l >> 7));
			buf_appendc(lp, (char)((l & 127) | 128));
		} else {
			buf_appendc(lp, (char)(l >> 14));
			buf_appendc(lp, (char)(((l >> 7) & 127) | 128));
			buf_appendc(lp, (char)((l & 127) | 128));
		}
	}
	buf_appendc(lp, (char)0xff);
	for (int k = 0; k < 4; k++)
		lp->data[k] = (char)(lp->len >> (8 * k));
}

/* An intset of the given width. */
static void
build_intset(struct buf *is, int width, const long long *v, size_t n)
{
	buf_clear(is);
	raw_le(is, (uint64_t)width, 4);
	raw_le(is, n, 4);
	for (size_t i = 0; i < n; i++)
		raw_le(is, (uint64_t)v[i], width);
}

/*
 * A small LZF compressor (greedy, brute-force matches): enough to make
 * valid compressed strings with literals and short and long references.
 */
static void
lzf_compress(struct buf *out, const unsigned char *in, size_t n)
{
	size_t i = 0, lit = 0, litstart = 0;

	buf_clear(out);
	while (i < n) {
		size_t best = 0, bestoff = 0;

		for (size_t j = i > 8192 ? i - 8192 : 0; j < i; j++) {
			size_t l = 0;

			while (i + l < n && l < 264 && in[j + l] == in[i + l])
				l++;
			if (l > best) {
				best = l;
				bestoff = i - j - 1;
			}
			if (best == 264)
				break;
		}
		if (best >= 3) {
			if (lit > 0) {
				buf_appendc(out, (char)(lit - 1));
				buf_append(out, in + litstart, lit);
				lit = 0;
			}
			if (best - 2 < 7)
				buf_appendc(out, (char)(((best - 2) << 5) |
				    (bestoff >> 8)));
			else {
				buf_appendc(out, (char)((7 << 5) | (bestoff >> 8)));
				buf_appendc(out, (char)(best - 2 - 7));
			}
			buf_appendc(out, (char)(bestoff & 0xff));
			i += best;
			continue;
		}
		if (lit == 0)
			litstart = i;
		lit++;
		i++;
		if (lit == 32) {
			buf_appendc(out, (char)(lit - 1));
			buf_append(out, in + litstart, lit);
			lit = 0;
		}
	}
	if (lit > 0) {
		buf_appendc(out, (char)(lit - 1));
		buf_append(out, in + litstart, lit);
	}
}

/* An LZF-encoded RDB string. */
static void
raw_lzf_str(struct buf *b, const void *p, size_t n)
{
	struct buf c = BUF_INIT;

	lzf_compress(&c, p, n);
	buf_appendc(b, (char)0xc3);
	raw_len(b, c.len);
	raw_len(b, n);
	buf_append(b, c.data, c.len);
	buf_free(&c);
}

/* ---------------------------------------------------------------- tests */

static void
test_crc64(void **state)
{
	const char *s = "123456789";
	uint64_t c;

	(void)state;
	assert_true(rdb_crc64(0, s, 9) == 0xe9c6d914c4b8d9caULL);
	/* Incremental use gives the same result. */
	c = rdb_crc64(0, s, 4);
	c = rdb_crc64(c, s + 4, 5);
	assert_true(c == 0xe9c6d914c4b8d9caULL);
	assert_true(rdb_crc64(0, s, 0) == 0);
}

/* Writes one string value of n bytes and returns the bytes after the key. */
static void
write_one(struct rdb_writer *w, const char *val, size_t n)
{
	rdb_writer_init(w);
	rdb_write_header(w, NULL);
	rdb_write_string(w, "k", 1, val, n, -1);
	rdb_write_end(w);
}

static void
test_length_encodings(void **state)
{
	static const size_t lens[] = { 0, 1, 63, 64, 16383, 16384, 70000 };
	/* Expected first bytes of the length prefix for each. */
	static const unsigned char pfx[][5] = {
		{ 0x00 }, { 0x01 }, { 0x3f }, { 0x40, 0x40 }, { 0x7f, 0xff },
		{ 0x80, 0x00, 0x00, 0x40, 0x00 }, { 0x80, 0x00, 0x01, 0x11, 0x70 },
	};
	static const size_t pfxlen[] = { 1, 1, 1, 2, 2, 5, 5 };
	struct rdb_writer w;
	struct rec rc;
	struct expect e;
	char err[256], *val;
	size_t off = 9 + 1 + 2;	/* magic, type, key "k" */

	(void)state;
	val = xmalloc(70000);
	for (size_t i = 0; i < 70000; i++)
		val[i] = (char)('a' + i % 26);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		write_one(&w, val, lens[i]);
		assert_memory_equal(w.out.data + off, pfx[i], pfxlen[i]);
		assert_memory_equal(w.out.data + off + pfxlen[i], val, lens[i]);
		rec_init(&rc);
		memset(&e, 0, sizeof e);
		exp_string(&e, 0, "k", 1, val, lens[i], -1);
		assert_int_equal(read_all(w.out.data, w.out.len, &rc, err,
		    sizeof err), 0);
		assert_blocks(&rc, &e, 0);
		exp_free(&e);
		rec_free(&rc);
		rdb_writer_free(&w);
	}
	free(val);

	/* 64-bit lengths, through the RESIZEDB size hint. */
	rdb_writer_init(&w);
	rdb_write_header(&w, NULL);
	rdb_write_select_db(&w, 5, 1ULL << 40, 4294967295ULL);
	rdb_write_end(&w);
	assert_int_equal((unsigned char)w.out.data[9], 0xfe);
	assert_int_equal((unsigned char)w.out.data[10], 5);
	assert_int_equal((unsigned char)w.out.data[11], 0xfb);
	assert_int_equal((unsigned char)w.out.data[12], 0x81);
	assert_int_equal((unsigned char)w.out.data[21], 0x80);
	rec_init(&rc);
	assert_int_equal(read_all(w.out.data, w.out.len, &rc, err, sizeof err),
	    0);
	assert_string_equal(rc.log.data, "db 5\nresize 1099511627776 4294967295\n");
	rec_free(&rc);
	rdb_writer_free(&w);
}

static void
test_int_strings(void **state)
{
	static const struct {
		const char	*s;
		int		 enc;	/* 0xc0..0xc2, or 0 for plain */
	} t[] = {
		{ "0", 0xc0 }, { "-128", 0xc0 }, { "127", 0xc0 },
		{ "128", 0xc1 }, { "-32768", 0xc1 }, { "32767", 0xc1 },
		{ "32768", 0xc2 }, { "2147483647", 0xc2 },
		{ "-2147483648", 0xc2 }, { "2147483648", 0 }, { "007", 0 },
		{ "+1", 0 }, { "-0", 0 }, { " 1", 0 }, { "1 ", 0 },
		{ "12345678901", 0 }, { "", 0 }, { "1.5", 0 },
	};
	struct rdb_writer w;
	struct rec rc;
	struct expect e;
	char err[256];
	size_t off = 9 + 1 + 2;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		write_one(&w, t[i].s, strlen(t[i].s));
		if (t[i].enc != 0)
			assert_int_equal((unsigned char)w.out.data[off], t[i].enc);
		else
			assert_int_equal((unsigned char)w.out.data[off],
			    strlen(t[i].s));
		rec_init(&rc);
		memset(&e, 0, sizeof e);
		exp_string(&e, 0, "k", 1, t[i].s, strlen(t[i].s), -1);
		assert_int_equal(read_all(w.out.data, w.out.len, &rc, err,
		    sizeof err), 0);
		assert_blocks(&rc, &e, 0);
		exp_free(&e);
		rec_free(&rc);
		rdb_writer_free(&w);
	}
}

/*
 * An image with every type, with and without expiry, empty, binary and
 * long values, several databases and many keys; its expected blocks.
 */
static void
make_image(struct rdb_writer *w, struct expect *e, int many, int drain,
    struct buf *drained)
{
	static const char *const aux[] = {
		"redis-ver", "7.0.15", "redis-bits", "64", "ctime", "1700000000",
		"used-mem", "1048576", "repl-stream-db", "0", "repl-id",
		"0123456789abcdef0123456789abcdef01234567", "repl-offset", "0",
		"aof-base", "0", NULL
	};
	static const char bin[] = "a\0b\r\nc\xff";
	char *big;
	char k[64], v[64];
	size_t bign = 70000;

#define DRAIN() do {							\
	if (drain) {							\
		rdb_writer_sync_crc(w);					\
		buf_append(drained, w->out.data, w->out.len);		\
		buf_consume(&w->out, w->out.len);			\
	}								\
} while (0)

	big = xmalloc(bign);
	for (size_t i = 0; i < bign; i++)
		big[i] = (char)(i * 7 + i / 300);
	memset(e, 0, sizeof *e);
	rdb_writer_init(w);
	rdb_write_header(w, aux);
	DRAIN();
	rdb_write_select_db(w, 0, 9, 4);

	rdb_write_string(w, "s", 1, "hello", 5, -1);
	exp_string(e, 0, "s", 1, "hello", 5, -1);
	rdb_write_string(w, "s:ttl", 5, "42", 2, 1700000000123LL);
	exp_string(e, 0, "s:ttl", 5, "42", 2, 1700000000123LL);
	rdb_write_string(w, "", 0, "", 0, 0);
	exp_string(e, 0, "", 0, "", 0, 0);
	rdb_write_string(w, bin, sizeof bin - 1, bin, sizeof bin - 1, -1);
	exp_string(e, 0, bin, sizeof bin - 1, bin, sizeof bin - 1, -1);
	DRAIN();
	rdb_write_string(w, "big", 3, big, bign, 4102444800000LL);
	exp_string(e, 0, "big", 3, big, bign, 4102444800000LL);
	DRAIN();
	rdb_write_string(w, "mid", 3, big, 20000, -1);
	exp_string(e, 0, "mid", 3, big, 20000, -1);

	rdb_write_list_begin(w, "l", 1, 5, -1);
	exp_begin(e, 0, 'l', "l", -1);
	rdb_write_item(w, "x", 1);
	exp_item(e, "x", 1);
	rdb_write_item(w, "", 0);
	exp_item(e, "", 0);
	DRAIN();
	rdb_write_item(w, "-12", 3);
	exp_item(e, "-12", 3);
	rdb_write_item(w, bin, sizeof bin - 1);
	exp_item(e, bin, sizeof bin - 1);
	rdb_write_item(w, big, 17000);
	exp_item(e, big, 17000);
	exp_end(e);

	rdb_write_list_begin(w, "l:ttl", 5, 1, 1700000000000LL);
	exp_begin(e, 0, 'l', "l:ttl", 1700000000000LL);
	rdb_write_item(w, "only", 4);
	exp_item(e, "only", 4);
	exp_end(e);

	rdb_write_set_begin(w, "st", 2, 3, -1);
	exp_begin(e, 0, 's', "st", -1);
	rdb_write_item(w, "1", 1);
	exp_item(e, "1", 1);
	rdb_write_item(w, "b", 1);
	exp_item(e, "b", 1);
	rdb_write_item(w, "", 0);
	exp_item(e, "", 0);
	exp_end(e);

	rdb_write_set_begin(w, "st:ttl", 6, 1, 1);
	exp_begin(e, 0, 's', "st:ttl", 1);
	rdb_write_item(w, bin, sizeof bin - 1);
	exp_item(e, bin, sizeof bin - 1);
	exp_end(e);

	rdb_write_hash_begin(w, "h", 1, 3, -1);
	exp_begin(e, 0, 'h', "h", -1);
	rdb_write_field(w, "f", 1, "v", 1);
	exp_field(e, "f", 1, "v", 1);
	rdb_write_field(w, "", 0, "", 0);
	exp_field(e, "", 0, "", 0);
	DRAIN();
	rdb_write_field(w, "n", 1, "100000", 6);
	exp_field(e, "n", 1, "100000", 6);
	exp_end(e);

	rdb_write_hash_begin(w, "h:ttl", 5, 2, 1700000000999LL);
	exp_begin(e, 0, 'h', "h:ttl", 1700000000999LL);
	rdb_write_field(w, bin, sizeof bin - 1, big, 66000);
	exp_field(e, bin, sizeof bin - 1, big, 66000);
	rdb_write_field(w, "0", 1, "-1", 2);
	exp_field(e, "0", 1, "-1", 2);
	exp_end(e);

	rdb_write_select_db(w, 15, (uint64_t)many, 0);
	for (int i = 0; i < many; i++) {
		int kl = snprintf(k, sizeof k, "key:%d", i);
		int vl = snprintf(v, sizeof v, "%d", i * 37 - 500);

		rdb_write_string(w, k, (size_t)kl, v, (size_t)vl, -1);
		exp_string(e, 15, k, (size_t)kl, v, (size_t)vl, -1);
		if (i % 100 == 0)
			DRAIN();
	}
	rdb_write_end(w);
	DRAIN();
	free(big);
#undef DRAIN
}

static void
test_roundtrip(void **state)
{
	struct rdb_writer w;
	struct expect e;
	struct rec rc;
	char err[256];

	(void)state;
	make_image(&w, &e, 1000, 0, NULL);
	rec_init(&rc);
	assert_int_equal(read_all(w.out.data, w.out.len, &rc, err, sizeof err),
	    0);
	assert_blocks(&rc, &e, 0);
	assert_int_equal(rc.naux, 8);
	assert_string_equal(rc.aux[0], "redis-ver=7.0.15");
	assert_string_equal(rc.aux[1], "redis-bits=64");
	assert_string_equal(rc.aux[5], "repl-id=0123456789abcdef0123456789abcdef01234567");
	assert_string_equal(rc.aux[7], "aof-base=0");
	/* The trailer is the CRC of everything before it. */
	assert_true(rdb_crc64(0, w.out.data, w.out.len - 8) ==
	    (uint64_t)(unsigned char)w.out.data[w.out.len - 8] +
	    ((uint64_t)(unsigned char)w.out.data[w.out.len - 7] << 8) +
	    ((uint64_t)(unsigned char)w.out.data[w.out.len - 6] << 16) +
	    ((uint64_t)(unsigned char)w.out.data[w.out.len - 5] << 24) +
	    ((uint64_t)(unsigned char)w.out.data[w.out.len - 4] << 32) +
	    ((uint64_t)(unsigned char)w.out.data[w.out.len - 3] << 40) +
	    ((uint64_t)(unsigned char)w.out.data[w.out.len - 2] << 48) +
	    ((uint64_t)(unsigned char)w.out.data[w.out.len - 1] << 56));
	rec_free(&rc);
	exp_free(&e);
	rdb_writer_free(&w);
}

/* Draining the writer's buffer between calls leaves the same image. */
static void
test_drain(void **state)
{
	struct rdb_writer w, w2;
	struct expect e, e2;
	struct buf drained = BUF_INIT;

	(void)state;
	make_image(&w, &e, 300, 0, NULL);
	make_image(&w2, &e2, 300, 1, &drained);
	assert_int_equal(w2.out.len, 0);
	assert_int_equal(drained.len, w.out.len);
	assert_memory_equal(drained.data, w.out.data, w.out.len);
	buf_free(&drained);
	exp_free(&e);
	exp_free(&e2);
	rdb_writer_free(&w);
	rdb_writer_free(&w2);
}

/* Reads up to the first error; the events must be a prefix of the full read. */
static void
check_prefix(const char *img, size_t len, const struct buf *full_log)
{
	struct rec rc;
	char err[256];

	rec_init(&rc);
	if (read_all(img, len, &rc, err, sizeof err) == 0)
		assert_string_equal(rc.log.data ? rc.log.data : "",
		    full_log->data);
	else if (rc.log.len > 0)
		assert_memory_equal(rc.log.data, full_log->data, rc.log.len);
	rec_free(&rc);
}

/* A small image of every type (written by us), for mutation tests. */
static void
small_image(struct rdb_writer *w)
{
	static const char *const aux[] = { "redis-ver", "7.0.15", NULL };

	rdb_writer_init(w);
	rdb_write_header(w, aux);
	rdb_write_select_db(w, 1, 4, 1);
	rdb_write_string(w, "s", 1, "v\r\n", 3, 1700000000000LL);
	rdb_write_string(w, "i", 1, "-300", 4, -1);
	rdb_write_list_begin(w, "l", 1, 2, -1);
	rdb_write_item(w, "a", 1);
	rdb_write_item(w, "70000", 5);
	rdb_write_set_begin(w, "st", 2, 2, -1);
	rdb_write_item(w, "m1", 2);
	rdb_write_item(w, "", 0);
	rdb_write_hash_begin(w, "h", 1, 1, -1);
	rdb_write_field(w, "f", 1, "val", 3);
	rdb_write_end(w);
}

static void
test_truncated(void **state)
{
	struct rdb_writer w;
	struct rec full;
	char err[256];

	(void)state;
	small_image(&w);
	rec_init(&full);
	assert_int_equal(read_all(w.out.data, w.out.len, &full, err,
	    sizeof err), 0);
	for (size_t n = 0; n < w.out.len; n++) {
		struct rec rc;
		/* A copy of just n bytes, so that ASan sees any overread. */
		char *img = xmalloc(n + 1);

		memcpy(img, w.out.data, n);
		rec_init(&rc);
		assert_int_equal(read_all(img, n, &rc, err, sizeof err), -1);
		if (rc.log.len > 0)
			assert_memory_equal(rc.log.data, full.log.data,
			    rc.log.len);
		rec_free(&rc);
		free(img);
	}
	rec_free(&full);
	rdb_writer_free(&w);
}

static void
test_corrupted(void **state)
{
	static const unsigned char masks[] = { 0x01, 0x40, 0x80, 0xff };
	struct rdb_writer w;
	struct rec full, rc;
	char err[256], *img;

	(void)state;
	small_image(&w);
	rec_init(&full);
	assert_int_equal(read_all(w.out.data, w.out.len, &full, err,
	    sizeof err), 0);
	img = xmalloc(w.out.len);
	for (size_t i = 0; i < w.out.len; i++) {
		for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
			memcpy(img, w.out.data, w.out.len);
			img[i] ^= (char)masks[m];
			/* With the CRC on, no change goes unnoticed. */
			rec_init(&rc);
			assert_int_equal(read_all(img, w.out.len, &rc, err,
			    sizeof err), -1);
			rec_free(&rc);
			/* With it off, the structure alone must hold. */
			if (i < w.out.len - 8) {
				memset(img + w.out.len - 8, 0, 8);
				rec_init(&rc);
				(void)read_all(img, w.out.len, &rc, err,
				    sizeof err);
				rec_free(&rc);
			}
		}
	}
	free(img);
	check_prefix(w.out.data, w.out.len, &full.log);
	rec_free(&full);
	rdb_writer_free(&w);
}

static void
test_checksum(void **state)
{
	struct rdb_writer w;
	struct rec rc;
	char err[256];

	(void)state;
	small_image(&w);
	/* A wrong trailer. */
	w.out.data[w.out.len - 1] ^= 1;
	rec_init(&rc);
	assert_int_equal(read_all(w.out.data, w.out.len, &rc, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "checksum"));
	rec_free(&rc);
	/* A zero trailer: not computed, accepted. */
	memset(w.out.data + w.out.len - 8, 0, 8);
	rec_init(&rc);
	assert_int_equal(read_all(w.out.data, w.out.len, &rc, err, sizeof err),
	    0);
	assert_non_null(strstr(rc.log.data, "db1 hash \"h\" -1\n\t\"f\" \"val\"\n"));
	rec_free(&rc);
	rdb_writer_free(&w);
}

static void
test_version(void **state)
{
	struct buf b = BUF_INIT;
	struct rec rc;
	char err[256];

	(void)state;
	/* Newer than we know. */
	raw_header(&b, 11);
	raw_end(&b, 1);
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), -1);
	assert_non_null(strstr(err, "version 11"));
	assert_non_null(strstr(err, "newer"));
	rec_free(&rc);

	/* Not an RDB file at all. */
	buf_clear(&b);
	buf_appends(&b, "RUBY0009\xff");
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), -1);
	assert_non_null(strstr(err, "signature"));
	rec_free(&rc);
	buf_clear(&b);
	buf_appends(&b, "REDIS00x9\xff");
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), -1);
	rec_free(&rc);
	buf_clear(&b);
	raw_header(&b, 0);
	raw_end(&b, 1);
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), -1);
	rec_free(&rc);

	/* Version 4: no checksum after EOF, EXPIRETIME in seconds. */
	buf_clear(&b);
	raw_header(&b, 4);
	buf_appendc(&b, (char)0xfd);
	raw_le(&b, 1700000000, 4);
	raw_key(&b, 0, "k");
	raw_str(&b, "v", 1);
	buf_appendc(&b, (char)0xff);
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), 0);
	assert_string_equal(rc.log.data,
	    "db 0\ndb0 string \"k\" 1700000000000 \"v\"\n");
	rec_free(&rc);
	buf_free(&b);
}

/* A key of a type we do not load: the error names the type and the key. */
static void
check_unsupported(int type, const char *name)
{
	struct buf b = BUF_INIT;
	struct rec rc;
	char err[256];

	raw_header(&b, 10);
	raw_key(&b, type, "zk");
	raw_len(&b, 1);
	raw_str(&b, "m", 1);
	buf_appendc(&b, 1);
	raw_end(&b, 1);
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), -1);
	assert_non_null(strstr(err, name));
	assert_non_null(strstr(err, "\"zk\""));
	rec_free(&rc);
	buf_free(&b);
}

static void
test_unsupported_types(void **state)
{
	struct buf b = BUF_INIT;
	struct rec rc;
	char err[256];

	(void)state;
	check_unsupported(3, "zset");
	check_unsupported(5, "zset");
	check_unsupported(12, "zset");
	check_unsupported(17, "zset");
	check_unsupported(15, "stream");
	check_unsupported(19, "stream");
	check_unsupported(7, "module");
	/* An unknown type or opcode. */
	raw_header(&b, 10);
	raw_key(&b, 42, "k");
	raw_end(&b, 1);
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), -1);
	assert_non_null(strstr(err, "42"));
	rec_free(&rc);
	buf_free(&b);
}

/* Opcodes we skip: functions, module aux data, LRU/LFU info. */
static void
test_skipped_opcodes(void **state)
{
	struct buf b = BUF_INIT;
	struct rec rc;
	char err[256];

	(void)state;
	raw_header(&b, 10);
	/* FUNCTION2 with its code. */
	buf_appendc(&b, (char)0xf5);
	raw_str(&b, "#!lua name=x\n", 13);
	/* MODULE_AUX: id, when (annotated uint), uint, string, double, float, EOF. */
	buf_appendc(&b, (char)0xf7);
	raw_len(&b, 1ULL << 40);
	raw_len(&b, 2);
	raw_len(&b, 2);
	raw_len(&b, 2);
	raw_len(&b, 12345);
	raw_len(&b, 5);
	raw_str(&b, "data", 4);
	raw_len(&b, 4);
	raw_le(&b, 0, 8);
	raw_len(&b, 3);
	raw_le(&b, 0, 4);
	raw_len(&b, 0);
	/* FREQ and IDLE before a key with an expiry. */
	buf_appendc(&b, (char)0xfc);
	raw_le(&b, 1700000000555ULL, 8);
	buf_appendc(&b, (char)0xf9);
	buf_appendc(&b, 5);
	buf_appendc(&b, (char)0xf8);
	raw_len(&b, 1000);
	raw_key(&b, 0, "k");
	raw_str(&b, "v", 1);
	/* A key without expiry after it: the expiry does not carry over. */
	buf_appendc(&b, (char)0xf8);
	raw_len(&b, 7);
	raw_key(&b, 0, "k2");
	raw_str(&b, "v2", 2);
	raw_end(&b, 1);
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), 0);
	assert_string_equal(rc.log.data, "db 0\n"
	    "db0 string \"k\" 1700000000555 \"v\"\n"
	    "db0 string \"k2\" -1 \"v2\"\n");
	rec_free(&rc);

	/* An expiry followed by an opcode instead of a key. */
	buf_clear(&b);
	raw_header(&b, 10);
	buf_appendc(&b, (char)0xfc);
	raw_le(&b, 1, 8);
	buf_appendc(&b, (char)0xfe);
	buf_appendc(&b, 0);
	raw_end(&b, 1);
	rec_init(&rc);
	assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err), -1);
	rec_free(&rc);
	buf_free(&b);
}

/*
 * An image of every encoded container, built byte by byte as Redis writes
 * them; big selects long strings (past the 14-bit and 16-bit lengths).
 */
static void
containers_image(struct buf *b, struct expect *e, int big)
{
	static const char *const list_ents[] = {
		"a", "", "0", "12", "13", "-1", "127", "-128", "300", "-32768",
		"70000", "-8388608", "8388607", "8388608", "2147483647",
		"-2147483649", "9223372036854775807", "-9223372036854775808",
		"007", "+5", "1.5",
		/* 64..16383 and longer strings are filled in below */
		NULL, NULL, NULL
	};
	static const char *const lp_ents[] = {
		"0", "127", "128", "-1", "-4096", "4095", "4096", "-32768",
		"32767", "-8388608", "8388607", "2147483647", "-2147483648",
		"2147483648", "-9223372036854775808", "x", "", "-0",
		NULL, NULL, NULL
	};
	static const long long is16[] = { -32768, -1, 0, 5, 32767 };
	static const long long is32[] = { -2147483647LL - 1, 70000, 2147483647 };
	static const long long is64[] = { INT64_MIN, -1, 5000000000LL, INT64_MAX };
	const char *ents[24];
	char *s64, *s300, *s20k;
	struct buf c = BUF_INIT;
	size_t nl, np, nr = big ? 5000 : 300, nx = big ? 20000 : 120;
	size_t nk = big ? 1000 : 300;

	s64 = xmalloc(65);
	memset(s64, 'q', 64);
	s64[64] = '\0';
	s300 = xmalloc(nr + 1);
	memset(s300, 'r', nr);
	s300[nr] = '\0';
	s20k = xmalloc(nx + 1);
	for (size_t i = 0; i < nx; i++)
		s20k[i] = (char)('A' + i % 50);
	s20k[nx] = '\0';

	memset(e, 0, sizeof *e);
	raw_header(b, 10);

	/* List ziplist (10), every ziplist encoding, big prevlen too. */
	for (nl = 0; list_ents[nl] != NULL; nl++)
		ents[nl] = list_ents[nl];
	ents[nl++] = s64;
	ents[nl++] = s300;
	ents[nl++] = s20k;
	build_ziplist(&c, ents, nl);
	raw_key(b, 10, "zl");
	raw_str(b, c.data, c.len);
	exp_begin(e, 0, 'l', "zl", -1);
	for (size_t i = 0; i < nl; i++)
		exp_item(e, ents[i], strlen(ents[i]));
	exp_end(e);

	/* Hash ziplist (13). */
	ents[0] = "f1"; ents[1] = "v1"; ents[2] = "7"; ents[3] = "-70000";
	ents[4] = s64; ents[5] = "";
	build_ziplist(&c, ents, 6);
	raw_key(b, 13, "zh");
	raw_str(b, c.data, c.len);
	exp_begin(e, 0, 'h', "zh", -1);
	for (size_t i = 0; i < 6; i += 2)
		exp_field(e, ents[i], strlen(ents[i]), ents[i + 1],
		    strlen(ents[i + 1]));
	exp_end(e);

	/* Intsets (11) of every width. */
	build_intset(&c, 2, is16, ARRAY_SIZE(is16));
	raw_key(b, 11, "is16");
	raw_str(b, c.data, c.len);
	build_intset(&c, 4, is32, ARRAY_SIZE(is32));
	raw_key(b, 11, "is32");
	raw_str(b, c.data, c.len);
	build_intset(&c, 8, is64, ARRAY_SIZE(is64));
	raw_key(b, 11, "is64");
	raw_lzf_str(b, c.data, c.len);		/* compressed, too */
	{
		static const struct { const char *k; const long long *v; size_t n; } sets[] = {
			{ "is16", is16, ARRAY_SIZE(is16) },
			{ "is32", is32, ARRAY_SIZE(is32) },
			{ "is64", is64, ARRAY_SIZE(is64) },
		};
		for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
			exp_begin(e, 0, 's', sets[i].k, -1);
			for (size_t j = 0; j < sets[i].n; j++) {
				char t[24];
				exp_item(e, t, util_ll2str(t, sets[i].v[j]));
			}
			exp_end(e);
		}
	}

	/* Hash listpack (16), every listpack encoding. */
	for (np = 0; lp_ents[np] != NULL; np++)
		ents[np] = lp_ents[np];
	ents[np++] = s64;
	ents[np++] = s300;
	ents[np++] = s20k;
	ents[np++] = "odd";
	build_listpack(&c, ents, np);
	buf_appendc(b, (char)0xfc);
	raw_le(b, 1700000000001ULL, 8);
	raw_key(b, 16, "lph");
	raw_str(b, c.data, c.len);
	exp_begin(e, 0, 'h', "lph", 1700000000001LL);
	for (size_t i = 0; i < np; i += 2)
		exp_field(e, ents[i], strlen(ents[i]), ents[i + 1],
		    strlen(ents[i + 1]));
	exp_end(e);

	/* Quicklist (14): ziplist nodes, one LZF-compressed, one empty. */
	raw_key(b, 14, "ql");
	raw_len(b, 3);
	ents[0] = "n1a"; ents[1] = "12345";
	build_ziplist(&c, ents, 2);
	raw_str(b, c.data, c.len);
	build_ziplist(&c, ents, 0);
	raw_str(b, c.data, c.len);
	for (int i = 0; i < 20; i++)
		ents[i] = "repeated-value";
	build_ziplist(&c, ents, 20);
	raw_lzf_str(b, c.data, c.len);
	exp_begin(e, 0, 'l', "ql", -1);
	exp_item(e, "n1a", 3);
	exp_item(e, "12345", 5);
	for (int i = 0; i < 20; i++)
		exp_item(e, "repeated-value", 14);
	exp_end(e);

	/* Quicklist 2 (18): packed listpack nodes and a plain node. */
	raw_key(b, 18, "ql2");
	raw_len(b, 3);
	raw_len(b, 2);
	ents[0] = "p1"; ents[1] = "-2";
	build_listpack(&c, ents, 2);
	raw_str(b, c.data, c.len);
	raw_len(b, 1);
	raw_lzf_str(b, s20k, nx);
	raw_len(b, 2);
	ents[0] = "p3";
	build_listpack(&c, ents, 1);
	raw_lzf_str(b, c.data, c.len);
	exp_begin(e, 0, 'l', "ql2", -1);
	exp_item(e, "p1", 2);
	exp_item(e, "-2", 2);
	exp_item(e, s20k, nx);
	exp_item(e, "p3", 2);
	exp_end(e);

	/* Zipmap (9), with free space after a value and a long value. */
	raw_key(b, 9, "zm");
	buf_clear(&c);
	buf_appendc(&c, 2);
	buf_appendc(&c, 1); buf_append(&c, "a", 1);
	buf_appendc(&c, 2); buf_appendc(&c, 3); buf_append(&c, "bcxyz", 5);
	buf_appendc(&c, (char)0xfe); raw_le(&c, 300, 4);
	buf_append(&c, s300, 300);
	buf_appendc(&c, 0); buf_appendc(&c, 0);
	buf_appendc(&c, (char)0xff);
	raw_str(b, c.data, c.len);
	exp_begin(e, 0, 'h', "zm", -1);
	exp_field(e, "a", 1, "bc", 2);
	exp_field(e, s300, 300, "", 0);
	exp_end(e);

	/* Empty aggregates are skipped, as Redis does. */
	raw_key(b, 1, "empty-list");
	raw_len(b, 0);
	build_listpack(&c, ents, 0);
	raw_key(b, 16, "empty-lp");
	raw_str(b, c.data, c.len);

	/* An LZF-compressed key and string value. */
	buf_appendc(b, 0);
	raw_lzf_str(b, s300, nk);
	raw_lzf_str(b, s20k, nx);
	exp_string(e, 0, s300, nk, s20k, nx, -1);

	raw_end(b, 1);
	buf_free(&c);
	free(s64);
	free(s300);
	free(s20k);
}

static void
test_containers(void **state)
{
	struct buf b = BUF_INIT;
	struct expect e;
	struct rec rc;
	char err[256], *img;

	(void)state;
	for (int big = 1; big >= 0; big--) {
		buf_clear(&b);
		containers_image(&b, &e, big);
		rec_init(&rc);
		assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err),
		    0);
		assert_blocks(&rc, &e, 0);
		rec_free(&rc);
		exp_free(&e);
	}

	/*
	 * Any single byte change: no crash (CRC off so the decoders see it),
	 * in an exact-size copy so that ASan sees any overread.
	 */
	memset(b.data + b.len - 8, 0, 8);
	img = xmalloc(b.len);
	for (size_t i = 9; i < b.len - 9; i++) {
		for (int m = 0; m < 3; m++) {
			memcpy(img, b.data, b.len);
			img[i] ^= (char)(m == 0 ? 0x01 : m == 1 ? 0x80 : 0x3c);
			rec_init(&rc);
			(void)read_all(img, b.len, &rc, err, sizeof err);
			rec_free(&rc);
		}
	}
	free(img);
	buf_free(&b);
}

/* Damaged containers and strings give errors, not crashes. */
static void
test_bad_encodings(void **state)
{
	static const char *const two[] = { "aa", "bb" };
	static const long long one[] = { 1 };
	struct buf b = BUF_INIT, c = BUF_INIT;
	struct rec rc;
	char err[256];
	int cases = 0;

	(void)state;
	for (int t = 0; t < 12; t++) {
		buf_clear(&b);
		raw_header(&b, 10);
		switch (t) {
		case 0:		/* ziplist: wrong total size */
			build_ziplist(&c, two, 2);
			c.data[0]++;
			raw_key(&b, 10, "k");
			raw_str(&b, c.data, c.len);
			break;
		case 1:		/* ziplist: bad prevlen */
			build_ziplist(&c, two, 2);
			c.data[10 + 4] = 9;
			raw_key(&b, 10, "k");
			raw_str(&b, c.data, c.len);
			break;
		case 2:		/* listpack: string runs past the end */
			build_listpack(&c, two, 2);
			c.data[6] = (char)(0x80 | 60);
			raw_key(&b, 18, "k");
			raw_len(&b, 1);
			raw_len(&b, 2);
			raw_str(&b, c.data, c.len);
			break;
		case 3:		/* listpack: bad back length */
			build_listpack(&c, two, 2);
			c.data[6 + 3]++;
			raw_key(&b, 16, "k");
			raw_str(&b, c.data, c.len);
			break;
		case 4:		/* intset: width 3 */
			build_intset(&c, 2, one, 1);
			c.data[0] = 3;
			raw_key(&b, 11, "k");
			raw_str(&b, c.data, c.len);
			break;
		case 5:		/* intset: count larger than the data */
			build_intset(&c, 2, one, 1);
			c.data[4] = 2;
			raw_key(&b, 11, "k");
			raw_str(&b, c.data, c.len);
			break;
		case 6:		/* LZF: back reference before the start */
			raw_key(&b, 0, "k");
			buf_appendc(&b, (char)0xc3);
			raw_len(&b, 4);
			raw_len(&b, 10);
			buf_append(&b, "\x00" "a" "\x20\x05", 4);
			break;
		case 7:		/* LZF: claims a huge length */
			raw_key(&b, 0, "k");
			buf_appendc(&b, (char)0xc3);
			raw_len(&b, 2);
			buf_appendc(&b, (char)0x81);
			raw_le(&b, 0x10000000000ULL, 8);
			buf_append(&b, "\x00" "a", 2);
			break;
		case 8:		/* list: a count of 2^32 */
			raw_key(&b, 1, "k");
			raw_len(&b, 1ULL << 32);
			raw_str(&b, "a", 1);
			break;
		case 9:		/* hash listpack with an odd number of entries */
			build_listpack(&c, two, 1);
			raw_key(&b, 16, "k");
			raw_str(&b, c.data, c.len);
			break;
		case 10:	/* quicklist 2: unknown container */
			build_listpack(&c, two, 2);
			raw_key(&b, 18, "k");
			raw_len(&b, 1);
			raw_len(&b, 3);
			raw_str(&b, c.data, c.len);
			break;
		case 11:	/* unknown string encoding */
			raw_key(&b, 0, "k");
			buf_appendc(&b, (char)0xc4);
			break;
		}
		raw_end(&b, 1);
		rec_init(&rc);
		assert_int_equal(read_all(b.data, b.len, &rc, err, sizeof err),
		    -1);
		assert_true(strlen(err) > 0);
		rec_free(&rc);
		cases++;
	}
	assert_int_equal(cases, 12);
	buf_free(&b);
	buf_free(&c);
}

/* A callback's refusal stops the reader with an error. */
static void
test_callback_stop(void **state)
{
	struct rdb_writer w;
	struct rec rc;
	char err[256];
	int total;

	(void)state;
	small_image(&w);
	rec_init(&rc);
	assert_int_equal(read_all(w.out.data, w.out.len, &rc, err, sizeof err),
	    0);
	total = rc.calls;
	rec_free(&rc);
	for (int i = 0; i < total; i++) {
		rec_init(&rc);
		rc.fail_after = i;
		assert_int_equal(read_all(w.out.data, w.out.len, &rc, err,
		    sizeof err), -1);
		assert_non_null(strstr(err, "stopped"));
		assert_int_equal(rc.calls, i);
		rec_free(&rc);
	}
	rdb_writer_free(&w);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char tmp[8192];
	size_t n;

	assert_non_null(f);
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	*len = b.len;
	return b.data;
}

/*
 * tests/unit/data/rdb/redis-7.0.15.rdb, written by a real redis-server
 * 7.0.15 (gen-redis-7.0.15.sh next to it): intset and hashtable sets,
 * listpack and hashtable hashes, quicklist 2 lists with LZF-compressed
 * and plain nodes, integer-encoded and LZF-compressed strings.
 */
static void
test_redis_fixture(void **state)
{
	struct expect e;
	struct rec rc;
	char err[256], k[32], v[32], *img, *lzf, *xs;
	size_t len;
	int found_ver = 0;

	(void)state;
	memset(&e, 0, sizeof e);
	exp_string(&e, 0, "str:small", 9, "hello", 5, -1);
	exp_string(&e, 0, "str:int8", 8, "-7", 2, -1);
	exp_string(&e, 0, "str:int16", 9, "1234", 4, -1);
	exp_string(&e, 0, "str:int32", 9, "2147483647", 10, -1);
	exp_string(&e, 0, "str:big", 7, "1234567890123", 13, -1);
	exp_string(&e, 0, "str:empty", 9, "", 0, -1);
	exp_string(&e, 0, "str:bin", 7, "a\0b\r\nc", 6, -1);
	lzf = xmalloc(601);
	for (int i = 0; i < 200; i++)
		memcpy(lzf + 3 * i, "abc", 3);
	exp_string(&e, 0, "str:lzf", 7, lzf, 600, -1);
	exp_string(&e, 0, "str:ttl", 7, "v", 1, 4102444800000LL);

	exp_begin(&e, 0, 'l', "list:small", 4102444800123LL);
	exp_item(&e, "a", 1);
	exp_item(&e, "b", 1);
	exp_item(&e, "1", 1);
	exp_item(&e, "2", 1);
	exp_item(&e, "-300", 4);
	exp_item(&e, "70000", 5);
	exp_item(&e, "", 0);
	exp_end(&e);
	exp_begin(&e, 0, 'l', "list:large", -1);
	for (int i = 0; i < 300; i++)
		exp_item(&e, k, (size_t)snprintf(k, sizeof k, "item-%d", i));
	exp_end(&e);
	xs = xmalloc(150);
	memset(xs, 'x', 150);
	exp_begin(&e, 0, 'l', "list:plain", -1);
	exp_item(&e, "head", 4);
	exp_item(&e, xs, 150);
	exp_item(&e, "tail", 4);
	exp_end(&e);

	exp_begin(&e, 0, 'h', "hash:small", 4102444800456LL);
	exp_field(&e, "f1", 2, "v1", 2);
	exp_field(&e, "f2", 2, "42", 2);
	exp_field(&e, "empty", 5, "", 0);
	exp_end(&e);
	exp_begin(&e, 0, 'h', "hash:large", -1);
	for (int i = 0; i < 600; i++) {
		int kl = snprintf(k, sizeof k, "field-%d", i);
		int vl = snprintf(v, sizeof v, "value-%d", i);
		exp_field(&e, k, (size_t)kl, v, (size_t)vl);
	}
	exp_end(&e);

	exp_begin(&e, 0, 's', "set:int", -1);
	exp_item(&e, "1", 1);
	exp_item(&e, "2", 1);
	exp_item(&e, "3", 1);
	exp_item(&e, "-5", 2);
	exp_item(&e, "100000", 6);
	exp_item(&e, "5000000000", 10);
	exp_end(&e);
	exp_begin(&e, 0, 's', "set:str", 4102444800789LL);
	exp_item(&e, "a", 1);
	exp_item(&e, "b", 1);
	exp_item(&e, "c", 1);
	exp_end(&e);
	exp_begin(&e, 0, 's', "set:large", -1);
	for (int i = 0; i < 600; i++)
		exp_item(&e, k, (size_t)snprintf(k, sizeof k, "%d", i));
	exp_end(&e);

	exp_string(&e, 2, "db2:key", 7, "x", 1, -1);

	img = read_file(TEST_SRCDIR "/unit/data/rdb/redis-7.0.15.rdb", &len);
	rec_init(&rc);
	assert_int_equal(read_all(img, len, &rc, err, sizeof err), 0);
	assert_blocks(&rc, &e, 1);
	for (size_t i = 0; i < rc.naux; i++)
		if (strcmp(rc.aux[i], "redis-ver=7.0.15") == 0)
			found_ver = 1;
	assert_true(found_ver);
	assert_non_null(strstr(rc.log.data, "db 2\nresize 1 0\n"));
	rec_free(&rc);

	/* Every truncation of a real file fails cleanly, after a correct prefix. */
	{
		struct rec full;

		rec_init(&full);
		assert_int_equal(read_all(img, len, &full, err, sizeof err), 0);
		for (size_t n = 0; n < len; n += (n < 300 ? 1 : 41)) {
			rec_init(&rc);
			assert_int_equal(read_all(img, n, &rc, err, sizeof err),
			    -1);
			if (rc.log.len > 0)
				assert_memory_equal(rc.log.data, full.log.data,
				    rc.log.len);
			rec_free(&rc);
		}
		rec_free(&full);
	}

	exp_free(&e);
	free(img);
	free(lzf);
	free(xs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc64),
		cmocka_unit_test(test_length_encodings),
		cmocka_unit_test(test_int_strings),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_unsupported_types),
		cmocka_unit_test(test_skipped_opcodes),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_bad_encodings),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_redis_fixture),
	};

	return cmocka_run_group_tests_name("rdb", tests, NULL, NULL);
}
