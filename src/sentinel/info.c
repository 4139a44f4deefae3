/*
 * info.c - digest an INFO reply into struct info_report.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "info.h"
#include "util.h"

/* Biggest |seconds| that still fits in milliseconds. */
#define INFO_SECONDS_MAX	(LLONG_MAX / 1000)

/* A piece of the INFO text: not NUL-terminated. */
struct span {
	const char	*p;
	size_t		 len;
};

/*
 * Moves to the next "\r\n"-terminated line (the last one may lack it).
 * Redis splits on the two-byte separator only, so do we.
 */
static bool
info_next_line(const char **cur, const char *end, struct span *line)
{
	const char	*p = *cur, *s;

	if (p >= end)
		return false;
	s = p;
	for (;;) {
		const char *cr = memchr(s, '\r', (size_t)(end - s));

		if (cr == NULL || cr + 1 >= end) {
			line->p = p;
			line->len = (size_t)(end - p);
			*cur = end;
			return true;
		}
		if (cr[1] == '\n') {
			line->p = p;
			line->len = (size_t)(cr - p);
			*cur = cr + 2;
			return true;
		}
		s = cr + 1;
	}
}

/* If line starts with prefix, sets value to the rest of it. */
static bool
info_prefix(const struct span *line, const char *prefix, struct span *value)
{
	size_t	n = strlen(prefix);

	if (line->len < n || memcmp(line->p, prefix, n) != 0)
		return false;
	value->p = line->p + n;
	value->len = line->len - n;
	return true;
}

/* Exact, case-sensitive comparison of a span with a C string. */
static bool
info_span_eq(const struct span *s, const char *str)
{
	size_t	n = strlen(str);

	return s->len == n && memcmp(s->p, str, n) == 0;
}

/*
 * An address we would be willing to connect to or print: 1..255 bytes of
 * letters, digits and ".:-_%" (IPv4, IPv6 with scope, hostnames).
 */
static bool
info_host_ok(const char *p, size_t len)
{
	if (len == 0 || len > INFO_HOST_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == ':' ||
		    c == '-' || c == '_' || c == '%')
			continue;
		return false;
	}
	return true;
}

/* Strict decimal port in 0..65535, as Redis's createSentinelAddr allows. */
static bool
info_port(const char *p, size_t len, int *port)
{
	long long	v;

	if (!util_parse_ll(p, len, &v) || v < 0 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

/* Strict int; anything else reads as 0, as atoi gives for garbage. */
static int
info_int_or_zero(const struct span *v)
{
	long long	n;

	if (!util_parse_ll(v->p, v->len, &n) || n < INT_MIN || n > INT_MAX)
		return 0;
	return (int)n;
}

/* Copies at most cap bytes of (p, len) into dst (cap + 1 bytes). */
static void
info_copy(char *dst, size_t cap, const char *p, size_t len)
{
	if (len > cap)
		len = cap;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

/*
 * A 40-character id (run_id, master_replid, master_replid2) into dst
 * (INFO_RUNID_LEN + 1 bytes) when v starts with 40 printable characters;
 * otherwise dst keeps what it had. With zero_none, Redis's "no history"
 * id (forty zeros) is not an id: it leaves dst "".
 */
static void
info_id(char *dst, const struct span *v, bool zero_none)
{
	bool ok = v->len >= INFO_RUNID_LEN, zeros = true;

	for (size_t i = 0; ok && i < INFO_RUNID_LEN; i++) {
		ok = v->p[i] > ' ' && v->p[i] < 0x7f;
		zeros = zeros && v->p[i] == '0';
	}
	if (!ok)
		return;
	if (zeros && zero_none)
		dst[0] = '\0';
	else
		info_copy(dst, INFO_RUNID_LEN, v->p, INFO_RUNID_LEN);
}

/*
 * Finds "key=" among the comma-separated pairs of a new-style slaveN value;
 * the first occurrence wins.
 */
static bool
info_pair(const struct span *v, const char *key, struct span *out)
{
	const char	*p = v->p, *end = v->p + v->len;
	size_t		 klen = strlen(key);

	while (p <= end) {
		const char	*comma = memchr(p, ',', (size_t)(end - p));
		const char	*stop = comma != NULL ? comma : end;
		size_t		 n = (size_t)(stop - p);

		if (n > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			out->p = p + klen + 1;
			out->len = n - klen - 1;
			return true;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return false;
}

/*
 * Reads one slaveN line into r: "slaveN:ip=..,port=..,state=..,offset=..,lag=.."
 * or the old "slaveN:<ip>,<port>,<state>". Like Redis, the old form is used
 * when the line has no "ip=" at all and needs a comma after the port.
 */
static bool
info_replica_line(const struct span *line, struct info_replica *r)
{
	const char	*colon, *end = line->p + line->len;
	struct span	 v, ip, port, state = { NULL, 0 }, sv;
	long long	 n;

	colon = memchr(line->p, ':', line->len);
	if (colon == NULL)
		return false;
	v.p = colon + 1;
	v.len = (size_t)(end - v.p);

	memset(r, 0, sizeof *r);
	r->lag = -1;
	if (memmem(line->p, line->len, "ip=", 3) == NULL) {
		const char *c1, *c2, *c3;

		c1 = memchr(v.p, ',', v.len);
		if (c1 == NULL)
			return false;
		c2 = memchr(c1 + 1, ',', (size_t)(end - (c1 + 1)));
		if (c2 == NULL)
			return false;
		ip.p = v.p;
		ip.len = (size_t)(c1 - v.p);
		port.p = c1 + 1;
		port.len = (size_t)(c2 - port.p);
		state.p = c2 + 1;
		c3 = memchr(state.p, ',', (size_t)(end - state.p));
		state.len = (size_t)((c3 != NULL ? c3 : end) - state.p);
	} else {
		if (!info_pair(&v, "ip", &ip) || !info_pair(&v, "port", &port))
			return false;
		if (!info_pair(&v, "state", &state))
			state.len = 0;
		if (info_pair(&v, "offset", &sv) &&
		    util_parse_ll(sv.p, sv.len, &n))
			r->offset = n;
		if (info_pair(&v, "lag", &sv) &&
		    util_parse_ll(sv.p, sv.len, &n))
			r->lag = n;
	}
	if (!info_host_ok(ip.p, ip.len) || !info_port(port.p, port.len, &r->port))
		return false;
	info_copy(r->ip, sizeof r->ip - 1, ip.p, ip.len);
	if (state.len != 0)
		info_copy(r->state, sizeof r->state - 1, state.p, state.len);
	return true;
}

/* Appends a replica, growing the list by doubling up to the cap. */
static void
info_add_replica(struct info_report *out, const struct info_replica *r,
    size_t *cap)
{
	if (out->nreplicas == INFO_MAX_REPLICAS) {
		out->ndropped++;
		return;
	}
	if (out->nreplicas == *cap) {
		*cap = *cap == 0 ? 4 : *cap * 2;
		if (*cap > INFO_MAX_REPLICAS)
			*cap = INFO_MAX_REPLICAS;
		out->replicas = xreallocarray(out->replicas, *cap,
		    sizeof *out->replicas);
	}
	out->replicas[out->nreplicas++] = *r;
}

/* Resets a report to what an empty INFO means. */
static void
info_report_reset(struct info_report *out)
{
	memset(out, 0, sizeof *out);
	out->role = INFO_ROLE_UNKNOWN;
	out->slave_priority = 100;
	out->replica_announced = true;
}

/*
 * The sentinel calls this on every INFO reply: one pass over the lines,
 * the same prefixes Redis's sentinelRefreshInstanceInfo looks at, with
 * strict numbers and bounded copies.
 */
int
info_parse(const char *text, size_t len, struct info_report *out)
{
	const char		*cur, *end, *nul;
	struct span		 line, v;
	struct info_replica	 rep;
	size_t			 cap = 0;
	long long		 n;

	info_report_reset(out);
	if (text == NULL)
		return -1;
	if ((nul = memchr(text, '\0', len)) != NULL)
		len = (size_t)(nul - text);
	cur = text;
	end = text + len;

	while (info_next_line(&cur, end, &line)) {
		if (line.len == 0 || line.p[0] == '#')
			continue;

		/* run_id:<40 chars>; like Redis, only the first 40 count. */
		if (info_prefix(&line, "run_id:", &v)) {
			info_id(out->run_id, &v, false);
			continue;
		}
		if (info_prefix(&line, "master_replid:", &v)) {
			info_id(out->replid, &v, true);
			continue;
		}
		if (info_prefix(&line, "master_replid2:", &v)) {
			info_id(out->replid2, &v, true);
			continue;
		}

		/* slaveN:... (not slave_priority and friends). */
		if (line.len >= 7 && memcmp(line.p, "slave", 5) == 0 &&
		    line.p[5] >= '0' && line.p[5] <= '9') {
			if (info_replica_line(&line, &rep))
				info_add_replica(out, &rep, &cap);
			else
				out->nskipped++;
			continue;
		}

		if (info_prefix(&line, "master_link_down_since_seconds:", &v)) {
			if (!util_parse_ll(v.p, v.len, &n))
				n = 0;
			if (n > INFO_SECONDS_MAX)
				n = INFO_SECONDS_MAX;
			if (n < -INFO_SECONDS_MAX)
				n = -INFO_SECONDS_MAX;
			out->master_link_down_since_seconds = n;
			continue;
		}

		if (info_prefix(&line, "role:", &v)) {
			if (info_span_eq(&v, "master"))
				out->role = INFO_ROLE_MASTER;
			else if (info_span_eq(&v, "slave"))
				out->role = INFO_ROLE_SLAVE;
			/* Other values leave the role alone, as in Redis. */
			continue;
		}

		if (out->role != INFO_ROLE_SLAVE)
			continue;

		if (info_prefix(&line, "master_host:", &v)) {
			if (info_host_ok(v.p, v.len))
				info_copy(out->master_host, INFO_HOST_MAX,
				    v.p, v.len);
			else
				out->master_host[0] = '\0';
		} else if (info_prefix(&line, "master_port:", &v)) {
			if (!info_port(v.p, v.len, &out->master_port))
				out->master_port = 0;
		} else if (info_prefix(&line, "master_link_status:", &v)) {
			out->master_link_up = v.len == 2 &&
			    strncasecmp(v.p, "up", 2) == 0;
		} else if (info_prefix(&line, "slave_priority:", &v)) {
			out->slave_priority = info_int_or_zero(&v);
		} else if (info_prefix(&line, "slave_repl_offset:", &v)) {
			if (!util_parse_ll(v.p, v.len, &out->slave_repl_offset))
				out->slave_repl_offset = 0;
		} else if (info_prefix(&line, "replica_announced:", &v)) {
			out->replica_announced = info_int_or_zero(&v) != 0;
		}
	}
	return 0;
}

/* Gives back the replica list. */
void
info_report_free(struct info_report *r)
{
	free(r->replicas);
	r->replicas = NULL;
	r->nreplicas = 0;
}

/*
 * One field's value, for INFO-CACHE consumers and tests; same line
 * splitting as info_parse.
 */
bool
info_field(const char *text, size_t len, const char *field, char *out,
    size_t outlen)
{
	const char	*cur, *end, *nul;
	struct span	 line, v, found = { NULL, 0 };
	size_t		 flen;

	if (outlen == 0)
		return false;
	out[0] = '\0';
	if (text == NULL || field == NULL)
		return false;
	flen = strlen(field);
	if ((nul = memchr(text, '\0', len)) != NULL)
		len = (size_t)(nul - text);
	cur = text;
	end = text + len;
	while (info_next_line(&cur, end, &line)) {
		if (line.len > flen && memcmp(line.p, field, flen) == 0 &&
		    line.p[flen] == ':') {
			v.p = line.p + flen + 1;
			v.len = line.len - flen - 1;
			found = v;
		}
	}
	if (found.p == NULL || found.len >= outlen)
		return false;
	memcpy(out, found.p, found.len);
	out[found.len] = '\0';
	return true;
}
