/*
 * instance.h - what a sentinel knows: masters it monitors, their replicas,
 * and the other sentinels that monitor them. Plain structs: the decision
 * core (decide.c) reads and updates them with the time passed in; the I/O
 * shell (link.c, monitor.c) feeds them facts.
 *
 * Times are monotonic milliseconds (0 = never) unless a field says
 * otherwise.
 */
#ifndef SENTINEL_INSTANCE_H
#define SENTINEL_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUNID_LEN		40
#define SENTINEL_HELLO_CHANNEL	"__sentinel__:hello"

enum inst_type {
	INST_MASTER = 1,
	INST_REPLICA = 2,
	INST_SENTINEL = 4,
};

/* Flags, listed by SENTINEL MASTER(S)/REPLICAS/SENTINELS in this order. */
#define INST_S_DOWN		0x0001
#define INST_O_DOWN		0x0002
/* (master / slave / sentinel come from the type, printed third) */
#define INST_DISCONNECTED	0x0004	/* computed from the link, kept here for printing */
#define INST_MASTER_DOWN	0x0008	/* a sentinel: it said the master is down */
#define INST_FAILOVER_IN_PROGRESS 0x0010
#define INST_PROMOTED		0x0020
#define INST_RECONF_SENT	0x0040
#define INST_RECONF_INPROG	0x0080
#define INST_RECONF_DONE	0x0100
#define INST_FORCE_FAILOVER	0x0200
#define INST_SCRIPT_KILL_SENT	0x0400
#define INST_MASTER_REBOOT	0x0800	/* restarted; -LOADING counts against it */

enum failover_state {
	FO_NONE = 0,
	FO_WAIT_START,
	FO_SELECT_SLAVE,
	FO_SEND_SLAVEOF_NOONE,
	FO_WAIT_PROMOTION,
	FO_RECONF_SLAVES,
	FO_UPDATE_CONFIG,
};

enum role_reported {
	ROLE_UNKNOWN = 0,
	ROLE_MASTER,
	ROLE_SLAVE,
};

struct shell;
struct history;
struct hist;

/* A rename-command entry of a master: applies to every command sent to its instances. */
struct renamed_cmd {
	char	*from;	/* lower case */
	char	*to;
};

struct instance {
	enum inst_type	 type;
	uint32_t	 flags;
	char		*name;		/* master: its name; replica: "ip:port"; sentinel: runid */
	char		*host;		/* as configured or announced (may be a hostname) */
	char		*ip;		/* numeric address we connect to */
	int		 port;
	char		 runid[RUNID_LEN + 1];	/* "" when unknown */
	/*
	 * Masters: the lines the last config rewrite gave this master, and
	 * the file model they were written to (sconf.c skips a master whose
	 * lines have not changed since).
	 */
	char		*sc_text;
	unsigned	 sc_model;
	/* master_replid and master_replid2 of the last INFO, "" when none. */
	char		 replid[RUNID_LEN + 1];
	char		 replid2[RUNID_LEN + 1];
	struct instance	*master;	/* replicas and sentinels: the master they belong to */
	struct shell	*shell;		/* monitor.c's links and timers for it; NULL until monitored */
	struct hist	*ping_rtt;	/* PING round trips (stats.h), NULL until the first */
	struct history	*history;	/* masters: failovers (history.h), NULL until the first event */

	/* Liveness (monotonic ms). */
	int64_t		 act_ping_time;		/* oldest PING still unanswered, 0 if none */
	int64_t		 last_ping_time;	/* last PING sent */
	int64_t		 last_avail_time;	/* last valid PING reply (+PONG, -LOADING, -MASTERDOWN) */
	int64_t		 last_pong_time;	/* last reply of any kind */
	int64_t		 link_connected_since;	/* 0 while disconnected */
	int64_t		 link_down_since;	/* when the command link was lost, 0 if up */
	int64_t		 s_down_since;
	int64_t		 o_down_since;
	long long	 down_after_ms;

	/* From INFO (masters and replicas). */
	int64_t		 info_refresh;		/* when the last INFO reply arrived */
	char		*info;			/* the last INFO text, for INFO-CACHE */
	enum role_reported role_reported;
	int64_t		 role_reported_time;
	int64_t		 slave_conf_change_time;	/* master_host/port last changed */
	long long	 master_link_down_since_ms;	/* replica: master_link_down_since_seconds*1000 */
	char		*slave_master_host;
	int		 slave_master_port;
	bool		 slave_master_link_ok;
	long long	 slave_priority;
	long long	 slave_repl_offset;
	bool		 replica_announced;

	/* Sentinels: their hello and their answers about our master. */
	int64_t		 last_hello_time;
	int64_t		 slave_reconf_sent_time;	/* replica: when SLAVEOF was sent in a failover */
	int64_t		 last_master_down_reply_time;
	/*
	 * Sentinels: when it last asked us about our master (it only asks
	 * while it sees it SDOWN): a "down" answer too, but not one of ours to
	 * throttle our own questions with.
	 */
	int64_t		 master_down_asked_time;
	/* Sentinels: the first of its current run of "down" reports (decide_peer_down_report). */
	int64_t		 down_report_since;
	char		*leader;	/* sentinel: who it voted for; master: who we voted for */
	uint64_t	 leader_epoch;

	/* Masters: configuration. */
	unsigned	 quorum;
	long long	 failover_timeout;
	int		 parallel_syncs;
	char		*auth_pass;
	char		*auth_user;
	char		*notification_script;
	char		*client_reconfig_script;
	struct renamed_cmd *renamed;
	size_t		 nrenamed;
	long long	 master_reboot_down_after_period;
	int64_t		 master_reboot_since;
	uint64_t	 config_epoch;

	/* Masters: what they have. */
	struct instance	**replicas;
	size_t		 nreplicas;
	struct instance	**sentinels;
	size_t		 nsentinels;

	/* Masters: failover. */
	enum failover_state failover_state;
	uint64_t	 failover_epoch;
	int64_t		 failover_start_time;
	int64_t		 failover_state_change_time;
	int64_t		 failover_delay_logged;
	struct instance	*promoted_slave;
	int64_t		 failover_votes_asked;
	/* Coordinated planned failover: 0 no, 1 old master paused and replica catching up, 2 done waiting. */
	int		 coord_state;
	long long	 coord_offset;		/* the paused master's offset, -1 until known */
	int64_t		 coord_start;	/* when we asked for votes in this attempt, 0 not yet */
	char		*failover_target_ip;	/* SENTINEL FAILOVER name ip port: this replica */
	int		 failover_target_port;
};

/* The sentinel itself and its masters. */
struct sentinel_state {
	char		 myid[RUNID_LEN + 1];
	uint64_t	 current_epoch;
	struct instance	**masters;
	size_t		 nmasters;
	/* Masters SDOWN, ODOWN or failing over, counted on every tick (election slots). */
	unsigned	 masters_in_trouble;
	/* TILT */
	bool		 tilt;
	int64_t		 tilt_start_time;
	int64_t		 previous_time;	/* last timer tick */
	/* Global options. */
	char		*announce_ip;
	int		 announce_port;
	bool		 announce_hostnames;
	bool		 resolve_hostnames;
	bool		 deny_scripts_reconfig;
	char		*sentinel_user;
	char		*sentinel_pass;
	int		 simfailure_flags;
	/* Timing knobs (SENTINEL DEBUG), milliseconds. */
	long long	 info_period;
	long long	 ping_period;
	long long	 ask_period;
	long long	 publish_period;
	long long	 default_down_after;
	long long	 default_failover_timeout;
	long long	 tilt_trigger;
	long long	 tilt_period;
	long long	 slave_reconf_timeout;
	long long	 min_link_reconnect_period;
	long long	 election_timeout;
	long long	 script_max_runtime;
	long long	 script_retry_delay;
};

extern struct sentinel_state sentinel;

/* Defaults of Redis 7.0 (milliseconds). */
#define SENTINEL_DEFAULT_PORT		26379
#define DEFAULT_INFO_PERIOD		10000
#define DEFAULT_PING_PERIOD		1000
#define DEFAULT_ASK_PERIOD		1000
#define DEFAULT_PUBLISH_PERIOD		2000
#define DEFAULT_DOWN_AFTER		30000
#define DEFAULT_FAILOVER_TIMEOUT	180000
#define DEFAULT_TILT_TRIGGER		2000
#define DEFAULT_TILT_PERIOD		30000
#define DEFAULT_SLAVE_RECONF_TIMEOUT	10000
#define DEFAULT_MIN_LINK_RECONNECT	15000
#define DEFAULT_ELECTION_TIMEOUT	10000
#define DEFAULT_SCRIPT_MAX_RUNTIME	60000
#define DEFAULT_SCRIPT_RETRY_DELAY	30000
#define DEFAULT_SLAVE_PRIORITY		100
#define DEFAULT_PARALLEL_SYNCS		1

void	sentinel_state_init(void);
/* Masters. */
struct instance *instance_master_new(const char *name, const char *host, const char *ip,
	    int port, unsigned quorum);
struct instance *instance_master_find(const char *name);
void	instance_master_remove(struct instance *m);
/* Replicas and sentinels of a master. */
struct instance *instance_replica_add(struct instance *m, const char *ip, int port);
struct instance *instance_replica_find(struct instance *m, const char *ip, int port);
struct instance *instance_sentinel_add(struct instance *m, const char *ip, int port, const char *runid);
struct instance *instance_sentinel_find_runid(struct instance *m, const char *runid);
struct instance *instance_sentinel_find_addr(struct instance *m, const char *ip, int port);
void	instance_remove_child(struct instance *child);
void	instance_free(struct instance *i);
/* "ip:port", "[v6]:port" for IPv6. */
char	*instance_addr_name(const char *ip, int port);
/* The address peers and clients see (the promoted replica's during reconf_slaves and later). */
void	instance_current_addr(const struct instance *m, const char **ip, int *port);
/* "rename-command": the name to send for cmd. */
const char *instance_cmd_name(const struct instance *i, const char *cmd);

#endif
