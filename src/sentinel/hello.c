/*
 * hello.c - build and read __sentinel__:hello payloads.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "hello.h"
#include "util.h"

/* One comma-separated piece of the payload. */
struct hello_tok {
	const char	*p;
	size_t		 len;
};

/*
 * Writes the payload a sentinel publishes; same layout and number formats
 * as Redis's sentinelSendHello.
 */
void
hello_format(struct buf *out, const struct hello *h)
{
	buf_appendf(out, "%s,%d,%s,%llu,%s,%s,%d,%llu",
	    h->ip, h->port, h->runid, (unsigned long long)h->current_epoch,
	    h->master_name, h->master_ip, h->master_port,
	    (unsigned long long)h->master_config_epoch);
}

/*
 * Splits like sdssplitlen(msg, len, ",", 1): every comma separates, empty
 * pieces count, an empty message has no pieces. Returns the piece count,
 * or HELLO_FIELDS + 1 as soon as there are too many.
 */
static size_t
hello_split(const char *msg, size_t len, struct hello_tok *tok)
{
	size_t	n = 0, start = 0;

	if (len == 0)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && msg[i] != ',')
			continue;
		if (n == HELLO_FIELDS)
			return HELLO_FIELDS + 1;
		tok[n].p = msg + start;
		tok[n].len = i - start;
		n++;
		start = i + 1;
	}
	return n;
}

/* An address: 1..HELLO_IP_MAX printable, non-space bytes. */
static int
hello_addr(const struct hello_tok *t, char *dst)
{
	if (t->len == 0 || t->len > HELLO_IP_MAX)
		return -1;
	for (size_t i = 0; i < t->len; i++)
		if (t->p[i] <= ' ' || t->p[i] >= 0x7f)
			return -1;
	memcpy(dst, t->p, t->len);
	dst[t->len] = '\0';
	return 0;
}

/* A plain decimal port in 0..65535 (Redis's createSentinelAddr range). */
static int
hello_port(const struct hello_tok *t, int *port)
{
	long long	v;

	if (!util_parse_ll(t->p, t->len, &v) || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* A plain unsigned 64-bit decimal. */
static int
hello_epoch(const struct hello_tok *t, uint64_t *epoch)
{
	unsigned long long	v;

	if (!util_parse_ull(t->p, t->len, &v))
		return -1;
	*epoch = (uint64_t)v;
	return 0;
}

/*
 * Reads a hello received on the pubsub link or by PUBLISH to our port;
 * stricter than Redis (which atoi()s everything) so that garbage never
 * becomes a sentinel at port 0 or epoch 0.
 */
int
hello_parse(const char *msg, size_t len, struct hello *out)
{
	struct hello_tok	tok[HELLO_FIELDS];
	const struct hello_tok	*rid, *name;

	memset(out, 0, sizeof *out);
	if (msg == NULL || memchr(msg, '\0', len) != NULL)
		return -1;
	if (hello_split(msg, len, tok) != HELLO_FIELDS)
		return -1;

	if (hello_addr(&tok[0], out->ip) == -1 ||
	    hello_port(&tok[1], &out->port) == -1)
		goto bad;

	rid = &tok[2];
	if (rid->len != HELLO_RUNID_LEN)
		goto bad;
	for (size_t i = 0; i < rid->len; i++)
		if (rid->p[i] <= ' ' || rid->p[i] >= 0x7f)
			goto bad;
	memcpy(out->runid, rid->p, rid->len);
	out->runid[rid->len] = '\0';

	if (hello_epoch(&tok[3], &out->current_epoch) == -1)
		goto bad;

	name = &tok[4];
	if (name->len > HELLO_NAME_MAX)
		goto bad;
	memcpy(out->master_name, name->p, name->len);
	out->master_name[name->len] = '\0';

	if (hello_addr(&tok[5], out->master_ip) == -1 ||
	    hello_port(&tok[6], &out->master_port) == -1 ||
	    hello_epoch(&tok[7], &out->master_config_epoch) == -1)
		goto bad;
	return 0;

bad:
	memset(out, 0, sizeof *out);
	return -1;
}
