/*
 * acl.c - users, passwords and the ACL command, as Redis 7.0 has them.
 *
 * Users live in one array kept sorted by name (Redis lists them in byte
 * order). A struct acl_user never moves or changes address while it exists,
 * so connections may keep a pointer to the one they authenticated as; ACL
 * SETUSER stages its rules on a copy and writes the result back in place.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "acl.h"
#include "buf.h"
#include "resp.h"
#include "util.h"

#define ACL_HASH_LEN		64	/* hex characters of a SHA-256 */
#define ACL_GENPASS_MAX_BITS	4096

static struct acl_user	**acl_list;	/* sorted by name */
static size_t		  acl_count;
static struct acl_user	 *acl_default;
static char		 *acl_requirepass;	/* last requirepass, NULL if none */
static acl_user_gone_cb	  acl_gone_cb;
static acl_user_gone_cb	  acl_revoked_cb;

/* ------------------------------------------------------------------------
 * SHA-256 (FIPS 180-4), used to store and check passwords.
 */

struct acl_sha256 {
	uint32_t	h[8];
	uint64_t	total;		/* bytes hashed so far */
	unsigned char	block[64];
	size_t		used;		/* bytes waiting in block */
};

static const uint32_t acl_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* 32-bit right rotation, the building block of the round functions. */
static inline uint32_t
acl_ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* Start a hash with the initial values of FIPS 180-4 section 5.3.3. */
static void
acl_sha256_init(struct acl_sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof iv);
	c->total = 0;
	c->used = 0;
}

/* Mix one 64-byte block into the state. */
static void
acl_sha256_block(struct acl_sha256 *c, const unsigned char *p)
{
	uint32_t	w[64], v[8], s0, s1, ch, maj, t1, t2;
	int		i;

	for (i = 0; i < 16; i++) {
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	}
	for (i = 16; i < 64; i++) {
		s0 = acl_ror(w[i - 15], 7) ^ acl_ror(w[i - 15], 18) ^
		    (w[i - 15] >> 3);
		s1 = acl_ror(w[i - 2], 17) ^ acl_ror(w[i - 2], 19) ^
		    (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, c->h, sizeof v);
	for (i = 0; i < 64; i++) {
		s1 = acl_ror(v[4], 6) ^ acl_ror(v[4], 11) ^ acl_ror(v[4], 25);
		ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		t1 = v[7] + s1 + ch + acl_sha256_k[i] + w[i];
		s0 = acl_ror(v[0], 2) ^ acl_ror(v[0], 13) ^ acl_ror(v[0], 22);
		maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		t2 = s0 + maj;
		memmove(v + 1, v, 7 * sizeof v[0]);
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		c->h[i] += v[i];
}

/* Feed bytes; whole blocks are mixed in as soon as they are complete. */
static void
acl_sha256_update(struct acl_sha256 *c, const void *data, size_t n)
{
	const unsigned char	*p = data;
	size_t			 take;

	c->total += n;
	while (n > 0) {
		if (c->used == 0 && n >= 64) {
			acl_sha256_block(c, p);
			p += 64;
			n -= 64;
			continue;
		}
		take = 64 - c->used;
		if (take > n)
			take = n;
		memcpy(c->block + c->used, p, take);
		c->used += take;
		p += take;
		n -= take;
		if (c->used == 64) {
			acl_sha256_block(c, c->block);
			c->used = 0;
		}
	}
}

/* Pad with 0x80, zeros and the bit length, and write the 32-byte digest. */
static void
acl_sha256_final(struct acl_sha256 *c, unsigned char out[32])
{
	uint64_t	bits = c->total * 8;
	int		i;

	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		acl_sha256_block(c, c->block);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	acl_sha256_block(c, c->block);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

/* Passwords are kept and shown as the hex SHA-256, as Redis does. */
void
acl_sha256_hex(const void *p, size_t n, char out[65])
{
	static const char	 hex[] = "0123456789abcdef";
	struct acl_sha256	 c;
	unsigned char		 d[32];
	int			 i;

	acl_sha256_init(&c);
	acl_sha256_update(&c, p, n);
	acl_sha256_final(&c, d);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[64] = '\0';
}

/* ------------------------------------------------------------------------
 * Users.
 */

/* A user as Redis creates it: off, no passwords, nothing allowed. */
static struct acl_user *
acl_user_new(const char *name)
{
	struct acl_user	*u = xcalloc(1, sizeof *u);

	u->name = xstrdup(name);
	return u;
}

static void
acl_clear_passwords(struct acl_user *u)
{
	size_t	i;

	for (i = 0; i < u->npasswords; i++)
		free(u->passwords[i]);
	free(u->passwords);
	u->passwords = NULL;
	u->npasswords = 0;
}

static void
acl_user_free(struct acl_user *u)
{
	acl_clear_passwords(u);
	free(u->name);
	free(u);
}

/* Copy everything but the name from src to dst, passwords deeply. */
static void
acl_copy_rules(struct acl_user *dst, const struct acl_user *src)
{
	size_t	i;

	acl_clear_passwords(dst);
	dst->enabled = src->enabled;
	dst->nopass = src->nopass;
	dst->allcommands = src->allcommands;
	dst->allkeys = src->allkeys;
	dst->allchannels = src->allchannels;
	dst->sanitize = src->sanitize;
	if (src->npasswords > 0) {
		dst->passwords = xreallocarray(NULL, src->npasswords,
		    sizeof *dst->passwords);
		for (i = 0; i < src->npasswords; i++)
			dst->passwords[i] = xstrdup(src->passwords[i]);
	}
	dst->npasswords = src->npasswords;
}

/* Binary search; *at is where name is or would go. */
static bool
acl_find(const char *name, size_t *at)
{
	size_t	lo = 0, hi = acl_count, mid;
	int	cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(name, acl_list[mid]->name);
		if (cmp == 0) {
			*at = mid;
			return true;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*at = lo;
	return false;
}

/* Insert a user that is known not to exist yet. */
static void
acl_insert(struct acl_user *u)
{
	size_t	at;

	if (acl_find(u->name, &at))
		fatalx("acl: user %s exists twice", u->name);
	acl_list = xreallocarray(acl_list, acl_count + 1, sizeof *acl_list);
	memmove(acl_list + at + 1, acl_list + at,
	    (acl_count - at) * sizeof *acl_list);
	acl_list[at] = u;
	acl_count++;
}

/* Both daemons start with only "default", which lets everyone in. */
void
acl_init(acl_user_gone_cb gone)
{
	acl_shutdown();
	acl_gone_cb = gone;
	acl_default = acl_user_new("default");
	acl_default->enabled = true;
	acl_default->nopass = true;
	acl_default->allcommands = true;
	acl_default->allkeys = true;
	acl_default->allchannels = true;
	acl_insert(acl_default);
}

/* The server closes subscribers of a user that lost its channels. */
void
acl_set_channels_revoked_cb(acl_user_gone_cb cb)
{
	acl_revoked_cb = cb;
}

/* Free every user (no callbacks: the connections are going too). */
void
acl_shutdown(void)
{
	size_t	i;

	for (i = 0; i < acl_count; i++)
		acl_user_free(acl_list[i]);
	free(acl_list);
	acl_list = NULL;
	acl_count = 0;
	acl_default = NULL;
	free(acl_requirepass);
	acl_requirepass = NULL;
	acl_gone_cb = NULL;
	acl_revoked_cb = NULL;
}

struct acl_user *
acl_default_user(void)
{
	return acl_default;
}

struct acl_user *
acl_lookup(const char *name)
{
	size_t	at;

	if (acl_count == 0 || !acl_find(name, &at))
		return NULL;
	return acl_list[at];
}

/* Index of a hex digest in the user's password list, or -1. */
static ssize_t
acl_password_index(const struct acl_user *u, const char *hash)
{
	size_t	i;

	for (i = 0; i < u->npasswords; i++) {
		if (strcmp(u->passwords[i], hash) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* Add a digest at the end unless it is already there; clears nopass. */
static void
acl_add_password(struct acl_user *u, const char *hash)
{
	if (acl_password_index(u, hash) < 0) {
		u->passwords = xreallocarray(u->passwords, u->npasswords + 1,
		    sizeof *u->passwords);
		u->passwords[u->npasswords++] = xstrdup(hash);
	}
	u->nopass = false;
}

/* Remove a digest, keeping the order of the others; false if absent. */
static bool
acl_del_password(struct acl_user *u, const char *hash)
{
	ssize_t	i = acl_password_index(u, hash);

	if (i < 0)
		return false;
	free(u->passwords[i]);
	memmove(u->passwords + i, u->passwords + i + 1,
	    (u->npasswords - (size_t)i - 1) * sizeof *u->passwords);
	u->npasswords--;
	return true;
}

/* "#hash" and "!hash" take exactly 64 lowercase hex digits. */
static bool
acl_valid_hash(const char *s, size_t n)
{
	size_t	i;

	if (n != ACL_HASH_LEN)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* Redis refuses names with white space (as isspace in the C locale) or NUL. */
static bool
acl_has_spaces(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
			return true;
	}
	return false;
}

/* Reasons a rule is refused, worded as Redis's ACLSetUserStringError. */
static const char acl_err_syntax[] = "Syntax error";
static const char acl_err_unknown[] =
    "Unknown command or category name in ACL";
static const char acl_err_keys[] =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not "
    "valid and does not have any effect. Try 'resetkeys' to start with an "
    "empty list of patterns";
static const char acl_err_channels[] =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not "
    "valid and does not have any effect. Try 'resetchannels' to start with "
    "an empty list of channels";
static const char acl_err_nopass[] =
    "The password you are trying to remove from the user does not exist";
static const char acl_err_hash[] =
    "The password hash must be exactly 64 characters and contain only "
    "lowercase hexadecimal characters";

/*
 * Apply one rule (r, n) to u. Returns NULL or the reason it was refused.
 * Words are compared as C strings, so "on\0junk" is "on", as in Redis.
 */
static const char *
acl_apply(struct acl_user *u, const char *r, size_t n)
{
	char	hash[ACL_HASH_LEN + 1];

	if (n == 0)
		return NULL;
	if (strcasecmp(r, "on") == 0)
		u->enabled = true;
	else if (strcasecmp(r, "off") == 0)
		u->enabled = false;
	else if (strcasecmp(r, "skip-sanitize-payload") == 0)
		u->sanitize = ACL_SANITIZE_SKIP;
	else if (strcasecmp(r, "sanitize-payload") == 0)
		u->sanitize = ACL_SANITIZE_YES;
	else if (strcasecmp(r, "nopass") == 0) {
		acl_clear_passwords(u);
		u->nopass = true;
	} else if (strcasecmp(r, "resetpass") == 0) {
		acl_clear_passwords(u);
		u->nopass = false;
	} else if (r[0] == '>' || r[0] == '<') {
		acl_sha256_hex(r + 1, n - 1, hash);
		if (r[0] == '>')
			acl_add_password(u, hash);
		else if (!acl_del_password(u, hash))
			return acl_err_nopass;
	} else if (r[0] == '#' || r[0] == '!') {
		if (!acl_valid_hash(r + 1, n - 1))
			return acl_err_hash;
		if (r[0] == '#')
			acl_add_password(u, r + 1);
		else if (!acl_del_password(u, r + 1))
			return acl_err_nopass;
	} else if (strcasecmp(r, "clearselectors") == 0) {
		/* No selectors here: nothing to clear. */
	} else if (strcasecmp(r, "reset") == 0) {
		acl_clear_passwords(u);
		u->nopass = false;
		u->allkeys = false;
		u->allchannels = false;
		u->enabled = false;
		u->sanitize = ACL_SANITIZE_YES;
		u->allcommands = false;
	} else if (strcasecmp(r, "allkeys") == 0 || strcasecmp(r, "~*") == 0)
		u->allkeys = true;
	else if (strcasecmp(r, "resetkeys") == 0)
		u->allkeys = false;
	else if (strcasecmp(r, "allchannels") == 0 || strcasecmp(r, "&*") == 0)
		u->allchannels = true;
	else if (strcasecmp(r, "resetchannels") == 0)
		u->allchannels = false;
	else if (strcasecmp(r, "allcommands") == 0 ||
	    strcasecmp(r, "+@all") == 0)
		u->allcommands = true;
	else if (strcasecmp(r, "nocommands") == 0 ||
	    strcasecmp(r, "-@all") == 0)
		u->allcommands = false;
	else if (r[0] == '~' || r[0] == '%') {
		/* Key patterns other than "*" are not supported. */
		return u->allkeys ? acl_err_keys : acl_err_syntax;
	} else if (r[0] == '&') {
		/* Nor channel patterns other than "*". */
		return u->allchannels ? acl_err_channels : acl_err_syntax;
	} else if (r[0] == '+' || r[0] == '-') {
		/* Single commands and categories other than @all are unknown. */
		return acl_err_unknown;
	} else
		return acl_err_syntax;
	return NULL;
}

/*
 * SETUSER with counted rules (passwords may hold any byte). All rules are
 * tried on a copy first, so a bad one leaves the user as it was.
 */
static int
acl_setuser_len(const char *name, int nrules, char **rules,
    const size_t *lens, char **err)
{
	struct acl_user	*u, *tmp;
	const char	*why;
	bool		 had_channels;
	int		 i;

	*err = NULL;
	if (acl_has_spaces(name, strlen(name))) {
		*err = xstrdup("ERR Usernames can't contain spaces or null "
		    "characters");
		return -1;
	}
	u = acl_lookup(name);
	tmp = acl_user_new(name);
	if (u != NULL)
		acl_copy_rules(tmp, u);
	for (i = 0; i < nrules; i++) {
		why = acl_apply(tmp, rules[i],
		    lens != NULL ? lens[i] : strlen(rules[i]));
		if (why != NULL) {
			*err = xasprintf("ERR Error in ACL SETUSER modifier "
			    "'%s': %s", rules[i], why);
			acl_user_free(tmp);
			return -1;
		}
	}
	if (u == NULL) {
		acl_insert(tmp);
		return 0;
	}
	had_channels = u->allchannels;
	acl_copy_rules(u, tmp);
	acl_user_free(tmp);
	if (had_channels && !u->allchannels && acl_revoked_cb != NULL)
		acl_revoked_cb(u);
	return 0;
}

int
acl_setuser(const char *name, int nrules, char **rules, char **err)
{
	return acl_setuser_len(name, nrules, rules, NULL, err);
}

/* CONFIG SET requirepass: replaces the default user's passwords. */
void
acl_set_requirepass(const char *pw)
{
	char	hash[ACL_HASH_LEN + 1];

	free(acl_requirepass);
	acl_requirepass = NULL;
	if (pw != NULL && *pw != '\0')
		acl_requirepass = xstrdup(pw);
	if (acl_default == NULL)
		return;
	acl_clear_passwords(acl_default);
	acl_default->nopass = false;
	if (acl_requirepass == NULL) {
		acl_default->nopass = true;
		return;
	}
	acl_sha256_hex(pw, strlen(pw), hash);
	acl_add_password(acl_default, hash);
}

const char *
acl_get_requirepass(void)
{
	return acl_requirepass != NULL ? acl_requirepass : "";
}

/* Unlink a user, tell the server, then free it. */
bool
acl_deluser(const char *name)
{
	struct acl_user	*u;
	size_t		 at;

	if (strcmp(name, "default") == 0 || acl_count == 0 ||
	    !acl_find(name, &at))
		return false;
	u = acl_list[at];
	memmove(acl_list + at, acl_list + at + 1,
	    (acl_count - at - 1) * sizeof *acl_list);
	acl_count--;
	if (acl_gone_cb != NULL)
		acl_gone_cb(u);
	acl_user_free(u);
	return true;
}

/* Compare two digests in a time that does not depend on where they differ. */
static bool
acl_hash_equal(const char *a, const char *b)
{
	unsigned char	diff = 0;
	size_t		i;

	for (i = 0; i < ACL_HASH_LEN; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

struct acl_user *
acl_authenticate(const char *name, const char *pw, size_t pwlen)
{
	struct acl_user	*u;
	char		 hash[ACL_HASH_LEN + 1];
	bool		 ok = false;
	size_t		 i;

	if ((u = acl_lookup(name)) == NULL || !u->enabled)
		return NULL;
	if (u->nopass)
		return u;
	acl_sha256_hex(pw, pwlen, hash);
	for (i = 0; i < u->npasswords; i++) {
		if (acl_hash_equal(hash, u->passwords[i]))
			ok = true;
	}
	return ok ? u : NULL;
}

bool
acl_auth_required(void)
{
	if (acl_default == NULL)
		return false;
	return !acl_default->enabled || !acl_default->nopass;
}

/* The flags in Redis's order: on/off, nopass, the sanitize flag. */
static size_t
acl_flags(const struct acl_user *u, const char *flags[3])
{
	size_t	n = 0;

	flags[n++] = u->enabled ? "on" : "off";
	if (u->nopass)
		flags[n++] = "nopass";
	if (u->sanitize == ACL_SANITIZE_SKIP)
		flags[n++] = "skip-sanitize-payload";
	else if (u->sanitize == ACL_SANITIZE_YES)
		flags[n++] = "sanitize-payload";
	return n;
}

/* "user NAME flags #hashes [~*] &*|resetchannels +@all|-@all". */
void
acl_describe(const struct acl_user *u, struct buf *out)
{
	const char	*flags[3];
	size_t		 i, n;

	buf_appendf(out, "user %s", u->name);
	n = acl_flags(u, flags);
	for (i = 0; i < n; i++)
		buf_appendf(out, " %s", flags[i]);
	for (i = 0; i < u->npasswords; i++)
		buf_appendf(out, " #%s", u->passwords[i]);
	if (u->allkeys)
		buf_appends(out, " ~*");
	buf_appends(out, u->allchannels ? " &*" : " resetchannels");
	buf_appends(out, u->allcommands ? " +@all" : " -@all");
}

size_t
acl_users(struct acl_user ***users)
{
	*users = xreallocarray(NULL, acl_count, sizeof **users);
	if (acl_count > 0)
		memcpy(*users, acl_list, acl_count * sizeof **users);
	return acl_count;
}

/* ------------------------------------------------------------------------
 * The ACL command.
 */

/* Redis's command categories, for ACL CAT. */
static const char *const acl_categories[] = {
	"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin",
	"fast", "slow", "blocking", "dangerous", "connection", "transaction",
	"scripting",
};

/* Our own description of each subcommand, shown by ACL HELP. */
static const char *const acl_help[] = {
	"CAT [<category>]",
	"    Without a category, name the command categories. Commands are not",
	"    sorted into categories here, so a category lists no command.",
	"DELUSER <username> [<username> ...]",
	"    Remove users (never \"default\") and close their connections.",
	"GETUSER <username>",
	"    Show a user's flags, password hashes, commands, keys and channels.",
	"GENPASS [<bits>]",
	"    Return a random password of 256 bits, or <bits>, in hexadecimal.",
	"LIST",
	"    Show every user as a line of the configuration file.",
	"LOG [<count> | RESET]",
	"    Denied commands are not logged, so the log is always empty.",
	"SETUSER <username> <rule> [<rule> ...]",
	"    Create a user or change it. Rules: on off >pass <pass #hash !hash",
	"    nopass resetpass allcommands nocommands +@all -@all allkeys ~*",
	"    resetkeys allchannels &* resetchannels reset.",
	"USERS",
	"    Name every user.",
	"WHOAMI",
	"    Name the user this connection is authenticated as.",
};

/* Subcommands with their Redis arity (counting "ACL"; negative: at least). */
enum acl_sub {
	ACL_SETUSER, ACL_DELUSER, ACL_GETUSER, ACL_LIST, ACL_USERS, ACL_WHOAMI,
	ACL_CAT, ACL_GENPASS, ACL_LOG, ACL_LOAD, ACL_SAVE, ACL_HELP,
};

static const struct {
	const char	*name;
	enum acl_sub	 sub;
	int		 arity;
} acl_subs[] = {
	{ "setuser", ACL_SETUSER, -3 },
	{ "deluser", ACL_DELUSER, -3 },
	{ "getuser", ACL_GETUSER, 3 },
	{ "list", ACL_LIST, 2 },
	{ "users", ACL_USERS, 2 },
	{ "whoami", ACL_WHOAMI, 2 },
	{ "cat", ACL_CAT, -2 },
	{ "genpass", ACL_GENPASS, -2 },
	{ "log", ACL_LOG, -2 },
	{ "load", ACL_LOAD, 2 },
	{ "save", ACL_SAVE, 2 },
	{ "help", ACL_HELP, 2 },
};

/* Arity passed but this form is not one the subcommand takes. */
static void
acl_reply_syntax(struct buf *out, const char *sub)
{
	resp_errorf(out, "ERR unknown subcommand or wrong number of arguments "
	    "for '%.128s'. Try ACL HELP.", sub);
}

static void
acl_cmd_setuser(struct buf *out, int argc, char **argv, const size_t *argvlen)
{
	char	*err;

	if (acl_has_spaces(argv[2], argvlen[2])) {
		resp_error(out, "ERR Usernames can't contain spaces or null "
		    "characters");
		return;
	}
	if (acl_setuser_len(argv[2], argc - 3, argv + 3, argvlen + 3,
	    &err) != 0) {
		resp_error(out, err);
		free(err);
		return;
	}
	resp_simple(out, "OK");
}

/* Refuses the whole command if "default" is named anywhere, as Redis does. */
static void
acl_cmd_deluser(struct buf *out, int argc, char **argv)
{
	long long	deleted = 0;
	int		i;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "default") == 0) {
			resp_error(out, "ERR The 'default' user cannot be "
			    "removed");
			return;
		}
	}
	for (i = 2; i < argc; i++) {
		if (acl_deluser(argv[i]))
			deleted++;
	}
	resp_int(out, deleted);
}

/* Redis 7.0's map: flags, passwords, commands, keys, channels, selectors. */
static void
acl_cmd_getuser(struct buf *out, int proto, const char *name)
{
	struct acl_user	*u = acl_lookup(name);
	const char	*flags[3];
	size_t		 i, n;

	if (u == NULL) {
		resp_null(out, proto);
		return;
	}
	resp_map(out, 6, proto);
	resp_bulk_str(out, "flags");
	n = acl_flags(u, flags);
	resp_set(out, (long long)n, proto);
	for (i = 0; i < n; i++)
		resp_bulk_str(out, flags[i]);
	resp_bulk_str(out, "passwords");
	resp_array(out, (long long)u->npasswords);
	for (i = 0; i < u->npasswords; i++)
		resp_bulk_str(out, u->passwords[i]);
	resp_bulk_str(out, "commands");
	resp_bulk_str(out, u->allcommands ? "+@all" : "-@all");
	resp_bulk_str(out, "keys");
	resp_bulk_str(out, u->allkeys ? "~*" : "");
	resp_bulk_str(out, "channels");
	resp_bulk_str(out, u->allchannels ? "&*" : "");
	resp_bulk_str(out, "selectors");
	resp_array(out, 0);
}

static void
acl_cmd_list(struct buf *out, bool names_only)
{
	struct buf	line = BUF_INIT;
	size_t		i;

	resp_array(out, (long long)acl_count);
	for (i = 0; i < acl_count; i++) {
		if (names_only) {
			resp_bulk_str(out, acl_list[i]->name);
			continue;
		}
		buf_clear(&line);
		acl_describe(acl_list[i], &line);
		resp_bulk(out, line.data, line.len);
	}
	buf_free(&line);
}

static void
acl_cmd_cat(struct buf *out, int argc, char **argv)
{
	size_t	i;

	if (argc > 3) {
		acl_reply_syntax(out, argv[1]);
		return;
	}
	if (argc == 2) {
		resp_array(out, (long long)ARRAY_SIZE(acl_categories));
		for (i = 0; i < ARRAY_SIZE(acl_categories); i++)
			resp_bulk_str(out, acl_categories[i]);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(acl_categories); i++) {
		if (strcasecmp(argv[2], acl_categories[i]) == 0) {
			resp_array(out, 0);
			return;
		}
	}
	resp_errorf(out, "ERR Unknown category '%.128s'", argv[2]);
}

/* Random hex characters: one per four bits asked for, rounded up. */
static void
acl_cmd_genpass(struct buf *out, int argc, char **argv, const size_t *argvlen)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 raw[ACL_GENPASS_MAX_BITS / 8];
	char			 pass[ACL_GENPASS_MAX_BITS / 4];
	long long		 bits = 256;
	size_t			 chars, i;

	if (argc > 3) {
		acl_reply_syntax(out, argv[1]);
		return;
	}
	if (argc == 3 && !util_parse_ll(argv[2], argvlen[2], &bits)) {
		resp_error(out, "ERR value is not an integer or out of range");
		return;
	}
	if (bits <= 0 || bits > ACL_GENPASS_MAX_BITS) {
		resp_errorf(out, "ERR ACL GENPASS argument must be the number of "
		    "bits for the output password, a positive number up to %d",
		    ACL_GENPASS_MAX_BITS);
		return;
	}
	chars = (size_t)(bits + 3) / 4;
	util_random_bytes(raw, (chars + 1) / 2);
	for (i = 0; i < chars; i++)
		pass[i] = hex[(raw[i / 2] >> ((i & 1) ? 0 : 4)) & 0xf];
	resp_bulk(out, pass, chars);
}

/* Nothing is ever denied into a log here, so it is always empty. */
static void
acl_cmd_log(struct buf *out, int argc, char **argv, const size_t *argvlen)
{
	long long	count;

	if (argc > 3) {
		acl_reply_syntax(out, argv[1]);
		return;
	}
	if (argc == 3) {
		if (strcasecmp(argv[2], "reset") == 0) {
			resp_simple(out, "OK");
			return;
		}
		if (!util_parse_ll(argv[2], argvlen[2], &count)) {
			resp_error(out, "ERR value is not an integer or out of "
			    "range");
			return;
		}
	}
	resp_array(out, 0);
}

static void
acl_cmd_help(struct buf *out)
{
	size_t	i;

	resp_array(out, (long long)ARRAY_SIZE(acl_help) + 3);
	resp_simple(out, "ACL <subcommand> [<arg> [value] [opt] ...]. "
	    "Subcommands are:");
	for (i = 0; i < ARRAY_SIZE(acl_help); i++)
		resp_simple(out, acl_help[i]);
	resp_simple(out, "HELP");
	resp_simple(out, "    Prints this help.");
}

void
acl_command(struct buf *out, int proto, const char *whoami, int argc,
    char **argv, const size_t *argvlen)
{
	size_t	i;

	if (argc < 2) {
		resp_error(out, "ERR wrong number of arguments for 'acl' command");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(acl_subs); i++) {
		if (strcasecmp(argv[1], acl_subs[i].name) == 0)
			break;
	}
	if (i == ARRAY_SIZE(acl_subs)) {
		resp_errorf(out, "ERR unknown subcommand '%.128s'. Try ACL HELP.",
		    argv[1]);
		return;
	}
	if ((acl_subs[i].arity > 0 && argc != acl_subs[i].arity) ||
	    argc < -acl_subs[i].arity) {
		resp_errorf(out, "ERR wrong number of arguments for 'acl|%s' "
		    "command", acl_subs[i].name);
		return;
	}

	switch (acl_subs[i].sub) {
	case ACL_SETUSER:
		acl_cmd_setuser(out, argc, argv, argvlen);
		break;
	case ACL_DELUSER:
		acl_cmd_deluser(out, argc, argv);
		break;
	case ACL_GETUSER:
		acl_cmd_getuser(out, proto, argv[2]);
		break;
	case ACL_LIST:
	case ACL_USERS:
		acl_cmd_list(out, acl_subs[i].sub == ACL_USERS);
		break;
	case ACL_WHOAMI:
		if (whoami == NULL)
			resp_null(out, proto);
		else
			resp_bulk_str(out, whoami);
		break;
	case ACL_CAT:
		acl_cmd_cat(out, argc, argv);
		break;
	case ACL_GENPASS:
		acl_cmd_genpass(out, argc, argv, argvlen);
		break;
	case ACL_LOG:
		acl_cmd_log(out, argc, argv, argvlen);
		break;
	case ACL_LOAD:
	case ACL_SAVE:
		resp_error(out, "ERR This Redis instance is not configured to "
		    "use an ACL file. You may want to specify users via the ACL "
		    "SETUSER command and then issue a CONFIG REWRITE (assuming "
		    "you have a Redis configuration file set) in order to store "
		    "users in the Redis configuration.");
		break;
	case ACL_HELP:
		acl_cmd_help(out);
		break;
	}
}
