/*
 * cmd_pubsub.c - SUBSCRIBE and friends, PUBLISH, PUBSUB.
 */
#include "config.h"

#include "client.h"
#include "pubsub.h"
#include "resp.h"
#include "server.h"
#include "util.h"

static void
subscribe(struct client *c, bool pattern)
{
	for (int i = 1; i < c->argc; i++)
		pubsub_subscribe(c, c->argv[i], c->argvlen[i], pattern);
}

static void
unsubscribe(struct client *c, bool pattern)
{
	if (c->argc == 1) {
		pubsub_unsubscribe_all(c, pattern, true);
		return;
	}
	for (int i = 1; i < c->argc; i++)
		pubsub_unsubscribe(c, c->argv[i], c->argvlen[i], pattern);
}

void cmd_subscribe(struct client *c) { subscribe(c, false); }
void cmd_psubscribe(struct client *c) { subscribe(c, true); }
void cmd_unsubscribe(struct client *c) { unsubscribe(c, false); }
void cmd_punsubscribe(struct client *c) { unsubscribe(c, true); }

void
cmd_publish(struct client *c)
{
	long long n = pubsub_publish(c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2]);

	client_int(c, n);
}

void
cmd_pubsub(struct client *c)
{
	if (arg_eq(c, 1, "channels")) {
		if (c->argc > 3) {
			client_err_arity(c, "pubsub|channels");
			return;
		}
		pubsub_channels_reply(c, c->argc == 3 ? c->argv[2] : NULL,
		    c->argc == 3 ? c->argvlen[2] : 0);
	} else if (arg_eq(c, 1, "numsub")) {
		pubsub_numsub_reply(c, c->argc - 2, c->argv + 2, c->argvlen + 2);
	} else if (arg_eq(c, 1, "numpat")) {
		client_int(c, (long long)pubsub_numpat());
	} else {
		static const char *help[] = {
			"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"CHANNELS [<pattern>]",
			"    Return the currently active channels matching a <pattern> (default: '*').",
			"NUMPAT",
			"    Return number of subscriptions to patterns.",
			"NUMSUB [<channel> ...]",
			"    Return the number of subscribers for the specified channels, excluding",
			"    pattern subscriptions(default: no channels).",
			"HELP",
			"    Print this help.",
		};

		client_array(c, ARRAY_SIZE(help));
		for (size_t i = 0; i < ARRAY_SIZE(help); i++)
			resp_simple(&c->reply, help[i]);
	}
}
