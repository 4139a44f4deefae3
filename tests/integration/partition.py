"""partition.py - network partitions between simulated hosts on loopback (TAP).

Each process gets an address of its own in 127.S.0.0/24 (S from the PID,
so that two runs do not meet): the master 127.S.0.11, the replicas .12 and
.13, our sentinels .21, .22, .23 (and .24, .25). Every one of them binds its address and
makes its outgoing connections from it (bind-source-addr), so that a
firewall rule on addresses cuts exactly the links between two groups. The
rules live in an nftables table of this process's own (inet
sentinel_part_<pid>), one chain on the output hook, emptied to heal and
deleted on exit, whatever the way out. The test itself talks to everyone
from 127.0.0.1, which no rule names: it sees both sides of a partition.

Cases, each against sentinel-kv and real redis-server (SCN_SERVERS):
  1. a sentinel cut off from everyone else sees the master down, but never
     reaches ODOWN nor starts a failover; healed, it sees it up again;
  2. the master cut off with its own sentinel while a client keeps writing
     to it (the servers run min-replicas-to-write 1, min-replicas-max-lag 1):
     the other two sentinels promote a replica; the old master stops
     acknowledging writes within max-lag + 1.5 s of the cut; once healed it
     is demoted to a replica of the new master (the time from the heal is
     printed) and all three sentinels name the new master;
  3. five sentinels (quorum 2) lose the master and are split into pairs
     and one alone: a pair reaches ODOWN and starts a failover that cannot
     be elected; when the master answers again the attempt stops at once
     (-failover-abort-master-back) rather than at the election timeout,
     and nobody is promoted.

Needs root and nft (nftables); otherwise every case is skipped. Standard
library only. SENTINEL_BIN, SENTINEL_KV_BIN, REDIS_SERVER_BIN name the
binaries (set by Makefile.am). KEEP_TMP keeps the directories.

Also the engine of bench/partition.sh (see there):
  partition.py flap KIND SERVER_BIN CYCLES CUT_MS HEAL_MS DOWN_AFTER SENTINEL_ARGV...
  partition.py isolate KIND SERVER_BIN CUT_MS DOWN_AFTER SETTLE_S SENTINEL_ARGV...
"""
import atexit
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import (Conn, RespError, answers, diag, events, field, free_port, pairs, procs, spawn,  # noqa: E402
                  stop, subscribe)
import resp  # noqa: E402

NAME = "mymaster"
DOWN_AFTER = 500
DEADLINE = 15.0

_tables = []
_dirs = []
_lock = None


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    del procs[:]
    for t in _tables:
        subprocess.run(["nft", "delete", "table", "inet", t], stderr=subprocess.DEVNULL)
    del _tables[:]
    if os.environ.get("KEEP_TMP") is None:
        for d in _dirs:
            shutil.rmtree(d, ignore_errors=True)


def on_signal(sig, frame):
    cleanup()
    sys.exit(128 + sig)


atexit.register(cleanup)
for _s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_s, on_signal)


def wait_for(cond, deadline=DEADLINE, step=0.01):
    return resp.wait_for(cond, deadline, step)


# --- the firewall ------------------------------------------------------------------------
class Net:
    """An nftables table of our own: cut() drops packets between two address groups."""

    def __init__(self):
        self.table = "sentinel_part_%d" % os.getpid()
        self.chains = []
        self.nft("add", "table", "inet", self.table)
        _tables.append(self.table)

    def nft(self, *args):
        subprocess.run(["nft"] + list(args), check=True)

    def cut(self, a, b, chain="out"):
        """Drops a <-> b; the rules of one chain are healed together."""
        if chain not in self.chains:
            self.nft("add", "chain", "inet", self.table, chain,
                     "{ type filter hook output priority 0 ; policy accept ; }")
            self.chains.append(chain)
        sa = "{ %s }" % ", ".join(a)
        sb = "{ %s }" % ", ".join(b)
        self.nft("add", "rule", "inet", self.table, chain, "ip", "saddr", sa, "ip", "daddr", sb, "drop")
        self.nft("add", "rule", "inet", self.table, chain, "ip", "saddr", sb, "ip", "daddr", sa, "drop")

    def heal(self, chain=None):
        """Empties one chain, or all."""
        for c in self.chains:
            if chain is None or c == chain:
                self.nft("flush", "chain", "inet", self.table, c)

    def close(self):
        subprocess.run(["nft", "delete", "table", "inet", self.table], stderr=subprocess.DEVNULL)
        if self.table in _tables:
            _tables.remove(self.table)


def nft_usable():
    if os.geteuid() != 0 or shutil.which("nft") is None:
        return False
    t = "sentinel_probe_%d" % os.getpid()
    ok = subprocess.run(["nft", "add", "table", "inet", t], stderr=subprocess.DEVNULL).returncode == 0
    subprocess.run(["nft", "delete", "table", "inet", t], stderr=subprocess.DEVNULL)
    return ok


# --- processes --------------------------------------------------------------------------
class Node:
    def __init__(self, addr, port, proc, log):
        self.addr, self.port, self.proc, self.log = addr, port, proc, log

    def conn(self, timeout=1.0):
        return Conn(self.port, timeout, self.addr)

    def cmd(self, *args):
        c = self.conn()
        try:
            return c.cmd(*args)
        finally:
            c.close()

    def tail(self, n=25):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"


class Cluster:
    """A master, two replicas and nsent sentinels (3 or 5), each on its own address."""

    def __init__(self, kind, sbin, srvbin, server_args=(), sentinel_lines=(), sentinel_argv=None,
                 tune=True, nsent=3):
        self.dir = tempfile.mkdtemp(prefix="partition-%s-" % kind)
        _dirs.append(self.dir)
        sub = 20 + os.getpid() % 200
        self.addr = {k: "127.%d.0.%d" % (sub, n) for k, n in
                     (("m", 11), ("r1", 12), ("r2", 13))}
        for i in range(nsent):
            self.addr["s%d" % (i + 1)] = "127.%d.0.%d" % (sub, 21 + i)
        self.nsent = nsent
        self.kind = kind
        self.servers = []
        self.sentinels = []
        self.subs = []
        self.ev = []	# per sentinel: list of (monotonic time, channel, payload)
        self.why = ""	# what settled() found missing last
        m = self.server("m", srvbin, server_args, None)
        self.servers.append(m)
        for k in ("r1", "r2"):
            self.servers.append(self.server(k, srvbin, server_args, m))
        for k in ["s%d" % (i + 1) for i in range(nsent)]:
            self.sentinels.append(self.sentinel(k, sbin, m, sentinel_lines, sentinel_argv, tune))
        for s in self.sentinels:
            self.subs.append(subscribe(s.port, s.addr))
            self.ev.append([])

    def server(self, key, binary, args, master):
        addr = self.addr[key]
        d = os.path.join(self.dir, key)
        os.mkdir(d)
        for _ in range(5):
            port = free_port(addr)
            argv = [binary, "--port", str(port), "--bind", addr, "--bind-source-addr", addr,
                    "--dir", d, "--save", "", "--appendonly", "no", "--protected-mode", "no"] + list(args)
            if master is not None:
                argv += ["--replicaof", master.addr, str(master.port)]
            log = os.path.join(d, "server.log")
            p = spawn(argv, log)
            if wait_for(lambda: p.poll() is not None or answers(port, addr), 10):
                if p.poll() is None:
                    return Node(addr, port, p, log)
            stop(p)
        raise RuntimeError("server %s did not start" % key)

    def sentinel(self, key, binary, m, lines, argv, tune):
        addr = self.addr[key]
        d = os.path.join(self.dir, key)
        os.mkdir(d)
        for _ in range(5):
            port = free_port(addr)
            conf = os.path.join(d, "sentinel.conf")
            with open(conf, "w") as f:
                f.write("port %d\nbind %s\nbind-source-addr %s\ndir %s\n" % (port, addr, addr, d))
                f.write("sentinel monitor %s %s %d 2\n" % (NAME, m.addr, m.port))
                f.write("sentinel down-after-milliseconds %s %d\n" % (NAME, DOWN_AFTER))
                f.write("sentinel failover-timeout %s 4000\n" % NAME)
                for line in lines:
                    f.write(line + "\n")
            log = os.path.join(d, "sentinel.log")
            p = spawn((argv or [binary]) + [conf], log)
            if wait_for(lambda: p.poll() is not None or answers(port, addr), 10) and p.poll() is None:
                n = Node(addr, port, p, log)
                if tune:
                    n.cmd("SENTINEL", "DEBUG", "INFO-PERIOD", "200", "PING-PERIOD", "100",
                          "ASK-PERIOD", "100", "PUBLISH-PERIOD", "200")
                return n
            stop(p)
        raise RuntimeError("sentinel %s did not start" % key)

    def close(self):
        for c in self.subs:
            c.close()
        for n in self.sentinels + self.servers:
            stop(n.proc)
        if os.environ.get("KEEP_TMP") is None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def hosts(self, *keys):
        return [self.addr[k] for k in keys]

    def others(self, *keys):
        return [a for k, a in self.addr.items() if k not in keys]

    # -- what the sentinels say --
    def pump(self):
        """Reads the events that arrived, keeping them per sentinel."""
        now = time.monotonic()
        for i, c in enumerate(self.subs):
            for ch, msg in events(c):
                self.ev[i].append((now, ch, msg))

    def seen(self, i, channel, since=0.0):
        self.pump()
        return [m for t, ch, m in self.ev[i] if ch == channel and t >= since]

    def addr_of(self, i):
        r = self.sentinels[i].cmd("SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME)
        return (r[0], int(r[1])) if r else None

    def settled(self):
        """Every sentinel names the master, sees both replicas linked and the two others."""
        want = None
        for i, s in enumerate(self.sentinels):
            m = pairs(s.cmd("SENTINEL", "MASTER", NAME))
            if m.get("flags") != "master" or m.get("num-other-sentinels") != str(self.nsent - 1):
                self.why = "s%d: master flags %s, %s other sentinels" % (
                    i + 1, m.get("flags"), m.get("num-other-sentinels"))
                return None
            a = (m["ip"], int(m["port"]))
            if want is None:
                want = a
            elif a != want:
                self.why = "s%d names %r, s1 %r" % (i + 1, a, want)
                return None
            reps = [pairs(r) for r in s.cmd("SENTINEL", "REPLICAS", NAME)]
            if len([r for r in reps if r.get("flags") == "slave" and
                    r.get("master-link-status") == "ok"]) != 2:
                self.why = "s%d: replicas %s" % (i + 1, ", ".join(
                    "%s %s %s" % (r.get("name"), r.get("flags"), r.get("master-link-status")) for r in reps))
                return None
        return want

    def role(self, node):
        info = node.cmd("INFO", "replication")
        return field(info, "role"), field(info, "master_host"), field(info, "master_port")

    def dump(self):
        self.pump()
        for i, s in enumerate(self.sentinels):
            diag("sentinel s%d (%s:%d) events:" % (i + 1, s.addr, s.port))
            for t, ch, m in self.ev[i][-40:]:
                diag("  %s %s" % (ch, m))
            diag("sentinel s%d log tail:\n%s" % (i + 1, s.tail()))
        for k, n in zip(("m", "r1", "r2"), self.servers):
            diag("server %s (%s:%d) log tail:\n%s" % (k, n.addr, n.port, n.tail(10)))


class Writer(threading.Thread):
    """SET k:i on one connection, one at a time; keeps (time, acknowledged) per write."""

    def __init__(self, node):
        super().__init__(daemon=True)
        self.node = node
        self.results = []
        self.halt = False

    def run(self):
        i = 0
        c = None
        while not self.halt:
            i += 1
            try:
                if c is None:
                    c = self.node.conn(0.3)
                c.send("SET", "k:%d" % i, str(i))
                v = c.read()
                self.results.append((time.monotonic(), not isinstance(v, RespError)))
            except (OSError, ConnectionError):
                self.results.append((time.monotonic(), False))
                if c is not None:
                    c.close()
                c = None
            time.sleep(0.002)
        if c is not None:
            c.close()


# --- the cases ----------------------------------------------------------------------------
FAILOVER_EVENTS = ("+odown", "+try-failover", "+elected-leader", "+promoted-slave", "+switch-master")


def case_lone_sentinel(cl, net):
    ok = True
    t0 = time.monotonic()
    net.cut(cl.hosts("s3"), cl.others("s3"))
    if not wait_for(lambda: cl.seen(2, "+sdown", t0) and
                    [m for m in cl.seen(2, "+sdown", t0) if m.startswith("master ")]):
        diag("the isolated sentinel never saw the master down")
        ok = False
    # Six down-after periods: ample time for an ODOWN and a failover, had one been possible.
    end = time.monotonic() + 6 * DOWN_AFTER / 1000.0
    while time.monotonic() < end:
        for ev in FAILOVER_EVENTS:
            if cl.seen(2, ev, t0):
                diag("the isolated sentinel sent %s: %s" % (ev, cl.seen(2, ev, t0)))
                ok = False
        if not ok:
            break
        time.sleep(0.02)
    m = cl.servers[0]
    for i in range(3):
        if cl.seen(i, "+switch-master", t0):
            diag("sentinel s%d switched the master" % (i + 1))
            ok = False
    if cl.role(m)[0] != "master":
        diag("the master is no longer one")
        ok = False
    t1 = time.monotonic()
    net.heal()
    if not wait_for(lambda: [x for x in cl.seen(2, "-sdown", t1) if x.startswith("master ")]):
        diag("healed, the sentinel did not see the master up again")
        ok = False
    if wait_for(lambda: cl.addr_of(2)) != (m.addr, m.port):
        diag("healed, the sentinel names %r" % (cl.addr_of(2),))
        ok = False
    return ok


def case_master_cut_off(cl, net):
    ok = True
    m = cl.servers[0]
    w = Writer(m)
    w.start()
    if not wait_for(lambda: len([r for r in w.results if r[1]]) >= 20):
        diag("the master does not take writes before the cut: %r" % w.results[-5:])
        ok = False
    t0 = time.monotonic()
    net.cut(cl.hosts("m", "s1"), cl.others("m", "s1"))

    def majority_moved():
        a2, a3 = cl.addr_of(1), cl.addr_of(2)
        return a2 if a2 == a3 and a2 != (m.addr, m.port) else None
    new = wait_for(majority_moved)
    if new is None:
        diag("the majority did not fail over: s2 %r s3 %r" % (cl.addr_of(1), cl.addr_of(2)))
        w.halt = True
        w.join()
        return False
    tf = time.monotonic() - t0
    # The cut lasts 4 s in all: the old master's sentinel must not have moved.
    while time.monotonic() < t0 + 4.0:
        time.sleep(0.02)
    if cl.addr_of(0) != (m.addr, m.port):
        diag("the sentinel cut off with the master switched: %r" % (cl.addr_of(0),))
        ok = False
    if cl.seen(0, "+odown", t0):
        diag("the sentinel cut off with the master saw ODOWN: %r" % cl.seen(0, "+odown", t0))
        ok = False
    acked = [t for t, a in w.results if a and t > t0]
    last = (max(acked) - t0) if acked else 0.0
    diag("writes acknowledged by the cut-off master after the cut: %d, the last %.0f ms after it"
         % (len(acked), last * 1000))
    if last > 1.0 + 1.5:
        diag("min-replicas-max-lag 1 did not stop the writes within 2.5 s")
        ok = False
    t1 = time.monotonic()
    net.heal()

    def demoted():
        cl.pump()
        r = cl.role(m)
        return r[0] == "slave" and r[1] == new[0] and int(r[2]) == new[1]
    if wait_for(demoted, step=0.002):
        diag("failover %.0f ms after the cut; healed, the old master followed the new one after %.0f ms"
             % (tf * 1000, (time.monotonic() - t1) * 1000))
    else:
        diag("healed, the old master is still %r" % (cl.role(m),))
        ok = False
    # Converted as soon as its INFO showed it a master, without the guard of 4
    # publish periods (800 ms here): it has the history the new master was
    # promoted from, so no hello of a newer failover can be on its way.
    who = " %s %d " % (m.addr, m.port)
    gaps = []
    # The event may come after the server's new role showed.
    wait_for(lambda: [i for i in range(3) if [x for x in cl.seen(i, "+convert-to-slave", t1) if who in x]],
             2.0)
    for i in range(3):
        seen = [(t, ch) for t, ch, msg in cl.ev[i] if t >= t1 and who in msg]
        conv = [t for t, ch in seen if ch == "+convert-to-slave"]
        said = [t for t, ch in seen if ch == "-role-change"]
        if conv and said and said[0] <= conv[0]:
            gaps.append((conv[0] - said[0]) * 1000)
    diag("+convert-to-slave after the old master's -role-change: %s ms" % ", ".join("%.0f" % g for g in gaps))
    if not gaps or min(gaps) >= 400:
        diag("no sentinel converted the old master at once")
        ok = False
    if not wait_for(lambda: all(cl.addr_of(i) == new for i in range(3))):
        diag("the sentinels do not agree: %r" % [cl.addr_of(i) for i in range(3)])
        ok = False
    w.halt = True
    w.join()
    return ok


def case_master_back(cl, net):
    """
    Five sentinels, quorum 2: all lose the master, and they are split into
    pairs {s1 s2} {s3 s4} and {s5} alone. A pair agrees on ODOWN and starts
    a failover, but no one can gather the 3 votes of a majority: the
    election hangs (failover-timeout 10 s, so it would give up only after
    10 s). The master comes back: the failover stops at once with
    -failover-abort-master-back, and nobody is promoted.
    """
    ok = True
    m = cl.servers[0]
    sents = ["s%d" % (i + 1) for i in range(5)]
    t0 = time.monotonic()
    for grp in (("s1", "s2"), ("s3", "s4"), ("s5",)):
        net.cut(cl.hosts(*grp), [cl.addr[k] for k in sents if k not in grp], "groups")
    net.cut(cl.hosts("m"), cl.hosts(*sents), "master")
    tried = wait_for(lambda: [i for i in range(5) if cl.seen(i, "+try-failover", t0)])
    if not tried:
        diag("no sentinel started a failover")
        return False
    # Past the election's rank delays: the attempts are waiting for votes.
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        cl.pump()
        time.sleep(0.02)
    for i in range(5):
        if cl.seen(i, "+elected-leader", t0):
            diag("s%d was elected without a majority" % (i + 1))
            ok = False
    # Still electing: the last of their +try-failover and -failover-abort-* is a try.
    cl.pump()
    tried = [i for i in range(5) if [ch for t, ch, _ in cl.ev[i] if t >= t0 and
             (ch == "+try-failover" or ch.startswith("-failover-abort"))][-1:] == ["+try-failover"]]
    if not tried:
        diag("no attempt is still waiting for votes")
        return False
    t1 = time.monotonic()
    net.heal("master")

    def stopped():
        return all(cl.seen(i, "-failover-abort-master-back", t1) for i in tried)
    if wait_for(stopped, 5.0):
        diag("attempts by %s stopped %.0f ms after the master came back"
             % (" ".join("s%d" % (i + 1) for i in tried), (time.monotonic() - t1) * 1000))
    else:
        diag("the failover did not stop when the master came back: %r"
             % [(i + 1, cl.seen(i, "-failover-abort-master-back", t1),
                 cl.seen(i, "-failover-abort-not-elected", t1)) for i in tried])
        ok = False
    for i in range(5):
        for ev in ("+elected-leader", "+promoted-slave", "+switch-master"):
            if cl.seen(i, ev, t0):
                diag("s%d sent %s" % (i + 1, ev))
                ok = False
    if cl.role(m)[0] != "master":
        diag("the master is no longer one: %r" % (cl.role(m),))
        ok = False
    net.heal()
    return ok


CASES = (
    ("a sentinel cut off from the others never fails over", case_lone_sentinel, {}),
    ("a master cut off with its sentinel is replaced; healed, it is demoted; "
     "min-replicas-max-lag bounds what it acknowledges", case_master_cut_off,
     {"server_args": ("--min-replicas-to-write", "1", "--min-replicas-max-lag", "1")}),
    ("an election without a majority stops when the master answers again", case_master_back,
     {"nsent": 5, "sentinel_lines": ("sentinel failover-timeout %s 10000" % NAME,)}),
)


# --- flap: the engine of bench/partition.sh -------------------------------------------------
def flap(kind, srvbin, sentinel_argv, cycles, cut_ms, heal_ms, down_after):
    """
    Cuts the current master's host (its server and the sentinel beside it)
    off for cut_ms, heals for heal_ms, cycles times; samples every server's
    role every 10 ms. Prints one line of figures (see bench/partition.sh).
    """
    global DOWN_AFTER
    DOWN_AFTER = down_after
    net = Net()
    cl = Cluster(kind, None, srvbin, sentinel_argv=sentinel_argv, tune=False)
    try:
        if not wait_for(cl.settled, 60):
            print("error: the sentinels did not settle", file=sys.stderr)
            cl.dump()
            return 1
        myid = [s.cmd("SENTINEL", "MYID") for s in cl.sentinels]
        host = {n.addr: k for k, n in zip(("m", "r1", "r2"), cl.servers)}
        beside = {"m": "s1", "r1": "s2", "r2": "s3"}
        node = {(n.addr, n.port): n for n in cl.servers}
        polls = {}
        max_masters = 0
        three_ms = 0.0

        roles = {}

        def sample():
            nonlocal max_masters, three_ms
            n = 0
            for srv in cl.servers:
                try:
                    c = polls.get(srv.port) or srv.conn(0.05)
                    polls[srv.port] = c
                    roles[srv.port] = field(c.cmd("INFO", "replication"), "role")
                    if roles[srv.port] == "master":
                        n += 1
                except (OSError, ConnectionError, RespError):
                    c = polls.pop(srv.port, None)
                    if c is not None:
                        c.close()
            max_masters = max(max_masters, n)
            return n

        episodes = []
        demote = []	# ms from a heal to the replaced old master's role:slave
        undemoted = 0	# heals that ended with it still a master
        t_start = time.monotonic()
        for _ in range(cycles):
            majority = [cl.addr_of(i) for i in range(3)]
            cur = max(set(majority), key=majority.count)
            k = host[cur[0]]
            t0 = time.monotonic()
            net.cut(cl.hosts(k, beside[k]), cl.others(k, beside[k]))
            while time.monotonic() < t0 + cut_ms / 1000.0:
                if sample() == 3:
                    three_ms += 10
                time.sleep(0.01)
                cl.pump()
            net.heal()
            t1 = time.monotonic()
            cut_off = [srv for srv in cl.servers if srv.addr == cur[0]][0]
            # Replaced while cut off (another server is a master too): how soon is it demoted?
            replaced = sample() >= 2 and roles.get(cut_off.port) == "master"
            while time.monotonic() < t1 + heal_ms / 1000.0:
                if sample() == 3:
                    three_ms += 10
                if replaced and roles.get(cut_off.port) == "slave":
                    demote.append((time.monotonic() - t1) * 1000)
                    replaced = False
                time.sleep(0.002 if replaced else 0.01)
                cl.pump()
            if replaced:
                undemoted += 1
            episodes.append(t0)
        t_end = time.monotonic()
        one = wait_for(lambda: sample() == 1, 60, 0.005)
        t_one = (time.monotonic() - t_end) * 1000 if one else -1
        whys = []

        def settled_now():
            if cl.settled() and sample() == 1:
                return True
            links = " | " + " ".join("%s:%s" % (srv.port, field(srv.cmd("INFO", "replication"),
                                                                  "master_link_status"))
                                     for srv in cl.servers)
            if not whys or whys[-1][1] != cl.why + links:
                whys.append((time.monotonic() - t_end, cl.why + links))
        settled = wait_for(settled_now, 60, 0.01)
        t_settled = (time.monotonic() - t_end) * 1000 if settled else -1
        for t, why in whys:
            print("  %6.0f ms: %s" % (t * 1000, why), file=sys.stderr)
        # Promotions: +promoted-slave, in the epoch of its sender's own vote.
        promos = []
        for i in range(3):
            epoch = None
            for t, ch, msg in cl.ev[i]:
                if ch == "+vote-for-leader":
                    w = msg.split()
                    if len(w) >= 2 and w[0] == myid[i]:
                        epoch = w[1]
                elif ch == "+promoted-slave":
                    w = msg.split()
                    promos.append((t, epoch, w[2] + ":" + w[3]))
        per_ep = [len([p for p in promos if a <= p[0] < b])
                  for a, b in zip(episodes, episodes[1:] + [t_end + 60])]
        by_epoch = {}
        for t, e, a in promos:
            by_epoch.setdefault(e, set()).add(a)
        reuse = len([e for e, a in by_epoch.items() if len(a) > 1])
        final = sum(1 for srv in cl.servers
                    if field(node[(srv.addr, srv.port)].cmd("INFO", "replication"), "role") == "master")
        demote.sort()
        print("failovers %d max_per_episode %d max_masters %d three_masters_ms %.0f epoch_reuse %d "
              "final_masters %d one_master_ms %.0f settled_ms %.0f demote_median_ms %s demote_max_ms %s "
              "undemoted_heals %d seconds %.1f"
              % (len(promos), max(per_ep) if per_ep else 0, max_masters, three_ms, reuse,
                 final, t_one, t_settled, "%.0f" % demote[len(demote) // 2] if demote else "-",
                 "%.0f" % demote[-1] if demote else "-", undemoted, t_end - t_start))
        return 0
    finally:
        net.close()
        cl.close()


def isolate(kind, srvbin, sentinel_argv, cut_ms, down_after, settle_s):
    """
    The master and the sentinel beside it cut off for cut_ms while a client
    (on 127.0.0.1, which no rule names) writes to the master all along, one
    SET at a time; then healed. Prints one line (see bench/partition.sh):
    the failover time, the writes the old master acknowledged during the
    cut and after the heal (all lost: the new master never gets them), and
    how long after the heal it became a replica.
    """
    global DOWN_AFTER
    DOWN_AFTER = down_after
    net = Net()
    cl = Cluster(kind, None, srvbin, sentinel_argv=sentinel_argv, tune=False)
    w = None
    try:
        if not wait_for(cl.settled, 60):
            print("error: the sentinels did not settle: %s" % cl.why, file=sys.stderr)
            return 1
        m = cl.servers[0]
        w = Writer(m)
        w.start()
        t0 = time.monotonic()
        net.cut(cl.hosts("m", "s1"), cl.others("m", "s1"))
        failover = None
        while time.monotonic() < t0 + cut_ms / 1000.0:
            if failover is None:
                a = [cl.addr_of(i) for i in (1, 2)]
                if a[0] == a[1] and a[0] != (m.addr, m.port):
                    failover = (time.monotonic() - t0) * 1000
            time.sleep(0.01)
        t1 = time.monotonic()
        net.heal()

        def demoted():
            return cl.role(m)[0] == "slave"
        ok = wait_for(demoted, settle_s, 0.002)
        t2 = time.monotonic()
        w.halt = True
        w.join()
        during = len([t for t, a in w.results if a and t0 <= t < t1])
        after = len([t for t, a in w.results if a and t1 <= t < t2])
        print("failover_ms %s acked_during_cut %d acked_after_heal %d demoted_after_heal_ms %s"
              % ("%.0f" % failover if failover is not None else "-", during, after,
                 "%.0f" % ((t2 - t1) * 1000) if ok else "-"))
        return 0
    finally:
        if w is not None:
            w.halt = True
        net.close()
        cl.close()


def kinds():
    sel = os.environ.get("SCN_SERVERS", "kv,redis").split(",")
    out = []
    for k in sel:
        if k == "kv":
            out.append(("kv", os.environ.get("SENTINEL_KV_BIN")))
        elif k == "redis":
            out.append(("redis", os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server")))
    return out


def exclusive():
    """The lock of the tests with tight timings (harness.c h_exclusive): one at a time."""
    path = "%s/sentinel-it-%d.lock" % (os.environ.get("TMPDIR") or "/tmp", os.getuid())
    global _lock
    _lock = open(path, "a")
    fcntl.flock(_lock, fcntl.LOCK_EX)


def main():
    sbin = os.environ.get("SENTINEL_BIN")
    ks = kinds()
    print("1..%d" % (len(CASES) * len(ks)), flush=True)
    usable = nft_usable() and sbin is not None
    if usable:
        exclusive()
    n = 0
    failed = 0
    for desc, fn, kw in CASES:
        for kind, srv in ks:
            n += 1
            title = "%s [%s]" % (desc, kind)
            if not usable:
                print("ok %d - %s # SKIP needs root, nft and SENTINEL_BIN" % (n, title), flush=True)
                continue
            if not srv or not os.access(srv, os.X_OK):
                print("ok %d - %s # SKIP no %s server" % (n, title, kind), flush=True)
                continue
            net = cl = None
            ok = False
            try:
                net = Net()
                cl = Cluster(kind, sbin, srv, **kw)
                if not wait_for(cl.settled, 20):
                    diag("the sentinels did not settle")
                    cl.dump()
                else:
                    ok = fn(cl, net)
                    if not ok:
                        cl.dump()
            except Exception as e:  # a broken case must not hide the others
                diag("%s: %r" % (title, e))
                if cl is not None:
                    cl.dump()
            finally:
                if net is not None:
                    net.close()
                if cl is not None:
                    cl.close()
            if not ok:
                failed += 1
            print("%s %d - %s" % ("ok" if ok else "not ok", n, title), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "isolate":
        # isolate KIND SERVER_BIN CUT_MS DOWN_AFTER SETTLE_S SENTINEL_ARGV...
        a = sys.argv[2:]
        sys.exit(isolate(a[0], a[1], a[5:], int(a[2]), int(a[3]), int(a[4])))
    if len(sys.argv) > 1 and sys.argv[1] == "flap":
        # flap KIND SERVER_BIN CYCLES CUT_MS HEAL_MS DOWN_AFTER SENTINEL_ARGV...
        a = sys.argv[2:]
        sys.exit(flap(a[0], a[1], a[6:], int(a[2]), int(a[3]), int(a[4]), int(a[5])))
    sys.exit(main())
