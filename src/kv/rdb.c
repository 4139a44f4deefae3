/*
 * rdb.c - Redis's RDB file format: a writer for version 10 files with the
 * plain encodings, and a reader for versions 1 to 10 that also understands
 * the compact encodings real Redis servers write (intset, ziplist, zipmap,
 * listpack, quicklist) and LZF-compressed strings.
 *
 * The reader works over an in-memory image and checks every length it reads
 * against what is left of that image before using it: a corrupt or short
 * file gives an error message, never a crash or a huge allocation.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rdb.h"
#include "util.h"

/* Opcodes that may stand where a value type is expected. */
#define RDB_OP_FUNCTION2	245
#define RDB_OP_FUNCTION		246
#define RDB_OP_MODULE_AUX	247
#define RDB_OP_IDLE		248
#define RDB_OP_FREQ		249
#define RDB_OP_AUX		250
#define RDB_OP_RESIZEDB		251
#define RDB_OP_EXPIRETIME_MS	252
#define RDB_OP_EXPIRETIME	253
#define RDB_OP_SELECTDB		254
#define RDB_OP_EOF		255

/* Value types we only read. */
#define RDB_T_ZSET		3
#define RDB_T_ZSET_2		5
#define RDB_T_MODULE		6
#define RDB_T_MODULE_2		7
#define RDB_T_HASH_ZIPMAP	9
#define RDB_T_LIST_ZIPLIST	10
#define RDB_T_SET_INTSET	11
#define RDB_T_ZSET_ZIPLIST	12
#define RDB_T_HASH_ZIPLIST	13
#define RDB_T_LIST_QUICKLIST	14
#define RDB_T_STREAM		15
#define RDB_T_HASH_LISTPACK	16
#define RDB_T_ZSET_LISTPACK	17
#define RDB_T_LIST_QUICKLIST_2	18
#define RDB_T_STREAM_2		19

/* Length prefixes: the top two bits of the first byte. */
#define RDB_LEN_6BIT		0
#define RDB_LEN_14BIT		1
#define RDB_LEN_32BIT		0x80
#define RDB_LEN_64BIT		0x81
#define RDB_LEN_ENCVAL		3

/* Special string encodings (after a length byte 11xxxxxx). */
#define RDB_ENC_INT8		0
#define RDB_ENC_INT16		1
#define RDB_ENC_INT32		2
#define RDB_ENC_LZF		3

/* Quicklist 2 node containers. */
#define RDB_QL_PLAIN		1
#define RDB_QL_PACKED		2

/* Module value annotations (MODULE_AUX payloads). */
#define RDB_MOD_EOF		0
#define RDB_MOD_SINT		1
#define RDB_MOD_UINT		2
#define RDB_MOD_FLOAT		3
#define RDB_MOD_DOUBLE		4
#define RDB_MOD_STRING		5

/* LZF: one 3-byte back reference yields at most 264 bytes. */
#define LZF_MAX_RATIO		88

/* Scratch slots in r->tmp: never two live strings in the same slot. */
#define SLOT_KEY		0
#define SLOT_VAL		1
#define SLOT_VAL2		2

/* Room for a decimal int64 and a NUL. */
#define INTBUF_SIZE		24

static uint64_t	crc64_table[256];
static int	crc64_ready;

/* The table for the reflected Jones polynomial, built once. */
static void
crc64_init(void)
{
	const uint64_t poly = 0x95ac9329ac4bc9b5ULL;	/* 0xad93d23594c935a9 reflected */
	uint64_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = (uint64_t)i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
		crc64_table[i] = c;
	}
	crc64_ready = 1;
}

/* Redis's CRC64 (Jones, reflected, no final xor): the RDB trailer. */
uint64_t
rdb_crc64(uint64_t crc, const void *p, size_t n)
{
	const unsigned char *s = p;

	if (!crc64_ready)
		crc64_init();
	while (n-- > 0)
		crc = crc64_table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* ---------------------------------------------------------------- writer */

/*
 * Every byte goes through here and is folded into the CRC at once, so the
 * caller may drain w->out at any moment without losing checksum state.
 */
static void
wr_raw(struct rdb_writer *w, const void *p, size_t n)
{
	buf_append(&w->out, p, n);
	w->crc = rdb_crc64(w->crc, p, n);
	w->crc_done = w->out.len;
}

/* One opcode or type byte. */
static void
wr_byte(struct rdb_writer *w, unsigned char c)
{
	wr_raw(w, &c, 1);
}

/* RDB's length prefix: 6, 14, 32 or 64 bits, the longer ones big-endian. */
static void
wr_len(struct rdb_writer *w, uint64_t len)
{
	unsigned char b[9];
	int i;

	if (len < (1 << 6)) {
		b[0] = (unsigned char)((RDB_LEN_6BIT << 6) | len);
		wr_raw(w, b, 1);
	} else if (len < (1 << 14)) {
		b[0] = (unsigned char)((RDB_LEN_14BIT << 6) | (len >> 8));
		b[1] = (unsigned char)(len & 0xff);
		wr_raw(w, b, 2);
	} else if (len <= UINT32_MAX) {
		b[0] = RDB_LEN_32BIT;
		for (i = 0; i < 4; i++)
			b[1 + i] = (unsigned char)(len >> (24 - 8 * i));
		wr_raw(w, b, 5);
	} else {
		b[0] = RDB_LEN_64BIT;
		for (i = 0; i < 8; i++)
			b[1 + i] = (unsigned char)(len >> (56 - 8 * i));
		wr_raw(w, b, 9);
	}
}

/*
 * Strings that are the canonical form of an int32 are stored as integers,
 * as Redis does (and as it expects for aux fields such as redis-bits).
 */
static void
wr_string(struct rdb_writer *w, const char *p, size_t n)
{
	unsigned char b[5];
	char canon[INTBUF_SIZE];
	long long v;
	uint32_t u;

	if (n > 0 && n <= 11 && util_parse_ll(p, n, &v) &&
	    util_ll2str(canon, v) == n && memcmp(canon, p, n) == 0 &&
	    v >= INT32_MIN && v <= INT32_MAX) {
		u = (uint32_t)v;
		if (v >= INT8_MIN && v <= INT8_MAX) {
			b[0] = (RDB_LEN_ENCVAL << 6) | RDB_ENC_INT8;
			b[1] = (unsigned char)u;
			wr_raw(w, b, 2);
		} else if (v >= INT16_MIN && v <= INT16_MAX) {
			b[0] = (RDB_LEN_ENCVAL << 6) | RDB_ENC_INT16;
			b[1] = (unsigned char)u;
			b[2] = (unsigned char)(u >> 8);
			wr_raw(w, b, 3);
		} else {
			b[0] = (RDB_LEN_ENCVAL << 6) | RDB_ENC_INT32;
			b[1] = (unsigned char)u;
			b[2] = (unsigned char)(u >> 8);
			b[3] = (unsigned char)(u >> 16);
			b[4] = (unsigned char)(u >> 24);
			wr_raw(w, b, 5);
		}
		return;
	}
	wr_len(w, n);
	wr_raw(w, p, n);
}

/* An 8-byte little-endian integer (expire times, the trailer). */
static void
le64(unsigned char *b, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

/* What comes before every value: the expiry opcode, the type and the key. */
static void
wr_key(struct rdb_writer *w, int type, const char *key, size_t klen,
    long long expire_ms)
{
	unsigned char b[8];

	if (expire_ms >= 0) {
		wr_byte(w, RDB_OP_EXPIRETIME_MS);
		le64(b, (uint64_t)expire_ms);
		wr_raw(w, b, 8);
	}
	wr_byte(w, (unsigned char)type);
	wr_string(w, key, klen);
}

/* An empty writer. */
void
rdb_writer_init(struct rdb_writer *w)
{
	buf_init(&w->out);
	w->crc = 0;
	w->crc_done = 0;
}

/* Drops whatever was not drained. */
void
rdb_writer_free(struct rdb_writer *w)
{
	buf_free(&w->out);
	w->crc = 0;
	w->crc_done = 0;
}

/*
 * The CRC is folded eagerly as bytes are written, so there is nothing left
 * to do: kept so that callers may still call it before draining.
 */
void
rdb_writer_sync_crc(struct rdb_writer *w)
{
	w->crc_done = w->out.len;
}

/* Magic, version and the aux name/value pairs. */
void
rdb_write_header(struct rdb_writer *w, const char *const *aux)
{
	char magic[16];
	size_t i;

	snprintf(magic, sizeof magic, "REDIS%04d", RDB_VERSION);
	wr_raw(w, magic, 9);
	for (i = 0; aux != NULL && aux[i] != NULL && aux[i + 1] != NULL;
	    i += 2) {
		wr_byte(w, RDB_OP_AUX);
		wr_string(w, aux[i], strlen(aux[i]));
		wr_string(w, aux[i + 1], strlen(aux[i + 1]));
	}
}

/* SELECTDB and the RESIZEDB size hint that Redis writes after it. */
void
rdb_write_select_db(struct rdb_writer *w, int db, uint64_t dbsize,
    uint64_t expires)
{
	wr_byte(w, RDB_OP_SELECTDB);
	wr_len(w, (uint64_t)(db < 0 ? 0 : db));
	wr_byte(w, RDB_OP_RESIZEDB);
	wr_len(w, dbsize);
	wr_len(w, expires);
}

/* A string key. */
void
rdb_write_string(struct rdb_writer *w, const char *key, size_t klen,
    const char *val, size_t vlen, long long expire_ms)
{
	wr_key(w, RDB_TYPE_STRING, key, klen, expire_ms);
	wr_string(w, val, vlen);
}

/*
 * The plain list form (type 1) that every Redis version loads. Redis skips
 * keys with no elements on load, so callers should not write empty ones.
 */
void
rdb_write_list_begin(struct rdb_writer *w, const char *key, size_t klen,
    uint64_t n, long long expire_ms)
{
	wr_key(w, RDB_TYPE_LIST, key, klen, expire_ms);
	wr_len(w, n);
}

/* The plain set form (type 2). */
void
rdb_write_set_begin(struct rdb_writer *w, const char *key, size_t klen,
    uint64_t n, long long expire_ms)
{
	wr_key(w, RDB_TYPE_SET, key, klen, expire_ms);
	wr_len(w, n);
}

/* The plain hash form (type 4): n field/value pairs follow. */
void
rdb_write_hash_begin(struct rdb_writer *w, const char *key, size_t klen,
    uint64_t n, long long expire_ms)
{
	wr_key(w, RDB_TYPE_HASH, key, klen, expire_ms);
	wr_len(w, n);
}

/* One list element or set member. */
void
rdb_write_item(struct rdb_writer *w, const char *p, size_t n)
{
	wr_string(w, p, n);
}

/* One hash field and its value. */
void
rdb_write_field(struct rdb_writer *w, const char *f, size_t flen,
    const char *v, size_t vlen)
{
	wr_string(w, f, flen);
	wr_string(w, v, vlen);
}

/* EOF opcode, then the CRC of everything before the trailer. */
void
rdb_write_end(struct rdb_writer *w)
{
	unsigned char b[8];

	wr_byte(w, RDB_OP_EOF);
	le64(b, w->crc);
	buf_append(&w->out, b, 8);
	w->crc_done = w->out.len;
}

/* ---------------------------------------------------------------- reader */

/* Records the first error (later ones are consequences) and fails. */
static int __attribute__((format(printf, 2, 3)))
rd_err(struct rdb_reader *r, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (r->error[0] != '\0')
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	n = strlen(r->error);
	if (n + 1 < sizeof r->error)
		snprintf(r->error + n, sizeof r->error - n, " (offset %zu)",
		    r->pos);
	if (r->error[0] == '\0')
		r->error[0] = '?';
	return -1;
}

/* What is left of the image. */
static size_t
rd_left(const struct rdb_reader *r)
{
	return r->len - r->pos;
}

/* n bytes of the image, in place. */
static int
rd_bytes(struct rdb_reader *r, size_t n, const unsigned char **out)
{
	*out = NULL;
	if (n > rd_left(r))
		return rd_err(r, "truncated RDB: %zu bytes needed, %zu left",
		    n, rd_left(r));
	*out = r->p + r->pos;
	r->pos += n;
	return 0;
}

/* One byte. */
static int
rd_u8(struct rdb_reader *r, unsigned int *out)
{
	const unsigned char *b;

	if (rd_bytes(r, 1, &b) == -1)
		return -1;
	*out = b[0];
	return 0;
}

/* Little-endian unsigned integer of n bytes (n <= 8). */
static uint64_t
get_le(const unsigned char *b, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

/* A length prefix; *enc is set (and the encoding returned) for 11xxxxxx. */
static int
rd_len(struct rdb_reader *r, uint64_t *len, int *enc)
{
	const unsigned char *b;
	unsigned int c;
	int i;

	if (enc != NULL)
		*enc = 0;
	if (rd_u8(r, &c) == -1)
		return -1;
	switch (c >> 6) {
	case RDB_LEN_ENCVAL:
		if (enc == NULL)
			return rd_err(r, "unexpected string encoding in a length");
		*enc = 1;
		*len = c & 0x3f;
		return 0;
	case RDB_LEN_6BIT:
		*len = c & 0x3f;
		return 0;
	case RDB_LEN_14BIT:
		if (rd_bytes(r, 1, &b) == -1)
			return -1;
		*len = ((uint64_t)(c & 0x3f) << 8) | b[0];
		return 0;
	}
	if (c == RDB_LEN_32BIT || c == RDB_LEN_64BIT) {
		i = c == RDB_LEN_32BIT ? 4 : 8;
		if (rd_bytes(r, (size_t)i, &b) == -1)
			return -1;
		*len = 0;
		while (i-- > 0)
			*len = (*len << 8) | *b++;
		return 0;
	}
	return rd_err(r, "unknown length encoding 0x%02x", c);
}

/* A length that counts things stored in the image: at least one byte each. */
static int
rd_count(struct rdb_reader *r, uint64_t *n, size_t minsize, const char *what)
{
	if (rd_len(r, n, NULL) == -1)
		return -1;
	if (*n > rd_left(r) / minsize)
		return rd_err(r, "corrupt RDB: %s count %llu exceeds the data",
		    what, (unsigned long long)*n);
	return 0;
}

/*
 * LZF decompression (liblzf's format): a control byte below 32 starts a
 * literal run of ctrl+1 bytes; otherwise its top three bits (plus a byte
 * if they are all set) give a back reference length minus 2 and its low
 * five bits with the next byte the distance minus 1.
 */
static int
lzf_decompress(const unsigned char *in, size_t inlen, unsigned char *out,
    size_t outlen)
{
	size_t ip = 0, op = 0, len, back;
	unsigned int ctrl;

	while (ip < inlen) {
		ctrl = in[ip++];
		if (ctrl < 32) {
			len = (size_t)ctrl + 1;
			if (len > inlen - ip || len > outlen - op)
				return -1;
			memcpy(out + op, in + ip, len);
			ip += len;
			op += len;
			continue;
		}
		len = ctrl >> 5;
		if (len == 7) {
			if (ip >= inlen)
				return -1;
			len += in[ip++];
		}
		if (ip >= inlen)
			return -1;
		back = ((size_t)(ctrl & 0x1f) << 8) + in[ip++] + 1;
		len += 2;
		if (back > op || len > outlen - op)
			return -1;
		/* Byte by byte: the reference may overlap what it produces. */
		while (len-- > 0) {
			out[op] = out[op - back];
			op++;
		}
	}
	return op == outlen ? 0 : -1;
}

/*
 * A string: in place for the plain form, else decoded into r->tmp[slot].
 * The result is valid until that slot is used again.
 */
static int
rd_string(struct rdb_reader *r, int slot, const char **out, size_t *outlen)
{
	struct buf *t = &r->tmp[slot];
	const unsigned char *b;
	uint64_t len, clen, v;
	long long ll;
	int enc;

	if (rd_len(r, &len, &enc) == -1)
		return -1;
	if (!enc) {
		if (rd_bytes(r, len > SIZE_MAX ? SIZE_MAX : (size_t)len,
		    &b) == -1)
			return -1;
		*out = (const char *)b;
		*outlen = (size_t)len;
		return 0;
	}
	buf_clear(t);
	switch (len) {
	case RDB_ENC_INT8:
	case RDB_ENC_INT16:
	case RDB_ENC_INT32:
		enc = 1 << len;
		if (rd_bytes(r, (size_t)enc, &b) == -1)
			return -1;
		v = get_le(b, enc);
		if (enc == 1)
			ll = (int8_t)v;
		else if (enc == 2)
			ll = (int16_t)v;
		else
			ll = (int32_t)v;
		buf_reserve(t, INTBUF_SIZE);
		t->len = util_ll2str(t->data, ll);
		t->data[t->len] = '\0';
		break;
	case RDB_ENC_LZF:
		if (rd_len(r, &clen, NULL) == -1 || rd_len(r, &len, NULL) == -1)
			return -1;
		if (clen > rd_left(r))
			return rd_err(r, "truncated RDB: LZF string of %llu "
			    "bytes", (unsigned long long)clen);
		if (len / LZF_MAX_RATIO > clen || len == 0)
			return rd_err(r, "corrupt RDB: LZF string of %llu bytes "
			    "cannot expand to %llu", (unsigned long long)clen,
			    (unsigned long long)len);
		if (rd_bytes(r, (size_t)clen, &b) == -1)
			return -1;
		buf_reserve(t, (size_t)len);
		if (lzf_decompress(b, (size_t)clen, (unsigned char *)t->data,
		    (size_t)len) == -1)
			return rd_err(r, "corrupt RDB: invalid LZF data");
		t->len = (size_t)len;
		t->data[t->len] = '\0';
		break;
	default:
		return rd_err(r, "corrupt RDB: unknown string encoding %d",
		    (int)len);
	}
	*out = t->data;
	*outlen = t->len;
	return 0;
}

/* Skips one string (function code, module data). */
static int
rd_skip_string(struct rdb_reader *r)
{
	const char *p;
	size_t n;

	return rd_string(r, SLOT_VAL2, &p, &n);
}

/*
 * A module's annotated data (MODULE_AUX): typed values up to an EOF
 * annotation. Sentinel-kv has no modules, so the data is dropped.
 */
static int
rd_skip_module_data(struct rdb_reader *r)
{
	const unsigned char *b;
	uint64_t v;

	for (;;) {
		if (rd_len(r, &v, NULL) == -1)
			return -1;
		switch (v) {
		case RDB_MOD_EOF:
			return 0;
		case RDB_MOD_SINT:
		case RDB_MOD_UINT:
			if (rd_len(r, &v, NULL) == -1)
				return -1;
			break;
		case RDB_MOD_FLOAT:
			if (rd_bytes(r, 4, &b) == -1)
				return -1;
			break;
		case RDB_MOD_DOUBLE:
			if (rd_bytes(r, 8, &b) == -1)
				return -1;
			break;
		case RDB_MOD_STRING:
			if (rd_skip_string(r) == -1)
				return -1;
			break;
		default:
			return rd_err(r, "corrupt RDB: unknown module data "
			    "opcode %llu", (unsigned long long)v);
		}
	}
}

/*
 * One aggregate being delivered. The begin callback is called before the
 * first element only, so that empty keys (which Redis skips on load too)
 * reach the caller as nothing at all.
 */
struct agg {
	struct rdb_reader		*r;
	const struct rdb_callbacks	*cb;
	int				 type;	/* RDB_TYPE_LIST, _SET or _HASH */
	const char			*key;
	size_t				 klen;
	long long			 expire;
	bool				 begun;
	/* pairing of container entries into hash fields */
	const char			*field;
	size_t				 flen;
	bool				 have_field;
	char				 fbuf[INTBUF_SIZE];
};

/* Calls the begin callback for the aggregate's type once. */
static int
agg_begin(struct agg *a)
{
	const struct rdb_callbacks *cb = a->cb;
	int rc = 0;

	if (a->begun)
		return 0;
	a->begun = true;
	switch (a->type) {
	case RDB_TYPE_LIST:
		if (cb->list_begin != NULL)
			rc = cb->list_begin(cb->ctx, a->key, a->klen, a->expire);
		break;
	case RDB_TYPE_SET:
		if (cb->set_begin != NULL)
			rc = cb->set_begin(cb->ctx, a->key, a->klen, a->expire);
		break;
	default:
		if (cb->hash_begin != NULL)
			rc = cb->hash_begin(cb->ctx, a->key, a->klen, a->expire);
		break;
	}
	if (rc != 0)
		return rd_err(a->r, "stopped by the caller");
	return 0;
}

/* A list element or set member. */
static int
agg_item(struct agg *a, const char *p, size_t n)
{
	if (agg_begin(a) == -1)
		return -1;
	if (a->cb->item != NULL && a->cb->item(a->cb->ctx, p, n) != 0)
		return rd_err(a->r, "stopped by the caller");
	return 0;
}

/* A hash field and its value. */
static int
agg_field(struct agg *a, const char *f, size_t flen, const char *v,
    size_t vlen)
{
	if (agg_begin(a) == -1)
		return -1;
	if (a->cb->field != NULL &&
	    a->cb->field(a->cb->ctx, f, flen, v, vlen) != 0)
		return rd_err(a->r, "stopped by the caller");
	return 0;
}

/*
 * One entry of a container: an item, or half of a hash pair. A field that
 * sits in a scratch buffer of the container walker is copied aside, as the
 * walker reuses it for the value.
 */
static int
agg_entry(struct agg *a, const char *p, size_t n, bool volatile_p)
{
	if (a->type != RDB_TYPE_HASH)
		return agg_item(a, p, n);
	if (!a->have_field) {
		if (volatile_p) {
			if (n >= sizeof a->fbuf)
				return rd_err(a->r, "internal: long int field");
			memcpy(a->fbuf, p, n);
			p = a->fbuf;
		}
		a->field = p;
		a->flen = n;
		a->have_field = true;
		return 0;
	}
	a->have_field = false;
	return agg_field(a, a->field, a->flen, p, n);
}

/* After the last element: end_key if anything was delivered. */
static int
agg_end(struct agg *a)
{
	if (a->have_field)
		return rd_err(a->r, "corrupt RDB: hash with a field but no value");
	if (!a->begun)
		return 0;
	if (a->cb->end_key != NULL && a->cb->end_key(a->cb->ctx) != 0)
		return rd_err(a->r, "stopped by the caller");
	return 0;
}

/* An integer entry of a container, in decimal. */
static int
agg_int(struct agg *a, long long v)
{
	char ib[INTBUF_SIZE];

	return agg_entry(a, ib, util_ll2str(ib, v), true);
}

/* Intset: 32-bit width (2, 4 or 8), 32-bit count, little-endian members. */
static int
walk_intset(struct agg *a, const unsigned char *p, size_t n)
{
	uint64_t enc, count, i, v;

	if (n < 8)
		return rd_err(a->r, "corrupt RDB: intset too short");
	enc = get_le(p, 4);
	count = get_le(p + 4, 4);
	if (enc != 2 && enc != 4 && enc != 8)
		return rd_err(a->r, "corrupt RDB: intset width %llu",
		    (unsigned long long)enc);
	if ((n - 8) % enc != 0 || (n - 8) / enc != count)
		return rd_err(a->r, "corrupt RDB: intset size mismatch");
	for (i = 0; i < count; i++) {
		v = get_le(p + 8 + i * enc, (int)enc);
		if (enc == 2) {
			if (agg_int(a, (int16_t)v) == -1)
				return -1;
		} else if (enc == 4) {
			if (agg_int(a, (int32_t)v) == -1)
				return -1;
		} else if (agg_int(a, (long long)v) == -1)
			return -1;
	}
	return 0;
}

/*
 * Ziplist: 32-bit total size, 32-bit offset of the last entry, 16-bit
 * count, entries, 0xff. Each entry: size of the previous entry (1 byte, or
 * 0xfe and 4 bytes), an encoding byte (with a big-endian string length, or
 * an integer width) and the data.
 */
static int
walk_ziplist(struct agg *a, const unsigned char *p, size_t n)
{
	size_t off = 10, start = 10, prev = 0, last = 10, dlen, count = 0;
	uint64_t prevlen, u;
	long long v;
	unsigned int e;

	if (n < 11 || get_le(p, 4) != n || p[n - 1] != 0xff)
		return rd_err(a->r, "corrupt RDB: bad ziplist header");
	while (off < n - 1) {
		start = off;
		if (p[off] < 0xfe) {
			prevlen = p[off];
			off += 1;
		} else if (p[off] == 0xfe) {
			if (n - 1 - off < 5)
				goto bad;
			prevlen = get_le(p + off + 1, 4);
			off += 5;
		} else
			goto bad;
		if (prevlen != prev || off >= n - 1)
			goto bad;
		e = p[off];
		if ((e >> 6) == 0) {
			dlen = e & 0x3f;
			off += 1;
		} else if ((e >> 6) == 1) {
			if (n - 1 - off < 2)
				goto bad;
			dlen = ((size_t)(e & 0x3f) << 8) | p[off + 1];
			off += 2;
		} else if ((e >> 6) == 2) {
			if (e != 0x80 || n - 1 - off < 5)
				goto bad;
			dlen = ((size_t)p[off + 1] << 24) |
			    ((size_t)p[off + 2] << 16) |
			    ((size_t)p[off + 3] << 8) | p[off + 4];
			off += 5;
		} else {
			off += 1;
			switch (e) {
			case 0xc0: dlen = 2; break;
			case 0xd0: dlen = 4; break;
			case 0xe0: dlen = 8; break;
			case 0xf0: dlen = 3; break;
			case 0xfe: dlen = 1; break;
			default:
				if (e < 0xf1 || e > 0xfd)
					goto bad;
				dlen = 0;
				break;
			}
		}
		if (dlen > n - 1 - off)
			goto bad;
		if ((e >> 6) != 3) {
			if (agg_entry(a, (const char *)p + off, dlen,
			    false) == -1)
				return -1;
		} else {
			u = get_le(p + off, (int)dlen);
			switch (e) {
			case 0xc0: v = (int16_t)u; break;
			case 0xd0: v = (int32_t)u; break;
			case 0xe0: v = (long long)u; break;
			case 0xf0:
				v = (long long)u - ((u & 0x800000) ? 0x1000000 : 0);
				break;
			case 0xfe: v = (int8_t)u; break;
			default: v = (long long)(e & 0x0f) - 1; break;
			}
			if (agg_int(a, v) == -1)
				return -1;
		}
		off += dlen;
		prev = off - start;
		last = start;
		count++;
	}
	if (get_le(p + 4, 4) != last)
		return rd_err(a->r, "corrupt RDB: ziplist tail offset mismatch");
	u = get_le(p + 8, 2);
	if (u != 0xffff && u != count)
		return rd_err(a->r, "corrupt RDB: ziplist count mismatch");
	return 0;
bad:
	return rd_err(a->r, "corrupt RDB: bad ziplist entry at %zu", start);
}

/* Size of a listpack entry's back length for an entry of l bytes. */
static size_t
lp_backlen_size(size_t l)
{
	if (l <= 127)
		return 1;
	if (l < 16383)
		return 2;
	if (l < 2097151)
		return 3;
	if (l < 268435455)
		return 4;
	return 5;
}

/*
 * Listpack: 32-bit total size, 16-bit count, entries, 0xff. Each entry is
 * an encoding byte (small uint, or string length, or integer width), the
 * data, and its own size written backwards in 7-bit groups.
 */
static int
walk_listpack(struct agg *a, const unsigned char *p, size_t n)
{
	size_t off = 6, start = 6, hdr, dlen, entry, bl, i, count = 0;
	uint64_t u, back;
	long long v;
	unsigned int e;
	bool isint;

	if (n < 7 || get_le(p, 4) != n || p[n - 1] != 0xff)
		return rd_err(a->r, "corrupt RDB: bad listpack header");
	while (off < n - 1) {
		start = off;
		e = p[off];
		isint = true;
		u = 0;
		if ((e & 0x80) == 0) {
			hdr = 1;
			dlen = 0;
			u = e & 0x7f;
		} else if ((e & 0xc0) == 0x80) {
			hdr = 1;
			dlen = e & 0x3f;
			isint = false;
		} else if ((e & 0xe0) == 0xc0) {
			hdr = 2;
			dlen = 0;
		} else if ((e & 0xf0) == 0xe0) {
			hdr = 2;
			dlen = 0;
			isint = false;
		} else if (e == 0xf0) {
			hdr = 5;
			dlen = 0;
			isint = false;
		} else if (e >= 0xf1 && e <= 0xf4) {
			hdr = 1;
			dlen = e == 0xf1 ? 2 : e == 0xf2 ? 3 : e == 0xf3 ? 4 : 8;
		} else
			goto bad;
		if (hdr > n - 1 - off)
			goto bad;
		if ((e & 0xe0) == 0xc0) {
			u = ((uint64_t)(e & 0x1f) << 8) | p[off + 1];
		} else if ((e & 0xf0) == 0xe0)
			dlen = ((size_t)(e & 0x0f) << 8) | p[off + 1];
		else if (e == 0xf0)
			dlen = (size_t)get_le(p + off + 1, 4);
		if (dlen > n - 1 - off - hdr)
			goto bad;
		entry = hdr + dlen;
		bl = lp_backlen_size(entry);
		if (bl > n - 1 - off - entry)
			goto bad;
		back = 0;
		for (i = 0; i < bl; i++)
			back = (back << 7) | (p[off + entry + i] & 0x7f);
		if (back != entry)
			goto bad;
		if (!isint) {
			if (agg_entry(a, (const char *)p + off + hdr, dlen,
			    false) == -1)
				return -1;
		} else {
			if ((e & 0xe0) == 0xc0)
				v = (long long)u - ((u & 0x1000) ? 0x2000 : 0);
			else if ((e & 0x80) == 0)
				v = (long long)u;
			else {
				u = get_le(p + off + 1, (int)dlen);
				if (e == 0xf1)
					v = (int16_t)u;
				else if (e == 0xf2)
					v = (long long)u -
					    ((u & 0x800000) ? 0x1000000 : 0);
				else if (e == 0xf3)
					v = (int32_t)u;
				else
					v = (long long)u;
			}
			if (agg_int(a, v) == -1)
				return -1;
		}
		off += entry + bl;
		count++;
	}
	u = get_le(p + 4, 2);
	if (u != 0xffff && u != count)
		return rd_err(a->r, "corrupt RDB: listpack count mismatch");
	return 0;
bad:
	return rd_err(a->r, "corrupt RDB: bad listpack entry at %zu", start);
}

/*
 * Zipmap (hashes before Redis 2.6): a count byte, then key, value pairs,
 * each length one byte or 0xfe and 4 bytes; values have a free byte count
 * and that much padding after them; 0xff ends it.
 */
static int
walk_zipmap(struct agg *a, const unsigned char *p, size_t n)
{
	size_t off = 1, len, fr;
	int k;

	if (n < 2 || p[n - 1] != 0xff)
		return rd_err(a->r, "corrupt RDB: bad zipmap");
	while (off < n - 1) {
		for (k = 0; k < 2; k++) {
			if (off >= n - 1)
				goto bad;
			if (p[off] < 0xfe) {
				len = p[off];
				off += 1;
			} else if (p[off] == 0xfe) {
				if (n - 1 - off < 5)
					goto bad;
				len = (size_t)get_le(p + off + 1, 4);
				off += 5;
			} else
				goto bad;
			fr = 0;
			if (k == 1) {
				if (off >= n - 1)
					goto bad;
				fr = p[off++];
			}
			if (len > n - 1 - off || fr > n - 1 - off - len)
				goto bad;
			if (agg_entry(a, (const char *)p + off, len,
			    false) == -1)
				return -1;
			off += len + fr;
		}
	}
	return 0;
bad:
	return rd_err(a->r, "corrupt RDB: bad zipmap entry at %zu", off);
}

/* A name for each value type, for error messages. */
static const char *
type_name(unsigned int type)
{
	switch (type) {
	case RDB_T_ZSET:
	case RDB_T_ZSET_2:
		return "zset";
	case RDB_T_ZSET_ZIPLIST:
		return "zset ziplist";
	case RDB_T_ZSET_LISTPACK:
		return "zset listpack";
	case RDB_T_MODULE:
	case RDB_T_MODULE_2:
		return "module";
	case RDB_T_STREAM:
	case RDB_T_STREAM_2:
		return "stream";
	}
	return "unknown";
}

/* Reads a container blob and walks it with the given decoder. */
static int
rd_container(struct agg *a,
    int (*walk)(struct agg *, const unsigned char *, size_t))
{
	const char *p;
	size_t n;

	if (rd_string(a->r, SLOT_VAL, &p, &n) == -1)
		return -1;
	return walk(a, (const unsigned char *)p, n);
}

/* A value of any aggregate type, delivered element by element. */
static int
rd_aggregate(struct agg *a, unsigned int type)
{
	struct rdb_reader *r = a->r;
	const char *f, *v;
	size_t flen, vlen;
	uint64_t n, i, kind;

	switch (type) {
	case RDB_TYPE_LIST:
	case RDB_TYPE_SET:
		if (rd_count(r, &n, 1, "element") == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (rd_string(r, SLOT_VAL, &v, &vlen) == -1 ||
			    agg_item(a, v, vlen) == -1)
				return -1;
		}
		return 0;
	case RDB_TYPE_HASH:
		if (rd_count(r, &n, 2, "field") == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (rd_string(r, SLOT_VAL, &f, &flen) == -1 ||
			    rd_string(r, SLOT_VAL2, &v, &vlen) == -1 ||
			    agg_field(a, f, flen, v, vlen) == -1)
				return -1;
		}
		return 0;
	case RDB_T_HASH_ZIPMAP:
		return rd_container(a, walk_zipmap);
	case RDB_T_LIST_ZIPLIST:
	case RDB_T_HASH_ZIPLIST:
		return rd_container(a, walk_ziplist);
	case RDB_T_SET_INTSET:
		return rd_container(a, walk_intset);
	case RDB_T_HASH_LISTPACK:
		return rd_container(a, walk_listpack);
	case RDB_T_LIST_QUICKLIST:
		if (rd_count(r, &n, 1, "quicklist node") == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (rd_container(a, walk_ziplist) == -1)
				return -1;
		}
		return 0;
	case RDB_T_LIST_QUICKLIST_2:
		if (rd_count(r, &n, 2, "quicklist node") == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (rd_len(r, &kind, NULL) == -1)
				return -1;
			if (kind == RDB_QL_PLAIN) {
				if (rd_string(r, SLOT_VAL, &v, &vlen) == -1 ||
				    agg_item(a, v, vlen) == -1)
					return -1;
			} else if (kind == RDB_QL_PACKED) {
				if (rd_container(a, walk_listpack) == -1)
					return -1;
			} else
				return rd_err(r, "corrupt RDB: quicklist node "
				    "container %llu", (unsigned long long)kind);
		}
		return 0;
	}
	return rd_err(r, "internal: type %u", type);
}

/* A key and its value; *delivered says whether the caller saw anything. */
static int
rd_object(struct rdb_reader *r, const struct rdb_callbacks *cb,
    unsigned int type, long long expire, bool *delivered)
{
	struct agg a;
	struct buf repr;
	const char *key, *v;
	size_t klen, vlen;

	*delivered = false;
	switch (type) {
	case RDB_TYPE_STRING:
	case RDB_TYPE_LIST:
	case RDB_TYPE_SET:
	case RDB_TYPE_HASH:
	case RDB_T_HASH_ZIPMAP:
	case RDB_T_LIST_ZIPLIST:
	case RDB_T_SET_INTSET:
	case RDB_T_HASH_ZIPLIST:
	case RDB_T_LIST_QUICKLIST:
	case RDB_T_HASH_LISTPACK:
	case RDB_T_LIST_QUICKLIST_2:
		break;
	case RDB_T_ZSET:
	case RDB_T_ZSET_2:
	case RDB_T_MODULE:
	case RDB_T_MODULE_2:
	case RDB_T_ZSET_ZIPLIST:
	case RDB_T_STREAM:
	case RDB_T_ZSET_LISTPACK:
	case RDB_T_STREAM_2:
		if (rd_string(r, SLOT_KEY, &key, &klen) == -1)
			return -1;
		buf_init(&repr);
		util_repr(&repr, key, klen > 64 ? 64 : klen);
		rd_err(r, "unsupported RDB value type %u (%s) for key %s",
		    type, type_name(type), repr.data);
		buf_free(&repr);
		return -1;
	default:
		return rd_err(r, "corrupt RDB: unknown opcode or value type %u",
		    type);
	}

	if (rd_string(r, SLOT_KEY, &key, &klen) == -1)
		return -1;
	if (type == RDB_TYPE_STRING) {
		if (rd_string(r, SLOT_VAL, &v, &vlen) == -1)
			return -1;
		*delivered = true;
		if (cb->string != NULL &&
		    cb->string(cb->ctx, key, klen, v, vlen, expire) != 0)
			return rd_err(r, "stopped by the caller");
		return 0;
	}

	memset(&a, 0, sizeof a);
	a.r = r;
	a.cb = cb;
	a.key = key;
	a.klen = klen;
	a.expire = expire;
	switch (type) {
	case RDB_TYPE_LIST:
	case RDB_T_LIST_ZIPLIST:
	case RDB_T_LIST_QUICKLIST:
	case RDB_T_LIST_QUICKLIST_2:
		a.type = RDB_TYPE_LIST;
		break;
	case RDB_TYPE_SET:
	case RDB_T_SET_INTSET:
		a.type = RDB_TYPE_SET;
		break;
	default:
		a.type = RDB_TYPE_HASH;
		break;
	}
	if (rd_aggregate(&a, type) == -1 || agg_end(&a) == -1)
		return -1;
	*delivered = a.begun;
	return 0;
}

/* The EOF opcode: the 8-byte CRC of everything before it (version 5 on). */
static int
rd_eof(struct rdb_reader *r)
{
	const unsigned char *b;
	uint64_t want, got;

	if (r->version >= 5) {
		if (rd_bytes(r, 8, &b) == -1)
			return -1;
		want = get_le(b, 8);
		if (want != 0) {
			got = rdb_crc64(0, r->p, r->pos - 8);
			if (got != want)
				return rd_err(r, "RDB checksum mismatch: file "
				    "says %016llx, data gives %016llx",
				    (unsigned long long)want,
				    (unsigned long long)got);
		}
	}
	r->done = true;
	return 0;
}

/* Checks the magic and the version and sets up the scratch buffers. */
int
rdb_reader_init(struct rdb_reader *r, const void *image, size_t len)
{
	int i;

	memset(r, 0, sizeof *r);
	r->p = image;
	r->len = len;
	for (i = 0; i < (int)ARRAY_SIZE(r->tmp); i++)
		buf_init(&r->tmp[i]);
	if (len < 9)
		return rd_err(r, "truncated RDB: no header");
	if (memcmp(r->p, "REDIS", 5) != 0)
		return rd_err(r, "not an RDB file (no REDIS signature)");
	for (i = 5; i < 9; i++) {
		if (r->p[i] < '0' || r->p[i] > '9')
			return rd_err(r, "not an RDB file (bad version)");
		r->version = r->version * 10 + (r->p[i] - '0');
	}
	r->pos = 9;
	if (r->version < 1)
		return rd_err(r, "bad RDB format version %d", r->version);
	if (r->version > RDB_VERSION)
		return rd_err(r, "RDB format version %d is newer than the "
		    "newest supported (%d): written by a newer Redis?",
		    r->version, RDB_VERSION);
	return 0;
}

/* Frees the scratch buffers. */
void
rdb_reader_free(struct rdb_reader *r)
{
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(r->tmp); i++)
		buf_free(&r->tmp[i]);
}

/*
 * One aux field, database switch, size hint or key (with the expiry and
 * LRU/LFU opcodes before it) per call. Function libraries, module aux data
 * and empty keys are skipped without being delivered.
 */
int
rdb_reader_next(struct rdb_reader *r, const struct rdb_callbacks *cb)
{
	static const struct rdb_callbacks none;
	const unsigned char *b;
	const char *n, *v;
	size_t nlen, vlen;
	uint64_t x, y;
	long long expire = -1;
	unsigned int type;
	bool pending = false, delivered;

	if (r->error[0] != '\0')
		return -1;
	if (r->done)
		return 0;
	if (cb == NULL)
		cb = &none;
	for (;;) {
		if (rd_u8(r, &type) == -1)
			return -1;
		if (pending && type >= RDB_OP_FUNCTION2 &&
		    type != RDB_OP_EXPIRETIME_MS && type != RDB_OP_EXPIRETIME &&
		    type != RDB_OP_IDLE && type != RDB_OP_FREQ)
			return rd_err(r, "corrupt RDB: key attributes not "
			    "followed by a key");
		switch (type) {
		case RDB_OP_EXPIRETIME_MS:
			if (rd_bytes(r, 8, &b) == -1)
				return -1;
			x = get_le(b, 8);
			/* Negative: long expired. */
			expire = x > INT64_MAX ? 0 : (long long)x;
			pending = true;
			continue;
		case RDB_OP_EXPIRETIME:
			if (rd_bytes(r, 4, &b) == -1)
				return -1;
			expire = (int32_t)get_le(b, 4);
			expire = expire < 0 ? 0 : expire * 1000;
			pending = true;
			continue;
		case RDB_OP_FREQ:
			if (rd_bytes(r, 1, &b) == -1)
				return -1;
			pending = true;
			continue;
		case RDB_OP_IDLE:
			if (rd_len(r, &x, NULL) == -1)
				return -1;
			pending = true;
			continue;
		case RDB_OP_AUX:
			if (rd_string(r, SLOT_KEY, &n, &nlen) == -1 ||
			    rd_string(r, SLOT_VAL, &v, &vlen) == -1)
				return -1;
			if (cb->aux != NULL &&
			    cb->aux(cb->ctx, n, nlen, v, vlen) != 0)
				return rd_err(r, "stopped by the caller");
			return 1;
		case RDB_OP_SELECTDB:
			if (rd_len(r, &x, NULL) == -1)
				return -1;
			if (x > INT_MAX)
				return rd_err(r, "corrupt RDB: database %llu",
				    (unsigned long long)x);
			if (cb->select_db != NULL &&
			    cb->select_db(cb->ctx, (int)x) != 0)
				return rd_err(r, "stopped by the caller");
			return 1;
		case RDB_OP_RESIZEDB:
			if (rd_len(r, &x, NULL) == -1 ||
			    rd_len(r, &y, NULL) == -1)
				return -1;
			if (cb->resize_db != NULL &&
			    cb->resize_db(cb->ctx, x, y) != 0)
				return rd_err(r, "stopped by the caller");
			return 1;
		case RDB_OP_FUNCTION2:
			/* A function library's code: sentinel-kv has none. */
			if (rd_skip_string(r) == -1)
				return -1;
			continue;
		case RDB_OP_FUNCTION:
			/* 7.0 release candidates: name, engine, description. */
			if (rd_skip_string(r) == -1 || rd_skip_string(r) == -1 ||
			    rd_len(r, &x, NULL) == -1 ||
			    (x != 0 && rd_skip_string(r) == -1) ||
			    rd_skip_string(r) == -1)
				return -1;
			continue;
		case RDB_OP_MODULE_AUX:
			/* Module id, "when" as an annotated uint, data. */
			if (rd_len(r, &x, NULL) == -1 || rd_len(r, &y, NULL) == -1)
				return -1;
			if (y != RDB_MOD_UINT)
				return rd_err(r, "corrupt RDB: module aux data "
				    "without its 'when' field");
			if (rd_len(r, &y, NULL) == -1 ||
			    rd_skip_module_data(r) == -1)
				return -1;
			continue;
		case RDB_OP_EOF:
			if (rd_eof(r) == -1)
				return -1;
			return 0;
		}
		if (rd_object(r, cb, type, expire, &delivered) == -1)
			return -1;
		if (delivered)
			return 1;
		/* An empty key, skipped as Redis does: on to the next item. */
		expire = -1;
		pending = false;
	}
}
