/*
 * hello.h - the message sentinels publish on __sentinel__:hello every two
 * seconds (redis-sentinel.md 4.4):
 *
 *	ip,port,runid,current_epoch,master_name,master_ip,master_port,master_config_epoch
 *
 * Redis splits it on every comma and wants exactly 8 pieces, so a master
 * name containing a comma makes the message invalid; we do the same.
 * Pure code: no sockets, no globals, no clock.
 */
#ifndef SENTINEL_HELLO_H
#define SENTINEL_HELLO_H

#include <stddef.h>
#include <stdint.h>

#define HELLO_FIELDS	8
#define HELLO_IP_MAX	255	/* NET_HOST_STR_LEN - 1 */
#define HELLO_RUNID_LEN	40
#define HELLO_NAME_MAX	1024	/* longer master names are rejected */

struct buf;

struct hello {
	char		ip[HELLO_IP_MAX + 1];		/* the sentinel's announced address */
	int		port;				/* 0..65535 */
	char		runid[HELLO_RUNID_LEN + 1];	/* its myid */
	uint64_t	current_epoch;
	char		master_name[HELLO_NAME_MAX + 1];	/* may be "" */
	char		master_ip[HELLO_IP_MAX + 1];
	int		master_port;			/* 0..65535 */
	uint64_t	master_config_epoch;
};

/* Appends the payload (no newline) to out. */
void	hello_format(struct buf *out, const struct hello *h);
/*
 * Returns 0 and fills out, or -1 if msg is not a hello we can use: not
 * exactly 8 fields, an empty, overlong or non-printable ip or master ip, a
 * port that is not a plain decimal in 0..65535, a runid that is not 40
 * printable characters, an epoch that is not a plain unsigned 64-bit
 * decimal, a master name over HELLO_NAME_MAX bytes or holding a NUL, or a
 * NUL anywhere.
 */
int	hello_parse(const char *msg, size_t len, struct hello *out);

#endif
