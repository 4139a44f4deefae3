/*
 * resolve.h - host names looked up without blocking the loop (evdns).
 */
#ifndef SENTINEL_RESOLVE_H
#define SENTINEL_RESOLVE_H

struct resolve_req;

/* ip is the first address found (numeric, NUL-terminated), or NULL on failure. */
typedef void (*resolve_fn)(void *arg, const char *ip);

/*
 * Look host up; fn runs once with the answer, possibly before this returns
 * (numeric hosts, /etc/hosts): then NULL is returned. Otherwise the request,
 * for resolve_cancel().
 */
struct resolve_req *resolve_start(const char *host, resolve_fn fn, void *arg);
/* fn will not run for this request (its owner is going away). */
void	resolve_cancel(struct resolve_req *r);

#endif
