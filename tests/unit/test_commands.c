/*
 * test_commands.c - the sentinel command layer against reply bytes
 * captured from a real redis-sentinel 7.0.15 (times and ids rebuilt in
 * the in-memory state so that the same numbers come out).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "acl.h"
#include "client.h"
#include "commands.h"
#include "instance.h"
#include "loop.h"

/* Captured from redis-sentinel 7.0.15 over a raw socket. */
static const char G_CMDINFO[] =
	    "*4\r\n$-1\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n"
	    "+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\n"
	    "response_policy:all_succeeded\r\n*0\r\n*0\r\n*10\r\n$13\r\nsentinel|myid\r\n"
	    ":2\r\n*1\r\n+admin\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n"
	    "+@dangerous\r\n*0\r\n*0\r\n*0\r\n*10\r\n$16\r\nsentinel|masters\r\n:2\r\n*1\r\n"
	    "+admin\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n"
	    "*0\r\n*0\r\n";
static const char G_MASTERS2[] =
	    "*2\r\n*40\r\n$4\r\nname\r\n$2\r\nm2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\n"
	    "port\r\n$5\r\n33053\r\n$5\r\nrunid\r\n$40\r\n"
	    "0cb2370c4f17d05cdfcd01f696e6c5fa49dd4163\r\n$5\r\nflags\r\n$6\r\nmaster\r\n"
	    "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
	    "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n260\r\n"
	    "$15\r\nlast-ping-reply\r\n$3\r\n260\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n"
	    "3000\r\n$12\r\ninfo-refresh\r\n$4\r\n2271\r\n$13\r\nrole-reported\r\n$6\r\n"
	    "master\r\n$18\r\nrole-reported-time\r\n$4\r\n2361\r\n$12\r\nconfig-epoch\r\n"
	    "$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n1\r\n$19\r\nnum-other-sentinels\r\n$1\r\n"
	    "0\r\n$6\r\nquorum\r\n$1\r\n1\r\n$16\r\nfailover-timeout\r\n$6\r\n180000\r\n"
	    "$14\r\nparallel-syncs\r\n$1\r\n1\r\n*42\r\n$4\r\nname\r\n$8\r\nmymaster\r\n"
	    "$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$1\r\n1\r\n$5\r\nrunid\r\n$0\r\n"
	    "\r\n$5\r\nflags\r\n$26\r\ns_down,master,disconnected\r\n$21\r\n"
	    "link-pending-commands\r\n$1\r\n3\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\n"
	    "last-ping-sent\r\n$4\r\n8383\r\n$18\r\nlast-ok-ping-reply\r\n$4\r\n8383\r\n"
	    "$15\r\nlast-ping-reply\r\n$4\r\n8383\r\n$11\r\ns-down-time\r\n$4\r\n5376\r\n"
	    "$23\r\ndown-after-milliseconds\r\n$4\r\n3000\r\n$12\r\ninfo-refresh\r\n$1\r\n"
	    "0\r\n$13\r\nrole-reported\r\n$6\r\nmaster\r\n$18\r\nrole-reported-time\r\n$4\r\n"
	    "8383\r\n$12\r\nconfig-epoch\r\n$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n0\r\n"
	    "$19\r\nnum-other-sentinels\r\n$1\r\n0\r\n$6\r\nquorum\r\n$1\r\n2\r\n$16\r\n"
	    "failover-timeout\r\n$6\r\n180000\r\n$14\r\nparallel-syncs\r\n$1\r\n1\r\n";
static const char G_REPLICAS3[] =
	    "*1\r\n%21\r\n$4\r\nname\r\n$15\r\n127.0.0.1:33054\r\n$2\r\nip\r\n$9\r\n"
	    "127.0.0.1\r\n$4\r\nport\r\n$5\r\n33054\r\n$5\r\nrunid\r\n$40\r\n"
	    "3ecf2d29c4854c266f6e18056b62c726fe231f23\r\n$5\r\nflags\r\n$5\r\nslave\r\n"
	    "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
	    "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n330\r\n"
	    "$15\r\nlast-ping-reply\r\n$3\r\n330\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n"
	    "3000\r\n$12\r\ninfo-refresh\r\n$3\r\n330\r\n$13\r\nrole-reported\r\n$5\r\n"
	    "slave\r\n$18\r\nrole-reported-time\r\n$4\r\n3485\r\n$21\r\n"
	    "master-link-down-time\r\n$5\r\n-1000\r\n$18\r\nmaster-link-status\r\n$3\r\n"
	    "err\r\n$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n$11\r\nmaster-port\r\n$5\r\n"
	    "33053\r\n$14\r\nslave-priority\r\n$2\r\n50\r\n$17\r\nslave-repl-offset\r\n$1\r\n"
	    "1\r\n$17\r\nreplica-announced\r\n$1\r\n1\r\n";
static const char G_SENTINELS2[] =
	    "*1\r\n*28\r\n$4\r\nname\r\n$40\r\n62788ed0ec0e92a588c0bf88d0b2bacdd35a33d5\r\n"
	    "$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n33055\r\n$5\r\nrunid\r\n"
	    "$40\r\n62788ed0ec0e92a588c0bf88d0b2bacdd35a33d5\r\n$5\r\nflags\r\n$8\r\n"
	    "sentinel\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n"
	    "$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n"
	    "$2\r\n90\r\n$15\r\nlast-ping-reply\r\n$2\r\n90\r\n$23\r\n"
	    "down-after-milliseconds\r\n$4\r\n3000\r\n$18\r\nlast-hello-message\r\n$3\r\n"
	    "165\r\n$12\r\nvoted-leader\r\n$1\r\n?\r\n$18\r\nvoted-leader-epoch\r\n$1\r\n"
	    "0\r\n";
static const char G_SENTINELS3[] =
	    "*1\r\n%14\r\n$4\r\nname\r\n$40\r\n62788ed0ec0e92a588c0bf88d0b2bacdd35a33d5\r\n"
	    "$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n33055\r\n$5\r\nrunid\r\n"
	    "$40\r\n62788ed0ec0e92a588c0bf88d0b2bacdd35a33d5\r\n$5\r\nflags\r\n$8\r\n"
	    "sentinel\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n"
	    "$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n"
	    "$3\r\n251\r\n$15\r\nlast-ping-reply\r\n$3\r\n251\r\n$23\r\n"
	    "down-after-milliseconds\r\n$4\r\n3000\r\n$18\r\nlast-hello-message\r\n$4\r\n"
	    "1372\r\n$12\r\nvoted-leader\r\n$1\r\n?\r\n$18\r\nvoted-leader-epoch\r\n$1\r\n"
	    "0\r\n";
static const char G_MASTERS3[] =
	    "*1\r\n%20\r\n$4\r\nname\r\n$2\r\nm2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\n"
	    "port\r\n$5\r\n33053\r\n$5\r\nrunid\r\n$40\r\n"
	    "0cb2370c4f17d05cdfcd01f696e6c5fa49dd4163\r\n$5\r\nflags\r\n$6\r\nmaster\r\n"
	    "$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n"
	    "$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n766\r\n"
	    "$15\r\nlast-ping-reply\r\n$3\r\n766\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n"
	    "3000\r\n$12\r\ninfo-refresh\r\n$4\r\n9027\r\n$13\r\nrole-reported\r\n$6\r\n"
	    "master\r\n$18\r\nrole-reported-time\r\n$4\r\n9048\r\n$12\r\nconfig-epoch\r\n"
	    "$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n1\r\n$19\r\nnum-other-sentinels\r\n$1\r\n"
	    "1\r\n$6\r\nquorum\r\n$1\r\n3\r\n$16\r\nfailover-timeout\r\n$6\r\n180000\r\n"
	    "$14\r\nparallel-syncs\r\n$1\r\n1\r\n";
static const char G_DEBUG2[] =
	    "*26\r\n$11\r\nINFO-PERIOD\r\n$5\r\n10000\r\n$11\r\nPING-PERIOD\r\n$4\r\n1000\r\n"
	    "$10\r\nASK-PERIOD\r\n$4\r\n1000\r\n$14\r\nPUBLISH-PERIOD\r\n$4\r\n2000\r\n"
	    "$18\r\nDEFAULT-DOWN-AFTER\r\n$5\r\n30000\r\n$24\r\nDEFAULT-FAILOVER-TIMEOUT\r\n"
	    "$6\r\n180000\r\n$12\r\nTILT-TRIGGER\r\n$4\r\n2000\r\n$11\r\nTILT-PERIOD\r\n"
	    "$5\r\n30000\r\n$20\r\nSLAVE-RECONF-TIMEOUT\r\n$5\r\n10000\r\n$25\r\n"
	    "MIN-LINK-RECONNECT-PERIOD\r\n$5\r\n15000\r\n$16\r\nELECTION-TIMEOUT\r\n$5\r\n"
	    "10000\r\n$18\r\nSCRIPT-MAX-RUNTIME\r\n$5\r\n60000\r\n$18\r\n"
	    "SCRIPT-RETRY-DELAY\r\n$5\r\n30000\r\n";
static const struct golden {
	const char	*argv[8];
	const char	*reply;
} G_CASES[] = {
	{ { "command", "count", "x", NULL },
	    "-ERR wrong number of arguments for 'command|count' command\r\n" },
	{ { "command", "list", "x", NULL },
	    "-ERR syntax error\r\n" },
	{ { "command", "getkeys", "ping", NULL },
	    "-ERR wrong number of arguments for 'command|getkeys' command\r\n" },
	{ { "command", "nosuch", NULL },
	    "-ERR unknown subcommand 'nosuch'. Try COMMAND HELP.\r\n" },
	{ { "sentinel", NULL },
	    "-ERR wrong number of arguments for 'sentinel' command\r\n" },
	{ { "sentinel", "masters", "x", NULL },
	    "-ERR wrong number of arguments for 'sentinel|masters' command\r\n" },
	{ { "sentinel", "nosuch", "a", NULL },
	    "-ERR unknown subcommand 'nosuch'. Try SENTINEL HELP.\r\n" },
	{ { "sentinel", "master", "nosuch", NULL },
	    "-ERR No such master with that name\r\n" },
	{ { "sentinel", "replicas", "nosuch", NULL },
	    "-ERR No such master with that name\r\n" },
	{ { "sentinel", "slaves", "nosuch", NULL },
	    "-ERR No such master with that name\r\n" },
	{ { "sentinel", "sentinels", "nosuch", NULL },
	    "-ERR No such master with that name\r\n" },
	{ { "sentinel", "get-master-addr-by-name", "nosuch", NULL },
	    "*-1\r\n" },
	{ { "sentinel", "get-master-addr-by-name", "m2", NULL },
	    "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n33053\r\n" },
	{ { "sentinel", "monitor", "a", "127.0.0.1", "1", "x", NULL },
	    "-ERR Invalid quorum\r\n" },
	{ { "sentinel", "monitor", "a", "127.0.0.1", "x", "0", NULL },
	    "-ERR Invalid port\r\n" },
	{ { "sentinel", "monitor", "a", "127.0.0.1", "x", "1", NULL },
	    "-ERR Invalid port\r\n" },
	{ { "sentinel", "monitor", "a", "127.0.0.1", "1", "0", NULL },
	    "-ERR Quorum must be 1 or greater.\r\n" },
	{ { "sentinel", "monitor", "a", "127.0.0.1", "1", "-1", NULL },
	    "-ERR Quorum must be 1 or greater.\r\n" },
	{ { "sentinel", "monitor", "a", "localhost", "1", "1", NULL },
	    "-ERR Invalid IP address or hostname specified\r\n" },
	{ { "sentinel", "monitor", "a", "127.0.0.1", "70000", "1", NULL },
	    "-ERR Invalid port number.\r\n" },
	{ { "sentinel", "monitor", "a", "127.0.0.1", "-1", "1", NULL },
	    "-ERR Invalid port number.\r\n" },
	{ { "sentinel", "monitor", "m2", "127.0.0.1", "1", "1", NULL },
	    "-ERR Duplicate master name.\r\n" },
	{ { "sentinel", "remove", "nosuch", NULL },
	    "-ERR No such master with that name\r\n" },
	{ { "sentinel", "set", "nosuch", "quorum", "1", NULL },
	    "-ERR No such master with that name\r\n" },
	{ { "sentinel", "reset", "nomatch*", NULL },
	    ":0\r\n" },
	{ { "sentinel", "is-master-down-by-addr", "127.0.0.1", "x", "0", "*", NULL },
	    "-ERR value is not an integer or out of range\r\n" },
	{ { "sentinel", "is-master-down-by-addr", "127.0.0.1", "1", "x", "*", NULL },
	    "-ERR value is not an integer or out of range\r\n" },
	{ { "sentinel", "is-master-down-by-addr", "127.0.0.1", "1", "0", "*", NULL },
	    "*3\r\n:1\r\n$1\r\n*\r\n:0\r\n" },
	{ { "sentinel", "is-master-down-by-addr", "1.2.3.4", "1", "0", "*", NULL },
	    "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n" },
	{ { "sentinel", "info-cache", "nosuch", NULL },
	    "*0\r\n" },
	{ { "sentinel", "pending-scripts", NULL },
	    "*0\r\n" },
	{ { "sentinel", "simulate-failure", "help", NULL },
	    "*2\r\n$20\r\ncrash-after-election\r\n$21\r\ncrash-after-promotion\r\n" },
	{ { "sentinel", "simulate-failure", "bad", NULL },
	    "-ERR Unknown failure simulation specified\r\n" },
	{ { "sentinel", "simulate-failure", "crash-after-election", "help", NULL },
	    "*2\r\n$20\r\ncrash-after-election\r\n$21\r\ncrash-after-promotion\r\n" },
	{ { "sentinel", "debug", NULL },
	    "*26\r\n$11\r\nINFO-PERIOD\r\n$5\r\n10000\r\n$11\r\nPING-PERIOD\r\n$4\r\n1000\r\n"
	    "$10\r\nASK-PERIOD\r\n$4\r\n1000\r\n$14\r\nPUBLISH-PERIOD\r\n$4\r\n2000\r\n"
	    "$18\r\nDEFAULT-DOWN-AFTER\r\n$5\r\n30000\r\n$24\r\nDEFAULT-FAILOVER-TIMEOUT\r\n"
	    "$6\r\n180000\r\n$12\r\nTILT-TRIGGER\r\n$4\r\n2000\r\n$11\r\nTILT-PERIOD\r\n"
	    "$5\r\n30000\r\n$20\r\nSLAVE-RECONF-TIMEOUT\r\n$5\r\n10000\r\n$25\r\n"
	    "MIN-LINK-RECONNECT-PERIOD\r\n$5\r\n15000\r\n$16\r\nELECTION-TIMEOUT\r\n$5\r\n"
	    "10000\r\n$18\r\nSCRIPT-MAX-RUNTIME\r\n$5\r\n60000\r\n$18\r\n"
	    "SCRIPT-RETRY-DELAY\r\n$5\r\n30000\r\n" },
	{ { "sentinel", "debug", "info-period", NULL },
	    "-ERR Unknown option or number of arguments for SENTINEL DEBUG 'info-period'\r\n" },
	{ { "sentinel", "debug", "info-period", "0", NULL },
	    "-ERR Invalid argument '0' for SENTINEL DEBUG 'info-period'\r\n" },
	{ { "sentinel", "debug", "info-period", "x", NULL },
	    "-ERR Invalid argument 'x' for SENTINEL DEBUG 'info-period'\r\n" },
	{ { "sentinel", "debug", "nosuch", "1", NULL },
	    "-ERR Unknown option or number of arguments for SENTINEL DEBUG 'nosuch'\r\n" },
	{ { "sentinel", "debug", "info-period", "10000", "ping-period", "-1", NULL },
	    "-ERR Invalid argument '-1' for SENTINEL DEBUG 'ping-period'\r\n" },
	{ { "sentinel", "config", "get", NULL },
	    "-ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.\r\n" },
	{ { "sentinel", "config", "foo", "a", NULL },
	    "-ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.\r\n" },
	{ { "sentinel", "config", "get", "a", "b", NULL },
	    "-ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.\r\n" },
	{ { "sentinel", "myid", "x", NULL },
	    "-ERR wrong number of arguments for 'sentinel|myid' command\r\n" },
	{ { "sentinel", "flushconfig", "x", NULL },
	    "-ERR wrong number of arguments for 'sentinel|flushconfig' command\r\n" },
	{ { "sentinel", "help", "x", NULL },
	    "-ERR wrong number of arguments for 'sentinel|help' command\r\n" },
	{ { "publish", "foo", "bar", NULL },
	    "-ERR Only HELLO messages are accepted by Sentinel instances.\r\n" },
	{ { "publish", "__sentinel__:hello", "garbage", NULL },
	    ":1\r\n" },
	{ { "shutdown", "bad", NULL },
	    "-ERR syntax error\r\n" },
	{ { "shutdown", "nosave", "save", NULL },
	    "-ERR syntax error\r\n" },
	{ { "hello", "4", NULL },
	    "-NOPROTO unsupported protocol version\r\n" },
	{ { "hello", "x", NULL },
	    "-ERR Protocol version is not an integer or out of range\r\n" },
	{ { "hello", "3", "foo", NULL },
	    "-ERR Syntax error in HELLO option 'foo'\r\n" },
	{ { "auth", "x", NULL },
	    ""
	    "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n" },
	{ { "auth", "a", "b", NULL },
	    "-WRONGPASS invalid username-password pair or user is disabled.\r\n" },
	{ { "auth", "a", "b", "c", NULL },
	    "-ERR syntax error\r\n" },
	{ { "ping", "a", "b", NULL },
	    "-ERR wrong number of arguments for 'ping' command\r\n" },
	{ { "config", "get", "x", NULL },
	    "-ERR unknown command 'config', with args beginning with: 'get' 'x' \r\n" },
	{ { "get", "a", "b", NULL },
	    "-ERR unknown command 'get', with args beginning with: 'a' 'b' \r\n" },
	{ { "sentinel", "MASTER", NULL },
	    "-ERR wrong number of arguments for 'sentinel|master' command\r\n" },
	{ { "Sentinel", "Nosuch", NULL },
	    "-ERR unknown subcommand 'Nosuch'. Try SENTINEL HELP.\r\n" },
	{ { "client", "nosuch", NULL },
	    "-ERR unknown subcommand 'nosuch'. Try CLIENT HELP.\r\n" },
	{ { "client", "no-evict", "maybe", NULL },
	    "-ERR syntax error\r\n" },
	{ { "client", "reply", "x", NULL },
	    "-ERR syntax error\r\n" },
	{ { "client", "caching", "yes", NULL },
	    ""
	    "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n" },
	{ { "client", "getredir", NULL },
	    ":-1\r\n" },
	{ { "client", "trackinginfo", NULL },
	    "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\n"
	    "prefixes\r\n*0\r\n" },
	{ { "client", "pause", "x", NULL },
	    "-ERR timeout is not an integer or out of range\r\n" },
	{ { "client", "unblock", "99999", NULL },
	    ":0\r\n" },
};

static struct client	*cl;
static struct instance	*m2, *mymaster, *rep, *peer;
extern char		 stub_events[4096];

/* Run one request on the fake client; the reply is in cl->reply. */
static void
run(struct client *c, const char *const *argv)
{
	char *args[16];
	size_t lens[16];
	int n = 0;

	for (; argv[n] != NULL; n++) {
		args[n] = (char *)(uintptr_t)argv[n];
		lens[n] = strlen(argv[n]);
	}
	buf_clear(&c->reply);
	c->argc = n;
	c->argv = args;
	c->argvlen = lens;
	commands_dispatch(c);
	c->argc = 0;
	c->argv = NULL;
	c->argvlen = NULL;
}

#define RUN(c, ...)	do {						\
	const char *const v_[] = { __VA_ARGS__, NULL };			\
	run((c), v_);							\
} while (0)

static void
expect_reply(const struct client *c, const char *want)
{
	size_t n = strlen(want);

	if (c->reply.len != n || memcmp(c->reply.data, want, n) != 0)
		fail_msg("reply\n%.*s\nwanted\n%s", (int)c->reply.len,
		    c->reply.data ? c->reply.data : "", want);
}

/* The state of the live capture: m2 with one replica, mymaster down. */
static void
times_masters(void)
{
	int64_t now = loop_now_ms();

	m2->act_ping_time = 0;
	m2->last_avail_time = m2->last_pong_time = now - 260;
	m2->info_refresh = now - 2271;
	m2->role_reported_time = now - 2361;
	mymaster->flags = INST_S_DOWN | INST_DISCONNECTED;
	mymaster->act_ping_time = mymaster->last_avail_time = now - 8383;
	mymaster->last_pong_time = now - 8383;
	mymaster->s_down_since = now - 5376;
	mymaster->info_refresh = 0;
	mymaster->role_reported_time = now - 8383;
}

static int
setup(void **state)
{
	static struct client_limits lim;
	int64_t now;

	(void)state;
	loop_init();
	acl_init(NULL);
	lim.qbuf_max = 1024LL * 1024 * 1024;
	lim.max_bulk = 512LL * 1024 * 1024;
	lim.max_multibulk = 1024 * 1024;
	lim.maxclients = 10000;
	client_module_init(commands_client_ops(), &lim);
	commands_init();
	sentinel_state_init();
	memcpy(sentinel.myid, "0123456789012345678901234567890123456789", RUNID_LEN + 1);
	now = loop_now_ms();

	m2 = instance_master_new("m2", "127.0.0.1", "127.0.0.1", 33053, 1);
	memcpy(m2->runid, "0cb2370c4f17d05cdfcd01f696e6c5fa49dd4163", RUNID_LEN + 1);
	m2->down_after_ms = 3000;
	rep = instance_replica_add(m2, "127.0.0.1", 33054);
	memcpy(rep->runid, "3ecf2d29c4854c266f6e18056b62c726fe231f23", RUNID_LEN + 1);
	rep->down_after_ms = 3000;
	rep->act_ping_time = 0;
	rep->last_avail_time = rep->last_pong_time = now - 330;
	rep->info_refresh = now - 330;
	rep->role_reported = ROLE_SLAVE;
	rep->role_reported_time = now - 3485;
	rep->master_link_down_since_ms = -1000;
	rep->slave_master_link_ok = false;
	rep->slave_master_host = strdup("127.0.0.1");
	rep->slave_master_port = 33053;
	rep->slave_priority = 50;
	rep->slave_repl_offset = 1;
	rep->replica_announced = true;
	mymaster = instance_master_new("mymaster", "127.0.0.1", "127.0.0.1", 1, 2);
	mymaster->down_after_ms = 3000;
	cl = client_create(-1, 0);
	return 0;
}

static void
test_masters_resp2(void **state)
{
	(void)state;
	times_masters();
	RUN(cl, "sentinel", "masters");
	expect_reply(cl, G_MASTERS2);
	RUN(cl, "SENTINEL", "MASTER", "m2");
	assert_int_equal(cl->reply.data[0], '*');
	assert_memory_equal(cl->reply.data, "*40\r\n", 5);
}

static void
test_replicas_resp3(void **state)
{
	(void)state;
	RUN(cl, "hello", "3");
	RUN(cl, "sentinel", "replicas", "m2");
	expect_reply(cl, G_REPLICAS3);
	RUN(cl, "sentinel", "slaves", "m2");
	expect_reply(cl, G_REPLICAS3);
	/* Unannounced replicas are left out. */
	rep->replica_announced = false;
	RUN(cl, "sentinel", "replicas", "m2");
	expect_reply(cl, "*0\r\n");
	rep->replica_announced = true;
	RUN(cl, "hello", "2");
}

static void
test_sentinels(void **state)
{
	int64_t now = loop_now_ms();

	(void)state;
	peer = instance_sentinel_add(m2, "127.0.0.1", 33055,
	    "62788ed0ec0e92a588c0bf88d0b2bacdd35a33d5");
	assert_non_null(peer);
	peer->down_after_ms = 3000;
	peer->act_ping_time = 0;
	peer->last_avail_time = peer->last_pong_time = now - 90;
	peer->last_hello_time = now - 165;
	RUN(cl, "sentinel", "sentinels", "m2");
	expect_reply(cl, G_SENTINELS2);

	peer->last_avail_time = peer->last_pong_time = now - 251;
	peer->last_hello_time = now - 1372;
	RUN(cl, "hello", "3");
	RUN(cl, "sentinel", "sentinels", "m2");
	expect_reply(cl, G_SENTINELS3);

	/* MASTER in RESP3, once the peer is known (mymaster gone from the list). */
	m2->quorum = 3;
	m2->last_avail_time = m2->last_pong_time = now - 766;
	m2->info_refresh = now - 9027;
	m2->role_reported_time = now - 9048;
	RUN(cl, "sentinel", "master", "m2");
	expect_reply(cl, G_MASTERS3 + 4);	/* the map without the array header */
	RUN(cl, "sentinel", "get-master-addr-by-name", "nosuch");
	expect_reply(cl, "_\r\n");
	RUN(cl, "sentinel", "debug");
	assert_memory_equal(cl->reply.data, "%13\r\n$11\r\nINFO-PERIOD\r\n", 22);
	RUN(cl, "hello", "2");
	m2->quorum = 1;
}

static void
test_ckquorum(void **state)
{
	(void)state;
	m2->quorum = 1;
	RUN(cl, "sentinel", "ckquorum", "m2");
	expect_reply(cl, "+OK 2 usable Sentinels. Quorum and failover authorization can be reached\r\n");
	m2->quorum = 3;
	RUN(cl, "sentinel", "ckquorum", "m2");
	expect_reply(cl, "-NOQUORUM 2 usable Sentinels. Not enough available Sentinels to reach "
	    "the specified quorum for this master\r\n");
	peer->flags |= INST_S_DOWN;
	RUN(cl, "sentinel", "ckquorum", "m2");
	expect_reply(cl, "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach "
	    "the specified quorum for this master. Not enough available Sentinels to reach "
	    "the majority and authorize a failover\r\n");
	m2->quorum = 1;
	RUN(cl, "sentinel", "ckquorum", "m2");
	expect_reply(cl, "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach "
	    "the majority and authorize a failover\r\n");
	peer->flags &= ~INST_S_DOWN;
	RUN(cl, "sentinel", "ckquorum", "nosuch");
	expect_reply(cl, "-ERR No such master with that name\r\n");
}

static void
test_addr_and_misc(void **state)
{
	(void)state;
	RUN(cl, "sentinel", "get-master-addr-by-name", "m2");
	expect_reply(cl, "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n33053\r\n");
	RUN(cl, "sentinel", "get-master-addr-by-name", "nosuch");
	expect_reply(cl, "*-1\r\n");
	RUN(cl, "command", "count");
	expect_reply(cl, ":15\r\n");
	RUN(cl, "command", "list");
	assert_memory_equal(cl->reply.data, "*72\r\n", 5);
	RUN(cl, "command", "list", "filterby", "aclcat", "admin");
	assert_memory_equal(cl->reply.data, "*38\r\n", 5);
	RUN(cl, "command", "info", "nosuch", "ping", "sentinel|myid", "SENTINEL|MASTERS");
	expect_reply(cl, G_CMDINFO);
	RUN(cl, "sentinel", "debug");
	expect_reply(cl, G_DEBUG2);
	RUN(cl, "role");
	expect_reply(cl, "*2\r\n$8\r\nsentinel\r\n*2\r\n$2\r\nm2\r\n$8\r\nmymaster\r\n");
	RUN(cl, "sentinel", "myid");
	expect_reply(cl, "$40\r\n0123456789012345678901234567890123456789\r\n");
	RUN(cl, "sentinel", "is-master-down-by-addr", "127.0.0.1", "1", "0", "*");
	expect_reply(cl, "*3\r\n:1\r\n$1\r\n*\r\n:0\r\n");
	RUN(cl, "sentinel", "is-master-down-by-addr", "127.0.0.1", "1", "5", "abcd");
	expect_reply(cl, "*3\r\n:1\r\n$1\r\n*\r\n:0\r\n");
	RUN(cl, "sentinel", "is-master-down-by-addr", "127.0.0.1", "33053", "0", "*");
	expect_reply(cl, "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n");
	sentinel.tilt = true;
	RUN(cl, "sentinel", "is-master-down-by-addr", "127.0.0.1", "1", "0", "*");
	expect_reply(cl, "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n");
	sentinel.tilt = false;
	RUN(cl, "sentinel", "failover", "m2");
	/* The stand-in failover finds no replica, as a master without replicas would. */
	expect_reply(cl, "-NOGOODSLAVE No suitable replica to promote\r\n");
	/* Valkey's COORDINATED is accepted (ours is coordinated anyway), alone or after ip port. */
	RUN(cl, "sentinel", "failover", "m2", "coordinated");
	expect_reply(cl, "-NOGOODSLAVE No suitable replica to promote\r\n");
	RUN(cl, "sentinel", "failover", "m2", "127.0.0.1", "9", "COORDINATED");
	expect_reply(cl, "-NOGOODSLAVE No suitable replica to promote\r\n");
	RUN(cl, "sentinel", "failover", "m2", "sideways");
	expect_reply(cl, "-ERR wrong number of arguments for 'sentinel|failover' command\r\n");
	RUN(cl, "sentinel", "failover", "m2", "127.0.0.1", "9", "x", "COORDINATED");
	expect_reply(cl, "-ERR wrong number of arguments for 'sentinel|failover' command\r\n");
	RUN(cl, "hello", "3");
	expect_reply(cl, "%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
	    "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n"
	    "$7\r\nmodules\r\n*0\r\n");
	RUN(cl, "hello", "2");
	RUN(cl, "info", "nosuch");
	expect_reply(cl, "$0\r\n\r\n");
	RUN(cl, "info", "sentinel");
	expect_reply(cl, "$880\r\n# Sentinel\r\nsentinel_masters:2\r\nsentinel_tilt:0\r\n"
	    "sentinel_tilt_since_seconds:-1\r\nsentinel_running_scripts:0\r\n"
	    "sentinel_scripts_queue_length:0\r\nsentinel_simulate_failure_flags:0\r\n"
	    "sentinel_current_epoch:0\r\nsentinel_tilt_entered:0\r\nsentinel_tilt_seconds:0\r\n"
	    "sentinel_config_flushes:0\r\nsentinel_config_flush_usec:0\r\nsentinel_events:0\r\n"
	    "sentinel_failovers_ok:0\r\nsentinel_failovers_aborted:0\r\nsentinel_switches:0\r\n"
	    "sentinel_event_loop_lag_max_ms:0\r\nsentinel_events_by_type:\r\n"
	    "master0:name=m2,status=ok,address=127.0.0.1:33053,slaves=1,sentinels=2\r\n"
	    "master1:name=mymaster,status=sdown,address=127.0.0.1:1,slaves=0,sentinels=1\r\n"
	    "sentinel_master0:name=m2,config_epoch=0,replicas_reachable=1,sentinels_reachable=1,"
	    "failovers_ok=0,failovers_aborted=0,switches=0\r\n"
	    "sentinel_master1:name=mymaster,config_epoch=0,replicas_reachable=0,"
	    "sentinels_reachable=0,failovers_ok=0,failovers_aborted=0,switches=0\r\n\r\n");
	/* SENTINEL HISTORY: dispatched, checked like the others, not listed. */
	RUN(cl, "sentinel", "history", "m2");
	expect_reply(cl, "*0\r\n");
	RUN(cl, "sentinel", "HISTORY", "nosuch");
	expect_reply(cl, "-ERR No such master with that name\r\n");
	RUN(cl, "sentinel", "history");
	expect_reply(cl, "-ERR wrong number of arguments for 'sentinel|history' command\r\n");
	RUN(cl, "command", "info", "sentinel|history");
	expect_reply(cl, "*1\r\n$-1\r\n");
	RUN(cl, "publish", "__sentinel__:hello", "garbage");
	expect_reply(cl, ":1\r\n");
	RUN(cl, "quit");
	expect_reply(cl, "+OK\r\n");
	cl->flags &= ~(uint32_t)CLIENT_CLOSE_AFTER_REPLY;
}

static void
test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof G_CASES / sizeof G_CASES[0]; i++) {
		run(cl, G_CASES[i].argv);
		expect_reply(cl, G_CASES[i].reply);
	}
}

static void
test_monitor_remove_reset(void **state)
{
	(void)state;
	stub_events[0] = '\0';
	RUN(cl, "sentinel", "monitor", "new", "127.0.0.1", "7000", "2");
	expect_reply(cl, "+OK\r\n");
	assert_string_equal(stub_events, "+monitor master new quorum 2\n");
	RUN(cl, "sentinel", "monitor", "new", "127.0.0.1", "7000", "2");
	expect_reply(cl, "-ERR Duplicate master name.\r\n");
	stub_events[0] = '\0';
	RUN(cl, "sentinel", "reset", "ne*");
	expect_reply(cl, ":1\r\n");
	assert_string_equal(stub_events, "+reset-master master new\n");
	stub_events[0] = '\0';
	RUN(cl, "sentinel", "set", "new", "quorum", "5", "auth-pass", "secret");
	expect_reply(cl, "+OK\r\n");
	assert_string_equal(stub_events, "+set master new quorum 5\n+set master new auth-pass ******\n");
	RUN(cl, "sentinel", "set", "new", "bogus", "1");
	expect_reply(cl, "-ERR Unknown option or number of arguments for SENTINEL SET 'x'\r\n");
	stub_events[0] = '\0';
	RUN(cl, "sentinel", "remove", "new");
	expect_reply(cl, "+OK\r\n");
	assert_string_equal(stub_events, "-monitor master new\n");
	assert_null(instance_master_find("new"));
	RUN(cl, "sentinel", "debug", "info-period", "500", "ping-period", "700");
	expect_reply(cl, "+OK\r\n");
	assert_int_equal(sentinel.info_period, 500);
	assert_int_equal(sentinel.ping_period, 700);
	RUN(cl, "sentinel", "simulate-failure", "crash-after-election", "crash-after-promotion");
	expect_reply(cl, "+OK\r\n");
	assert_int_equal(sentinel.simfailure_flags, 3);
	RUN(cl, "sentinel", "simulate-failure", "bad");
	sentinel.simfailure_flags = 0;
	RUN(cl, "sentinel", "config", "get", "*");
	expect_reply(cl, "*2\r\n$17\r\nresolve-hostnames\r\n$2\r\nno\r\n");
	RUN(cl, "sentinel", "flushconfig");
	expect_reply(cl, "+OK\r\n");
}

static void
test_noauth(void **state)
{
	struct client *c2;

	(void)state;
	acl_set_requirepass("pw");
	c2 = client_create(-1, 0);
	RUN(c2, "sentinel", "masters");
	expect_reply(c2, "-NOAUTH Authentication required.\r\n");
	RUN(c2, "nosuch");
	expect_reply(c2, "-ERR unknown command 'nosuch', with args beginning with: \r\n");
	RUN(c2, "auth", "bad");
	expect_reply(c2, "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
	RUN(c2, "auth", "pw");
	expect_reply(c2, "+OK\r\n");
	RUN(c2, "ping");
	expect_reply(c2, "+PONG\r\n");
	acl_set_requirepass("");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masters_resp2),
		cmocka_unit_test(test_replicas_resp3),
		cmocka_unit_test(test_sentinels),
		cmocka_unit_test(test_ckquorum),
		cmocka_unit_test(test_addr_and_misc),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_monitor_remove_reset),
		cmocka_unit_test(test_noauth),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
