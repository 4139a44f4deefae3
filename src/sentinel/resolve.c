/*
 * resolve.c - asynchronous host name lookups on the loop's evdns base.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "log.h"
#include "loop.h"
#include "resolve.h"
#include "util.h"

struct resolve_req {
	resolve_fn	 fn;
	void		*arg;
	bool		 cancelled;
	bool		 done;	/* the answer came during evdns_getaddrinfo itself */
};

static struct evdns_base *dns;

static void
answered(int err, struct evutil_addrinfo *res, void *arg)
{
	struct resolve_req *r = arg;
	char ip[INET6_ADDRSTRLEN];
	const char *found = NULL;

	if (err == 0 && res != NULL) {
		if (res->ai_family == AF_INET)
			found = inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr,
			    ip, sizeof ip);
		else if (res->ai_family == AF_INET6)
			found = inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr,
			    ip, sizeof ip);
	}
	if (res != NULL)
		evutil_freeaddrinfo(res);
	r->done = true;
	if (!r->cancelled)
		r->fn(r->arg, found);
	free(r);
}

struct resolve_req *
resolve_start(const char *host, resolve_fn fn, void *arg)
{
	struct evutil_addrinfo hints;
	struct resolve_req *r;
	struct evdns_getaddrinfo_request *req;

	if (dns == NULL) {
		dns = evdns_base_new(loop_base(), EVDNS_BASE_INITIALIZE_NAMESERVERS);
		if (dns == NULL)
			dns = evdns_base_new(loop_base(), 0);
		if (dns != NULL)
			evdns_base_load_hosts(dns, NULL);
	}
	if (dns == NULL) {
		fn(arg, NULL);
		return NULL;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	r = xcalloc(1, sizeof *r);
	r->fn = fn;
	r->arg = arg;
	req = evdns_getaddrinfo(dns, host, NULL, &hints, answered, r);
	/* Answered at once: r is already gone. */
	if (req == NULL)
		return NULL;
	return r;
}

void
resolve_cancel(struct resolve_req *r)
{
	if (r != NULL)
		r->cancelled = true;
}
