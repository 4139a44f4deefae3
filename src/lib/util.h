/*
 * util.h - allocation that never returns NULL, strict number parsing, clocks, run ids.
 */
#ifndef SENTINEL_UTIL_H
#define SENTINEL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNUSED(x)	((void)(x))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

void	*xmalloc(size_t n);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *p, size_t n);
void	*xreallocarray(void *p, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* A copy of n bytes with a NUL appended. */
char	*xmemdup(const void *p, size_t n);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit after logging (fatal adds strerror(errno)). */
void	 fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Strict parsing as Redis does it: the whole of (s, len) must be the number,
 * no spaces, no leading '+', no leading zeros for integers ("0" alone is fine).
 */
bool	 util_parse_ll(const char *s, size_t len, long long *out);
bool	 util_parse_ull(const char *s, size_t len, unsigned long long *out);
/* Doubles: also "inf", "-inf", "+inf"; never NaN. */
bool	 util_parse_double(const char *s, size_t len, double *out);
/* Redis memory units: 1k=1000, 1kb=1024, 1m, 1mb, 1g, 1gb, case-insensitive. */
bool	 util_parse_memory(const char *s, long long *out);
/* "yes"/"no", case-insensitive. */
int	 util_parse_yesno(const char *s);	/* 1, 0, or -1 */
/* Writes the decimal form, returns its length; dst needs 21 bytes. */
size_t	 util_ll2str(char *dst, long long v);
/* Shortest form that reads back to the same double, as Redis prints. */
size_t	 util_d2str(char *dst, size_t cap, double d);

/* Monotonic clock for every timeout. */
int64_t	 util_mono_ms(void);
int64_t	 util_mono_us(void);
/* Wall clock, for expiry times and log lines. */
int64_t	 util_wall_ms(void);
int64_t	 util_wall_us(void);

/* Random bytes from the kernel (falls back to a seeded PRNG). */
void	 util_random_bytes(void *p, size_t n);
/* 40 lowercase hex characters and a NUL: run ids and sentinel ids. */
void	 util_random_hex(char *dst, size_t nhex);

/* ASCII case helpers. */
void	 util_strtolower(char *s);
bool	 util_strcaseeq(const char *a, const char *b);
/* Writes s as a printable, quoted representation, as Redis's sdscatrepr. */
struct buf;
void	 util_repr(struct buf *out, const char *s, size_t len);

/* 64-bit hash of (p, n), seeded per process. */
uint64_t util_hash(const void *p, size_t n);
uint64_t util_hash_nocase(const void *p, size_t n);
void	 util_hash_seed(uint64_t seed);

#endif
