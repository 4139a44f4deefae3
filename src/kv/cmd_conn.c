/*
 * cmd_conn.c - connection commands: PING, ECHO, QUIT, RESET, SELECT, AUTH,
 * HELLO and CLIENT.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "client.h"
#include "loop.h"
#include "match.h"
#include "pubsub.h"
#include "resp.h"
#include "server.h"
#include "util.h"

void
cmd_ping(struct client *c)
{
	client_ping_command(c);
}

void
cmd_echo(struct client *c)
{
	client_bulk(c, c->argv[1], c->argvlen[1]);
}

void
cmd_quit(struct client *c)
{
	client_ok(c);
	client_close_after_reply(c);
}

void
cmd_reset(struct client *c)
{
	if (c->flags & CLIENT_MULTI) {
		/* Throw the transaction away as DISCARD would. */
		char *argv0 = c->argv[0];

		(void)argv0;
		server_client_free(c);
	}
	pubsub_unsubscribe_all(c, false, false);
	pubsub_unsubscribe_all(c, true, false);
	c->db = 0;
	c->proto = 2;
	free(c->name);
	c->name = NULL;
	c->user = acl_default_user();
	c->authenticated = !acl_auth_required();
	resp_simple(&c->reply, "RESET");
}

void
cmd_select(struct client *c)
{
	long long db;

	if (!util_parse_ll(c->argv[1], c->argvlen[1], &db)) {
		reply_not_integer(c);
		return;
	}
	if (db < 0 || db >= srv.databases) {
		client_err(c, "ERR DB index is out of range");
		return;
	}
	c->db = (int)db;
	client_ok(c);
}

void
cmd_auth(struct client *c)
{
	client_auth_command(c);
}

void
cmd_hello(struct client *c)
{
	int bad = client_hello(c);

	if (bad > 0)
		client_errf(c, "ERR Syntax error in HELLO option '%.128s'", c->argv[bad]);
	if (bad != 0)
		return;
	client_hello_reply(c, 7, KV_REDIS_VERSION);
	client_bulk_str(c, "mode");
	client_bulk_str(c, "standalone");
	client_bulk_str(c, "role");
	client_bulk_str(c, server_is_replica() ? "replica" : "master");
	client_bulk_str(c, "modules");
	client_array(c, 0);
}

void
cmd_client_setname(struct client *c)
{
	if (client_set_name(c, 2))
		client_ok(c);
}

void
cmd_client_getname(struct client *c)
{
	if (c->name)
		client_bulk_str(c, c->name);
	else
		client_null(c);
}

void
cmd_client_id(struct client *c)
{
	client_int(c, (long long)c->id);
}

void
cmd_client_info(struct client *c)
{
	client_info_command(c);
}

void
cmd_client_list(struct client *c)
{
	if (!client_list_command(c))
		client_errf(c, "ERR Unknown client type '%s'", c->argv[3]);
}

void
cmd_client_kill(struct client *c)
{
	client_kill_command(c);
}

void
cmd_client_setinfo(struct client *c)
{
	char **slot;

	if (arg_eq(c, 2, "lib-name"))
		slot = &c->lib_name;
	else if (arg_eq(c, 2, "lib-ver"))
		slot = &c->lib_ver;
	else {
		client_errf(c, "ERR Unrecognized option '%s'", c->argv[2]);
		return;
	}
	if (!client_name_valid(c->argv[3], c->argvlen[3])) {
		client_errf(c, "ERR %s cannot contain spaces, newlines or special characters.",
		    c->argv[2]);
		return;
	}
	free(*slot);
	*slot = xstrdup(c->argv[3]);
	client_ok(c);
}

void
cmd_client_help(struct client *c)
{
	static const char *help[] = {
		"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GETNAME", "    Return the name of the current connection.",
		"ID", "    Return the ID of the current connection.",
		"INFO", "    Return information about the current client connection.",
		"KILL <ip:port>", "    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
		"    * USER <username>", "      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
		"    * ID <client-id>", "      Kill connections by client id.",
		"LIST [options ...]", "    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
		"SETNAME <name>", "    Assign the name <name> to the current connection.",
		"SETINFO <option> <value>", "    Set client meta attr (LIB-NAME, LIB-VER).",
		"HELP", "    Print this help.",
	};

	client_array(c, ARRAY_SIZE(help));
	for (size_t i = 0; i < ARRAY_SIZE(help); i++)
		resp_simple(&c->reply, help[i]);
}
