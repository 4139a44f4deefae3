/*
 * test_acl.c - SHA-256, users, requirepass, SETUSER rules and errors, AUTH,
 * DELUSER and the ACL command's exact replies. Expected lines and replies
 * are what redis-server 7.0.15 gives for the same commands.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acl.h"
#include "buf.h"
#include "resp.h"
#include "util.h"

/* sha256("pw") and sha256("foo"), as Redis 7.0.15 lists them. */
#define SHA_PW	"30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4"
#define SHA_FOO	"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
#define SHA_A	"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define SHA_B	"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"

/* What the callbacks saw. */
static char	gone_names[8][32];
static int	gone_calls;
static int	revoked_calls;

/* Records the user and checks that it is still whole when announced. */
static void
record_gone(const struct acl_user *u)
{
	assert_non_null(u->name);
	assert_null(acl_lookup(u->name));	/* already unlinked */
	if (gone_calls < 8)
		snprintf(gone_names[gone_calls], sizeof gone_names[0], "%s",
		    u->name);
	gone_calls++;
}

static void
record_revoked(const struct acl_user *u)
{
	assert_false(u->allchannels);
	revoked_calls++;
}

static int
setup(void **state)
{
	(void)state;
	gone_calls = 0;
	revoked_calls = 0;
	acl_init(record_gone);
	acl_set_channels_revoked_cb(record_revoked);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	acl_shutdown();
	return 0;
}

/* The ACL LIST line of a user, in a static buffer. */
static const char *
line_of(const char *name)
{
	static struct buf	 b;
	struct acl_user		*u = acl_lookup(name);

	if (u == NULL)
		return "(none)";
	buf_clear(&b);
	acl_describe(u, &b);
	return b.data;
}

/* SETUSER from a NULL-terminated list of rules; returns the error or NULL. */
static char *
setuser(const char *name, ...)
{
	char	*rules[32], *err = NULL;
	int	 n = 0, rc;
	va_list	 ap;

	va_start(ap, name);
	while ((rules[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	rc = acl_setuser(name, n, rules, &err);
	if (rc == 0)
		assert_null(err);
	else
		assert_non_null(err);
	return err;
}

/* Expect SETUSER to fail with exactly want. */
#define assert_setuser_error(want, ...) do {				\
	char *e_ = setuser(__VA_ARGS__, (char *)NULL);			\
	assert_non_null(e_);						\
	assert_string_equal(e_, want);					\
	free(e_);							\
} while (0)

#define assert_setuser_ok(...) do {					\
	char *e_ = setuser(__VA_ARGS__, (char *)NULL);			\
	if (e_ != NULL)							\
		fail_msg("unexpected error: %s", e_);			\
} while (0)

/* Run the ACL command and return its whole reply (static buffer). */
static const char *
run(int proto, const char *whoami, const char *line)
{
	static struct buf	 out;
	char			*copy, *argv[16], *p;
	size_t			 lens[16];
	int			 argc = 0;

	copy = xstrdup(line);
	for (p = strtok(copy, " "); p != NULL; p = strtok(NULL, " ")) {
		argv[argc] = p;
		lens[argc] = strlen(p);
		argc++;
	}
	buf_clear(&out);
	acl_command(&out, proto, whoami, argc, argv, lens);
	free(copy);
	return out.data != NULL ? out.data : "";
}

/* ------------------------------------------------------------------ */

/* FIPS 180-2 examples plus lengths around the padding boundary. */
static void
test_sha256_vectors(void **state)
{
	static const struct {
		const char	*in;
		const char	*hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
		{ "The quick brown fox jumps over the lazy dog",
		  "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592" },
		{ "pw", SHA_PW },
		{ "foo", SHA_FOO },
	};
	static const struct {
		size_t		 n;
		const char	*hex;
	} as[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
		{ 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	char	 out[65], *a;
	size_t	 i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		acl_sha256_hex(v[i].in, strlen(v[i].in), out);
		assert_string_equal(out, v[i].hex);
	}
	a = xmalloc(1000000);
	memset(a, 'a', 1000000);
	for (i = 0; i < ARRAY_SIZE(as); i++) {
		acl_sha256_hex(a, as[i].n, out);
		assert_string_equal(out, as[i].hex);
	}
	free(a);
	/* Bytes, not strings: a NUL and a high byte count. */
	acl_sha256_hex("\0pw\xffx", 5, out);
	assert_string_equal(out,
	    "c7704364c7562706c0f7cb45316f0b25df47a9bd2fd3c95645a724917f1d8f76");
}

static void
test_default_user(void **state)
{
	struct acl_user	*d = acl_default_user();

	(void)state;
	assert_non_null(d);
	assert_ptr_equal(acl_lookup("default"), d);
	assert_string_equal(line_of("default"),
	    "user default on nopass ~* &* +@all");
	assert_false(acl_auth_required());
	assert_ptr_equal(acl_authenticate("default", "anything", 8), d);
	assert_null(acl_lookup("nobody"));
	assert_null(acl_authenticate("nobody", "x", 1));
	assert_string_equal(acl_get_requirepass(), "");
}

/* requirepass x: exactly that password, no nopass; "": nopass again. */
static void
test_requirepass(void **state)
{
	struct acl_user	*d = acl_default_user();

	(void)state;
	assert_setuser_ok("default", ">other");
	acl_set_requirepass("foo");
	assert_string_equal(line_of("default"),
	    "user default on #" SHA_FOO " ~* &* +@all");
	assert_true(acl_auth_required());
	assert_ptr_equal(acl_authenticate("default", "foo", 3), d);
	assert_null(acl_authenticate("default", "other", 5));
	assert_null(acl_authenticate("default", "fo", 2));
	assert_string_equal(acl_get_requirepass(), "foo");

	/* CONFIG GET keeps the value set last, as Redis does. */
	assert_setuser_ok("default", "nopass");
	assert_false(acl_auth_required());
	assert_string_equal(acl_get_requirepass(), "foo");

	/* It does not turn a disabled default user on. */
	assert_setuser_ok("default", "off");
	acl_set_requirepass("bar");
	assert_true(acl_auth_required());
	assert_null(acl_authenticate("default", "bar", 3));
	assert_setuser_ok("default", "on");
	assert_ptr_equal(acl_authenticate("default", "bar", 3), d);

	acl_set_requirepass("");
	assert_string_equal(line_of("default"),
	    "user default on nopass ~* &* +@all");
	assert_false(acl_auth_required());
	assert_string_equal(acl_get_requirepass(), "");
}

/* The lines Redis prints for the same SETUSER commands. */
static void
test_setuser_rules(void **state)
{
	(void)state;
	assert_setuser_ok("bob", "on", ">pw", "+@all", "allchannels");
	assert_string_equal(line_of("bob"),
	    "user bob on #" SHA_PW " &* +@all");
	assert_setuser_ok("carol");
	assert_string_equal(line_of("carol"),
	    "user carol off resetchannels -@all");

	/* Upper case words; allkeys/allchannels/allcommands. */
	assert_setuser_ok("r2", "ON", "NOPASS", "ALLKEYS", "ALLCHANNELS",
	    "ALLCOMMANDS");
	assert_string_equal(line_of("r2"), "user r2 on nopass ~* &* +@all");

	/* Passwords keep their order and are not added twice; resets. */
	assert_setuser_ok("r3", "on", ">a", ">b", ">a", "~*", "resetkeys",
	    "&*", "resetchannels", "+@all", "nocommands");
	assert_string_equal(line_of("r3"),
	    "user r3 on #" SHA_A " #" SHA_B " resetchannels -@all");
	assert_int_equal(acl_lookup("r3")->npasswords, 2);

	/* nopass and >pw undo each other; resetpass clears both. */
	assert_setuser_ok("r5", "on", "nopass", ">pw");
	assert_string_equal(line_of("r5"),
	    "user r5 on #" SHA_PW " resetchannels -@all");
	assert_setuser_ok("r6", "on", ">pw", "nopass");
	assert_string_equal(line_of("r6"), "user r6 on nopass resetchannels -@all");
	assert_setuser_ok("r7", "on", ">pw", "resetpass");
	assert_string_equal(line_of("r7"), "user r7 on resetchannels -@all");

	/* <pw removes by clear text, !hash by hash; #hash adds. */
	assert_setuser_ok("r8", "on", ">a", "<a", "#" SHA_B, ">pw", "!" SHA_B);
	assert_string_equal(line_of("r8"),
	    "user r8 on #" SHA_PW " resetchannels -@all");

	/* reset, the sanitize flags, clearselectors, "" and "-@ALL". */
	assert_setuser_ok("r8", "reset");
	assert_string_equal(line_of("r8"),
	    "user r8 off sanitize-payload resetchannels -@all");
	assert_setuser_ok("r13", "skip-sanitize-payload", "clearselectors", "",
	    "+@ALL", "-@ALL");
	assert_string_equal(line_of("r13"),
	    "user r13 off skip-sanitize-payload resetchannels -@all");

	/* An existing user is changed in place. */
	{
		struct acl_user *before = acl_lookup("bob");

		assert_setuser_ok("bob", "off", "~*");
		assert_ptr_equal(acl_lookup("bob"), before);
		assert_string_equal(line_of("bob"),
		    "user bob off #" SHA_PW " ~* &* +@all");
	}
}

/* Redis's error texts, and nothing changed or created on error. */
static void
test_setuser_errors(void **state)
{
	struct acl_user	**all;
	size_t		  n;

	(void)state;
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier 'foo': Syntax error",
	    "x", "foo");
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier '#abc': The password hash must "
	    "be exactly 64 characters and contain only lowercase hexadecimal "
	    "characters", "x", "#abc");
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier '!" SHA_FOO "': The password you "
	    "are trying to remove from the user does not exist",
	    "x", "!" SHA_FOO);
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier '<nope': The password you are "
	    "trying to remove from the user does not exist", "x", "<nope");
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier '~foo': Adding a pattern after "
	    "the * pattern (or the 'allkeys' flag) is not valid and does not "
	    "have any effect. Try 'resetkeys' to start with an empty list of "
	    "patterns", "x", "~*", "~foo");
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier '&foo': Adding a pattern after "
	    "the * pattern (or the 'allchannels' flag) is not valid and does "
	    "not have any effect. Try 'resetchannels' to start with an empty "
	    "list of channels", "x", "&*", "&foo");
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or "
	    "category name in ACL", "x", "+@nosuch");
	assert_setuser_error(
	    "ERR Usernames can't contain spaces or null characters", "a b",
	    "on");
	/* An upper-case hash is not a hash. */
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier '#2C26B46B68FFC68FF99B453C1D30413"
	    "413422D706483BFA0F98A5E886266E7AE': The password hash must be "
	    "exactly 64 characters and contain only lowercase hexadecimal "
	    "characters", "x",
	    "#2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE");

	/* None of those created "x" or "a b". */
	assert_null(acl_lookup("x"));
	assert_null(acl_lookup("a b"));
	n = acl_users(&all);
	assert_int_equal(n, 1);
	free(all);

	/* A bad rule after good ones leaves the user as it was. */
	assert_setuser_ok("bob", "on", ">pw", "+@all", "allchannels");
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier 'foo': Syntax error",
	    "bob", "off", "resetpass", "nocommands", "foo");
	assert_string_equal(line_of("bob"),
	    "user bob on #" SHA_PW " &* +@all");
}

static void
test_authenticate(void **state)
{
	struct acl_user	*u;

	(void)state;
	assert_setuser_ok("alice", "on", ">s3cret", ">other");
	u = acl_lookup("alice");
	assert_ptr_equal(acl_authenticate("alice", "s3cret", 6), u);
	assert_ptr_equal(acl_authenticate("alice", "other", 5), u);
	assert_null(acl_authenticate("alice", "s3cre", 5));
	assert_null(acl_authenticate("alice", "s3cret!", 7));
	assert_null(acl_authenticate("alice", "", 0));
	/* pwlen counts, not the NUL. */
	assert_ptr_equal(acl_authenticate("alice", "s3cretXX", 6), u);

	/* A disabled user cannot log in, even with nopass. */
	assert_setuser_ok("alice", "off");
	assert_null(acl_authenticate("alice", "s3cret", 6));
	assert_setuser_ok("alice", "nopass");
	assert_null(acl_authenticate("alice", "whatever", 8));
	assert_setuser_ok("alice", "on");
	assert_ptr_equal(acl_authenticate("alice", "whatever", 8), u);

	/* A user with no password and no nopass cannot log in at all. */
	assert_setuser_ok("alice", "resetpass");
	assert_null(acl_authenticate("alice", "", 0));
	assert_null(acl_authenticate("alice", "s3cret", 6));

	/* The default user off means AUTH is needed even if nopass. */
	assert_setuser_ok("default", "off");
	assert_true(acl_auth_required());
}

/* Passwords given to the command may hold any byte. */
static void
test_binary_password(void **state)
{
	struct buf	 out = BUF_INIT;
	char		 a0[] = "ACL", a1[] = "SETUSER", a2[] = "bin",
			 a3[] = "on", a4[] = ">p\0w";
	char		*argv[] = { a0, a1, a2, a3, a4 };
	size_t		 lens[] = { 3, 7, 3, 2, 4 };
	struct acl_user	*u;

	(void)state;
	acl_command(&out, 2, "default", 5, argv, lens);
	assert_string_equal(out.data, "+OK\r\n");
	u = acl_lookup("bin");
	assert_non_null(u);
	assert_ptr_equal(acl_authenticate("bin", "p\0w", 3), u);
	assert_null(acl_authenticate("bin", "p\0w", 4));
	assert_null(acl_authenticate("bin", "p", 1));

	/* A NUL in a user name is refused. */
	buf_clear(&out);
	argv[2] = a4;
	lens[2] = 4;
	acl_command(&out, 2, "default", 4, argv, lens);
	assert_string_equal(out.data,
	    "-ERR Usernames can't contain spaces or null characters\r\n");
	buf_free(&out);
}

static void
test_deluser(void **state)
{
	(void)state;
	assert_setuser_ok("bob", "on");
	assert_setuser_ok("carol");
	assert_setuser_ok("dave");

	/* "default" anywhere refuses the whole command. */
	assert_string_equal(run(2, "default", "ACL DELUSER bob default"),
	    "-ERR The 'default' user cannot be removed\r\n");
	assert_non_null(acl_lookup("bob"));
	assert_int_equal(gone_calls, 0);
	assert_false(acl_deluser("default"));
	assert_non_null(acl_default_user());
	assert_int_equal(gone_calls, 0);

	/* Counted once each, the missing ones not at all. */
	assert_string_equal(run(2, "default",
	    "ACL DELUSER carol nosuch bob carol"), ":2\r\n");
	assert_int_equal(gone_calls, 2);
	assert_string_equal(gone_names[0], "carol");
	assert_string_equal(gone_names[1], "bob");
	assert_null(acl_lookup("bob"));
	assert_null(acl_lookup("carol"));
	assert_string_equal(run(2, "default", "ACL DELUSER nosuch"), ":0\r\n");

	assert_true(acl_deluser("dave"));
	assert_false(acl_deluser("dave"));
	assert_int_equal(gone_calls, 3);
	assert_string_equal(gone_names[2], "dave");
}

/* Losing allchannels is announced; nothing else is. */
static void
test_channels_revoked(void **state)
{
	(void)state;
	assert_setuser_ok("sub", "on", "nopass", "allchannels");
	assert_int_equal(revoked_calls, 0);
	assert_setuser_ok("sub", "reset");
	assert_int_equal(revoked_calls, 1);
	assert_setuser_ok("sub", "resetchannels", "off");
	assert_int_equal(revoked_calls, 1);
	assert_setuser_ok("sub", "&*");
	assert_setuser_error(
	    "ERR Error in ACL SETUSER modifier 'foo': Syntax error",
	    "sub", "resetchannels", "foo");
	assert_int_equal(revoked_calls, 1);
	assert_int_equal(gone_calls, 0);
}

static void
test_users_sorted(void **state)
{
	struct acl_user	**all;
	size_t		  n;

	(void)state;
	assert_setuser_ok("zed");
	assert_setuser_ok("Alpha");
	assert_setuser_ok("bob");
	n = acl_users(&all);
	assert_int_equal(n, 4);
	assert_string_equal(all[0]->name, "Alpha");
	assert_string_equal(all[1]->name, "bob");
	assert_string_equal(all[2]->name, "default");
	assert_string_equal(all[3]->name, "zed");
	free(all);
}

/* Replies byte for byte as redis-server 7.0.15 sends them. */
static void
test_command_replies(void **state)
{
	(void)state;
	assert_string_equal(run(2, "default", "ACL LIST"),
	    "*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n");
	assert_string_equal(run(2, "default",
	    "ACL SETUSER bob on >pw +@all allchannels"), "+OK\r\n");
	assert_string_equal(run(2, "default", "ACL SETUSER carol"), "+OK\r\n");
	assert_string_equal(run(3, "default", "acl list"),
	    "*3\r\n"
	    "$86\r\nuser bob on #" SHA_PW " &* +@all\r\n"
	    "$34\r\nuser carol off resetchannels -@all\r\n"
	    "$34\r\nuser default on nopass ~* &* +@all\r\n");
	assert_string_equal(run(2, "default", "ACL USERS"),
	    "*3\r\n$3\r\nbob\r\n$5\r\ncarol\r\n$7\r\ndefault\r\n");
	assert_string_equal(run(2, "alice", "ACL WHOAMI"),
	    "$5\r\nalice\r\n");
	assert_string_equal(run(3, NULL, "ACL WHOAMI"), "_\r\n");

	/* GETUSER: an array of pairs in RESP2, a map with a set in RESP3. */
	assert_string_equal(run(2, "default", "ACL GETUSER default"),
	    "*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n"
	    "$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n"
	    "$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n"
	    "$9\r\nselectors\r\n*0\r\n");
	assert_string_equal(run(3, "default", "ACL GETUSER default"),
	    "%6\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnopass\r\n"
	    "$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n"
	    "$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n"
	    "$9\r\nselectors\r\n*0\r\n");
	assert_string_equal(run(2, "default", "ACL GETUSER bob"),
	    "*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n"
	    "$9\r\npasswords\r\n*1\r\n$64\r\n" SHA_PW "\r\n"
	    "$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$0\r\n\r\n"
	    "$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n");
	assert_string_equal(run(3, "default", "ACL GETUSER carol"),
	    "%6\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n"
	    "$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n-@all\r\n"
	    "$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n"
	    "$9\r\nselectors\r\n*0\r\n");
	assert_string_equal(run(2, "default", "ACL GETUSER nosuch"),
	    "$-1\r\n");
	assert_string_equal(run(3, "default", "ACL GETUSER nosuch"), "_\r\n");

	assert_string_equal(run(2, "default", "ACL SETUSER x on foo"),
	    "-ERR Error in ACL SETUSER modifier 'foo': Syntax error\r\n");
	assert_string_equal(run(2, "default", "ACL CAT nosuch"),
	    "-ERR Unknown category 'nosuch'\r\n");
	assert_string_equal(run(2, "default", "ACL LOG"), "*0\r\n");
	assert_string_equal(run(2, "default", "ACL LOG RESET"), "+OK\r\n");
}

static void
test_command_errors(void **state)
{
	static const struct {
		const char	*cmd;
		const char	*reply;
	} t[] = {
		{ "ACL", "-ERR wrong number of arguments for 'acl' command\r\n" },
		{ "ACL SETUSER", "-ERR wrong number of arguments for 'acl|setuser' command\r\n" },
		{ "acl setuser", "-ERR wrong number of arguments for 'acl|setuser' command\r\n" },
		{ "ACL DELUSER", "-ERR wrong number of arguments for 'acl|deluser' command\r\n" },
		{ "ACL GETUSER", "-ERR wrong number of arguments for 'acl|getuser' command\r\n" },
		{ "ACL GETUSER a b", "-ERR wrong number of arguments for 'acl|getuser' command\r\n" },
		{ "ACL WHOAMI x", "-ERR wrong number of arguments for 'acl|whoami' command\r\n" },
		{ "ACL LIST x", "-ERR wrong number of arguments for 'acl|list' command\r\n" },
		{ "ACL USERS x", "-ERR wrong number of arguments for 'acl|users' command\r\n" },
		{ "ACL help x", "-ERR wrong number of arguments for 'acl|help' command\r\n" },
		{ "ACL FOO", "-ERR unknown subcommand 'FOO'. Try ACL HELP.\r\n" },
		{ "acl foo bar", "-ERR unknown subcommand 'foo'. Try ACL HELP.\r\n" },
		{ "acl genpass 1 2", "-ERR unknown subcommand or wrong number of arguments for 'genpass'. Try ACL HELP.\r\n" },
		{ "ACL CAT a b", "-ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.\r\n" },
		{ "ACL GENPASS 0", "-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n" },
		{ "ACL GENPASS -1", "-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n" },
		{ "ACL GENPASS 4097", "-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n" },
		{ "ACL GENPASS abc", "-ERR value is not an integer or out of range\r\n" },
		{ "ACL DELUSER default", "-ERR The 'default' user cannot be removed\r\n" },
		{ "ACL LOAD", "-ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.\r\n" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (strcmp(run(2, "default", t[i].cmd), t[i].reply) != 0)
			fail_msg("%s: got %s", t[i].cmd,
			    run(2, "default", t[i].cmd));
	}
}

/* Lengths as Redis: (bits + 3) / 4 hex characters; and they differ. */
static void
test_genpass(void **state)
{
	static const struct {
		const char	*cmd;
		size_t		 chars;
	} t[] = {
		{ "ACL GENPASS", 64 }, { "ACL GENPASS 5", 2 },
		{ "ACL GENPASS 1", 1 }, { "ACL GENPASS 4096", 1024 },
		{ "ACL GENPASS 255", 64 },
	};
	char		 head[16], first[80];
	const char	*r;
	size_t		 i, j, hl;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		r = run(2, "default", t[i].cmd);
		hl = (size_t)snprintf(head, sizeof head, "$%zu\r\n", t[i].chars);
		assert_memory_equal(r, head, hl);
		for (j = 0; j < t[i].chars; j++)
			assert_non_null(strchr("0123456789abcdef", r[hl + j]));
		assert_string_equal(r + hl + t[i].chars, "\r\n");
	}
	snprintf(first, sizeof first, "%s", run(2, "default", "ACL GENPASS"));
	assert_string_not_equal(first, run(2, "default", "ACL GENPASS"));
}

/* CAT names Redis's 21 categories; HELP is an array of status lines. */
static void
test_cat_help(void **state)
{
	const char	*r;
	long		 n;

	(void)state;
	r = run(2, "default", "ACL CAT");
	assert_int_equal(strncmp(r, "*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n", 29), 0);
	assert_non_null(strstr(r, "$9\r\nscripting\r\n"));
	assert_string_equal(run(2, "default", "ACL CAT read"), "*0\r\n");
	assert_string_equal(run(2, "default", "ACL CAT PubSub"), "*0\r\n");

	r = run(3, "default", "ACL HELP");
	assert_int_equal(r[0], '*');
	n = strtol(r + 1, NULL, 10);
	assert_true(n > 10);
	assert_non_null(strstr(r, "\r\n+ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
	assert_non_null(strstr(r, "\r\n+SETUSER "));
	/* n status lines, counted. */
	{
		const char	*p = r;
		long		 lines = 0;

		while ((p = strstr(p, "\r\n+")) != NULL) {
			lines++;
			p += 3;
		}
		assert_int_equal(lines, n);
	}
	assert_non_null(strstr(r, "+HELP\r\n+    Prints this help.\r\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test_setup_teardown(test_default_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requirepass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setuser_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setuser_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_authenticate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binary_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deluser, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_revoked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_genpass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cat_help, setup, teardown),
	};

	return cmocka_run_group_tests_name("acl", tests, NULL, NULL);
}
