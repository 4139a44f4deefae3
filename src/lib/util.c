/*
 * util.c - allocation, strict number parsing, clocks, randomness, hashing.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatalx("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		fatalx("out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatalx("out of memory reallocating %zu bytes", n);
	return q;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		fatalx("xreallocarray: %zu x %zu overflows", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	return xmemdup(s, strnlen(s, n));
}

char *
xmemdup(const void *p, size_t n)
{
	char *d = xmalloc(n + 1);

	if (n > 0)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory in xasprintf");
	va_end(ap);
	return s;
}

void
fatal(const char *fmt, ...)
{
	char msg[1024];
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg(LOG_WARNING, "%s: %s", msg, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg(LOG_WARNING, "%s", msg);
	exit(1);
}

bool
util_parse_ull(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return false;
	if (len > 1 && s[0] == '0')
		return false;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool
util_parse_ll(const char *s, size_t len, long long *out)
{
	unsigned long long v;

	if (len == 0)
		return false;
	if (s[0] == '-') {
		if (len == 1 || !util_parse_ull(s + 1, len - 1, &v) || v == 0)
			return false;
		if (v > (unsigned long long)LLONG_MAX + 1)
			return false;
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
		return true;
	}
	if (!util_parse_ull(s, len, &v) || v > (unsigned long long)LLONG_MAX)
		return false;
	*out = (long long)v;
	return true;
}

bool
util_parse_double(const char *s, size_t len, double *out)
{
	char tmp[128], *end;
	double d;

	if (len == 0 || len >= sizeof tmp || isspace((unsigned char)s[0]))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	d = strtod(tmp, &end);
	if (*end != '\0' || isnan(d) || (errno == ERANGE && !isinf(d)))
		return false;
	*out = d;
	return true;
}

bool
util_parse_memory(const char *s, long long *out)
{
	const char *u = s;
	long long mul = 1, v;
	size_t n;

	while (*u && (isdigit((unsigned char)*u) || (u == s && *u == '-')))
		u++;
	n = (size_t)(u - s);
	if (*u == '\0')
		mul = 1;
	else if (!strcasecmp(u, "b"))
		mul = 1;
	else if (!strcasecmp(u, "k"))
		mul = 1000;
	else if (!strcasecmp(u, "kb"))
		mul = 1024;
	else if (!strcasecmp(u, "m"))
		mul = 1000 * 1000;
	else if (!strcasecmp(u, "mb"))
		mul = 1024 * 1024;
	else if (!strcasecmp(u, "g"))
		mul = 1000LL * 1000 * 1000;
	else if (!strcasecmp(u, "gb"))
		mul = 1024LL * 1024 * 1024;
	else
		return false;
	if (!util_parse_ll(s, n, &v))
		return false;
	if (v != 0 && (v > LLONG_MAX / mul || v < LLONG_MIN / mul))
		return false;
	*out = v * mul;
	return true;
}

int
util_parse_yesno(const char *s)
{
	if (!strcasecmp(s, "yes"))
		return 1;
	if (!strcasecmp(s, "no"))
		return 0;
	return -1;
}

size_t
util_ll2str(char *dst, long long v)
{
	char tmp[21];
	unsigned long long u;
	size_t n = 0, i = 0;

	u = v < 0 ? (unsigned long long)(-(v + 1)) + 1 : (unsigned long long)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		dst[i++] = '-';
	while (n > 0)
		dst[i++] = tmp[--n];
	dst[i] = '\0';
	return i;
}

size_t
util_d2str(char *dst, size_t cap, double d)
{
	int n;

	if (isinf(d))
		n = snprintf(dst, cap, "%s", d > 0 ? "inf" : "-inf");
	else
		n = snprintf(dst, cap, "%.17g", d);
	/* Prefer the shortest representation that reads back the same. */
	if (!isinf(d)) {
		for (int prec = 1; prec <= 17; prec++) {
			char tmp[64];

			snprintf(tmp, sizeof tmp, "%.*g", prec, d);
			if (strtod(tmp, NULL) == d) {
				n = snprintf(dst, cap, "%s", tmp);
				break;
			}
		}
	}
	return n < 0 ? 0 : (size_t)n;
}

static int64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t util_mono_us(void) { return clock_us(CLOCK_MONOTONIC); }
int64_t util_mono_ms(void) { return clock_us(CLOCK_MONOTONIC) / 1000; }
int64_t util_wall_us(void) { return clock_us(CLOCK_REALTIME); }
int64_t util_wall_ms(void) { return clock_us(CLOCK_REALTIME) / 1000; }

void
util_random_bytes(void *p, size_t n)
{
	static uint64_t state;
	unsigned char *c = p;
	int fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		size_t got = 0;

		while (got < n) {
			ssize_t r = read(fd, c + got, n - got);

			if (r <= 0)
				break;
			got += (size_t)r;
		}
		close(fd);
		if (got == n)
			return;
	}
	if (state == 0)
		state = (uint64_t)util_wall_us() ^ ((uint64_t)getpid() << 32);
	for (size_t i = 0; i < n; i++) {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		c[i] = (unsigned char)state;
	}
}

void
util_random_hex(char *dst, size_t nhex)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];

	if (nhex > 2 * sizeof raw)
		nhex = 2 * sizeof raw;
	util_random_bytes(raw, (nhex + 1) / 2);
	for (size_t i = 0; i < nhex; i++)
		dst[i] = hex[(raw[i / 2] >> ((i & 1) ? 0 : 4)) & 0xf];
	dst[nhex] = '\0';
}

void
util_strtolower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

bool
util_strcaseeq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

void
util_repr(struct buf *out, const char *s, size_t len)
{
	buf_appendc(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\\': buf_appends(out, "\\\\"); break;
		case '"': buf_appends(out, "\\\""); break;
		case '\n': buf_appends(out, "\\n"); break;
		case '\r': buf_appends(out, "\\r"); break;
		case '\t': buf_appends(out, "\\t"); break;
		case '\a': buf_appends(out, "\\a"); break;
		case '\b': buf_appends(out, "\\b"); break;
		default:
			if (isprint(c))
				buf_appendc(out, (char)c);
			else
				buf_appendf(out, "\\x%02x", c);
		}
	}
	buf_appendc(out, '"');
}

static uint64_t hash_seed = 0x9e3779b97f4a7c15ULL;

void
util_hash_seed(uint64_t seed)
{
	hash_seed = seed | 1;
}

static inline uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
util_hash(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = hash_seed ^ (n * 0x9e3779b97f4a7c15ULL);

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, c, 8);
		h = (h ^ mix64(w)) * 0x100000001b3ULL;
		h = (h << 29) | (h >> 35);
		c += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t w = 0;

		memcpy(&w, c, n);
		h = (h ^ mix64(w ^ n)) * 0x100000001b3ULL;
	}
	return mix64(h);
}

uint64_t
util_hash_nocase(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = hash_seed;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint64_t)tolower(c[i])) * 0x100000001b3ULL;
	return mix64(h);
}
