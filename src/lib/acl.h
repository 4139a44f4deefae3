/*
 * acl.h - users, passwords and the ACL command, as Redis 7.0 has them, for
 * both daemons. Permissions are coarse: a user may run all commands or none
 * (+@all / -@all), and channels are all or none (allchannels / resetchannels).
 */
#ifndef SENTINEL_ACL_H
#define SENTINEL_ACL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct acl_user {
	char	*name;
	bool	 enabled;	/* on / off */
	bool	 nopass;
	bool	 allcommands;	/* +@all */
	bool	 allkeys;	/* ~* */
	bool	 allchannels;	/* &* */
	char	**passwords;	/* SHA-256 hex digests, 64 chars each */
	size_t	 npasswords;
	int	 sanitize;	/* ACL_SANITIZE_*: only shown, never enforced */
};

/* The payload sanitizing flag: set by "reset", shown by LIST and GETUSER. */
#define ACL_SANITIZE_NONE	0
#define ACL_SANITIZE_YES	1	/* sanitize-payload */
#define ACL_SANITIZE_SKIP	2	/* skip-sanitize-payload */

/* Called with a user that is about to be deleted so that its connections can be closed. */
typedef void (*acl_user_gone_cb)(const struct acl_user *u);

/* Create the default user: "user default on nopass ~* &* +@all". */
void	acl_init(acl_user_gone_cb gone);
/*
 * Called after ACL SETUSER took channel access away from a user ("allchannels"
 * to none), so that its subscribed connections can be closed, as Redis 7.0
 * does. SETUSER never disconnects anyone else, "reset" included. Set it
 * after acl_init (acl_shutdown forgets it).
 */
void	acl_set_channels_revoked_cb(acl_user_gone_cb cb);
void	acl_shutdown(void);
struct acl_user *acl_default_user(void);
struct acl_user *acl_lookup(const char *name);
/*
 * Apply rules to a user, creating it if needed (new users start "off" with
 * no passwords, no commands, no keys, no channels, as in Redis). Rules: on,
 * off, >pw, <pw, #hash, !hash, nopass, resetpass, +@all, -@all, allcommands,
 * nocommands, ~*, allkeys, resetkeys, &*, allchannels, resetchannels, reset;
 * also sanitize-payload, skip-sanitize-payload (only shown) and
 * clearselectors (nothing to clear); "" does nothing. Words are
 * case-insensitive. Returns 0, or -1 when nothing is changed and *err is
 * Redis's message, e.g. "ERR Error in ACL SETUSER modifier 'foo': Syntax
 * error" or "ERR Usernames can't contain spaces or null characters" (free it).
 */
int	acl_setuser(const char *name, int nrules, char **rules, char **err);
/* "requirepass": set the default user's only password ("" means nopass). */
void	acl_set_requirepass(const char *pw);
/*
 * The requirepass value for CONFIG GET: the last value given to
 * acl_set_requirepass ("" if none), whatever ACL SETUSER did to the default
 * user since, as Redis 7.0 keeps it.
 */
const char *acl_get_requirepass(void);
/* Delete a user (not "default"); returns true if it existed. */
bool	acl_deluser(const char *name);
/*
 * AUTH: returns the user when name exists, is on, and pw matches (or the
 * user is nopass); NULL otherwise.
 */
struct acl_user *acl_authenticate(const char *name, const char *pw, size_t pwlen);
/* Does a connection authenticated as nobody yet need AUTH? (default user off or with a password) */
bool	acl_auth_required(void);
/* One line of ACL LIST / the "user" config form: "user default on nopass ~* &* +@all". */
void	acl_describe(const struct acl_user *u, struct buf *out);
/* All users sorted by name (for ACL LIST / ACL USERS / config rewrite). Returns the count; *users is malloc'd. */
size_t	acl_users(struct acl_user ***users);

/*
 * The ACL command: argv[0] is "ACL". Handles SETUSER, DELUSER, WHOAMI, LIST,
 * USERS, GETUSER, CAT (minimal), GENPASS and HELP, replying into out with the
 * RESP version proto; also LOG (always empty), LOAD and SAVE (no ACL file).
 * whoami is the calling connection's user name (NULL: null reply). Arity
 * and unknown-subcommand errors are Redis's.
 */
void	acl_command(struct buf *out, int proto, const char *whoami, int argc, char **argv, const size_t *argvlen);

/* SHA-256 of (p, n) as 64 lowercase hex characters plus NUL. */
void	acl_sha256_hex(const void *p, size_t n, char out[65]);

#endif
