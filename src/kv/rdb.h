/*
 * rdb.h - Redis's RDB file format (version 10, CRC64 trailer): a writer that
 * streams into a buffer and a resumable reader over an in-memory image.
 * Pure format code: no database, no I/O. The database glue is in persist.c.
 */
#ifndef SENTINEL_KV_RDB_H
#define SENTINEL_KV_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define RDB_VERSION	10

/* Value types as RDB numbers them (the plain encodings we write). */
enum rdb_type {
	RDB_TYPE_STRING = 0,
	RDB_TYPE_LIST = 1,
	RDB_TYPE_SET = 2,
	RDB_TYPE_HASH = 4,
};

uint64_t rdb_crc64(uint64_t crc, const void *p, size_t n);

/*
 * Writer: everything is appended to w->out; the caller drains it to a file
 * when it likes (buf_consume). The CRC is folded in as bytes are written,
 * so draining at any moment is safe; crc_done is just out.len after each
 * call. Strings that are canonical int32s are stored integer-encoded, as
 * Redis does; nothing is LZF-compressed. Types written: 0 string, 1 plain
 * list, 2 plain set, 4 plain hash, which redis-server 7.0 loads.
 */
struct rdb_writer {
	struct buf	 out;
	uint64_t	 crc;		/* over everything written so far */
	size_t		 crc_done;	/* bytes of out already folded into crc */
};

void	rdb_writer_init(struct rdb_writer *w);
void	rdb_writer_free(struct rdb_writer *w);
/* Kept for callers that drain w->out: the CRC is always up to date. */
void	rdb_writer_sync_crc(struct rdb_writer *w);
/* "REDIS0010" and the aux fields given (name/value pairs, NULL-terminated). */
void	rdb_write_header(struct rdb_writer *w, const char *const *aux);
void	rdb_write_select_db(struct rdb_writer *w, int db, uint64_t dbsize, uint64_t expires);
/* Each key: expire_ms < 0 means no expiry (absolute unix ms otherwise). */
void	rdb_write_string(struct rdb_writer *w, const char *key, size_t klen,
	    const char *val, size_t vlen, long long expire_ms);
/*
 * Aggregates: a begin with the element count, then that many items (the
 * count is not checked). Redis skips empty aggregates on load: avoid n == 0.
 */
void	rdb_write_list_begin(struct rdb_writer *w, const char *key, size_t klen, uint64_t n, long long expire_ms);
void	rdb_write_set_begin(struct rdb_writer *w, const char *key, size_t klen, uint64_t n, long long expire_ms);
void	rdb_write_hash_begin(struct rdb_writer *w, const char *key, size_t klen, uint64_t n, long long expire_ms);
void	rdb_write_item(struct rdb_writer *w, const char *p, size_t n);	/* list element or set member */
void	rdb_write_field(struct rdb_writer *w, const char *f, size_t flen, const char *v, size_t vlen);
/* EOF opcode and the CRC64 trailer. */
void	rdb_write_end(struct rdb_writer *w);

/*
 * Reader: callbacks receive what the file holds; return 0 to go on, -1 to
 * stop with an error. Any callback may be NULL. Strings are NOT
 * NUL-terminated and are valid only during the call. expire_ms is -1 for
 * none, else absolute unix ms (0 for negative times in the file). The
 * begin of an aggregate comes before its first element only: aggregates
 * with no elements are skipped (as Redis does). Versions 1 to RDB_VERSION
 * are read, with every compact encoding Redis 7.0 and older write (intset,
 * zipmap, ziplist, quicklist, listpack) and LZF strings; zsets, streams and
 * module values are an error naming the type. Function libraries, module
 * aux data and LRU/LFU hints are skipped.
 */
struct rdb_callbacks {
	void	*ctx;
	int	(*aux)(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen);
	int	(*select_db)(void *ctx, int db);
	int	(*resize_db)(void *ctx, uint64_t dbsize, uint64_t expires);
	int	(*string)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen, long long expire_ms);
	int	(*list_begin)(void *ctx, const char *key, size_t klen, long long expire_ms);
	int	(*set_begin)(void *ctx, const char *key, size_t klen, long long expire_ms);
	int	(*hash_begin)(void *ctx, const char *key, size_t klen, long long expire_ms);
	int	(*item)(void *ctx, const char *p, size_t n);	/* list element / set member of the last begin */
	int	(*field)(void *ctx, const char *f, size_t flen, const char *v, size_t vlen);
	int	(*end_key)(void *ctx);	/* after the last item/field of an aggregate */
};

struct rdb_reader {
	const unsigned char	*p;
	size_t			 len;
	size_t			 pos;
	int			 version;
	bool			 done;
	char			 error[256];
	/* scratch space for decoded strings (LZF, integers): key, value, value 2 */
	struct buf		 tmp[3];
};

/* Checks the magic and version. Returns 0, or -1 with r->error set. */
int	rdb_reader_init(struct rdb_reader *r, const void *image, size_t len);
/* Also after a failed rdb_reader_init. */
void	rdb_reader_free(struct rdb_reader *r);
/*
 * Parse the next top-level item (one key, or one opcode) and deliver it.
 * Returns 1 when an item was delivered, 0 at the end (EOF opcode and a valid
 * CRC, or a zero CRC which means "not computed"), -1 on error (r->error).
 * After 0 or -1 it keeps returning the same. On -1 the callbacks may have
 * seen part of the key being read (and everything before it, correctly).
 */
int	rdb_reader_next(struct rdb_reader *r, const struct rdb_callbacks *cb);

#endif
