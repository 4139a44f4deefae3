"""sentinel-probe.py - measuring helper of the bench/sentinel-*.sh scripts.

Speaks RESP over raw sockets to 127.0.0.1 (standard library only). Times are
taken with time.monotonic(); figures are printed in milliseconds.

sdown SENTINEL_PORT MASTER_PID MASTER_NAME DOWN_AFTER_MS TIMEOUT_S
    PSUBSCRIBE * on the sentinel, wait a random 0..1000 ms (so that the
    stop falls anywhere in the sentinel's PING period), SIGSTOP the master,
    wait for "+sdown master MASTER_NAME", SIGCONT, wait for "-sdown". Prints
    the milliseconds from the SIGSTOP to the +sdown message. Exit 1 on
    timeout (the master is resumed in every case).

ready NAME SENTINEL_PORTS SERVER_PORTS TIMEOUT_S
    (ports comma separated) Wait until the ensemble is settled: every
    sentinel names the same master, one of SERVER_PORTS, with flags "master"
    only, 2 other sentinels and the other servers as replicas with flags
    "slave" and master-link-status ok; the other servers replicate from it
    with the link up. Prints the master's port. Exit 1 on timeout (what is
    missing goes to stderr).

failover NAME SENTINEL_PORTS MASTER_PORT MASTER_PID REPLICA_PORTS MODE OUTFILE STOPFILE TIMEOUT_S
    MODE kill: SIGKILL the master; MODE planned: SENTINEL FAILOVER NAME on
    the first sentinel. Then, polling every 2 ms and listening to every
    sentinel's events (PSUBSCRIBE *), the milliseconds until:
      writes     a replica accepts SET (it is the new master)
      sentinels  every sentinel returns the new address from
                 get-master-addr-by-name
      replica    the other replica has master_port = the new master and
                 master_link_status:up
      end        the first +failover-end
      sdown      the first +sdown of the master (from any sentinel)
    OUTFILE gets "sdown writes sentinels replica end newport" as soon as all are
    known (or "-" for those missing at TIMEOUT_S); OUTFILE.done marks it.
    Then the events are still counted until STOPFILE exists, and
    OUTFILE.events gets "switch elected tryfailover aborts spurious" where
    spurious is 1 when some sentinel sent more than one +switch-master or
    more than one +elected-leader was seen in all.

discover SENTINEL_PORTS MASTERS TIMEOUT_S T0
    Poll INFO sentinel on each sentinel every 50 ms until its every one of
    MASTERS masters shows sentinels=N+1 (N = number of sentinels - 1 others
    plus itself); prints, per sentinel, the milliseconds from T0 (a
    wall-clock time as bash's EPOCHREALTIME) and then the overall maximum.
    Checked at the end with SENTINEL MASTERS (num-other-sentinels). Exit 1
    on timeout.

mass SENTINEL_PORTS SPEC_FILE TIMEOUT_S
    SPEC_FILE lines "name master_pid replica_port": those masters are
    killed (SIGKILL, one after the other in a tight loop), then every
    10 ms each sentinel is asked get-master-addr-by-name for all of them
    in one pipeline. Prints, per killed master, the ms from the first kill
    until all sentinels return its replica's port ("name ms"), then lines
    "stall PORT MS" (the slowest pipeline round trip seen per sentinel:
    how long its event loop was unavailable), "tries N" (+try-failover
    events in all, from PSUBSCRIBE *), "aborts N" (-failover-abort-*) and
    "tilt N". Exit 1 if some master is not agreed on at TIMEOUT_S.
"""
import os
import random
import select
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from resp import Conn, RespError, field, pairs, ports, ms, subscribe, events  # noqa: E402


# --- sdown ----------------------------------------------------------------------------
def sdown(sport, mpid, name, down_after, timeout):
    c = subscribe(sport)
    time.sleep(random.random())
    want_up = "master %s " % name
    stopped = None
    rc = 1
    try:
        os.kill(mpid, signal.SIGSTOP)
        stopped = time.monotonic()
        deadline = stopped + timeout
        got = None
        while got is None and time.monotonic() < deadline:
            select.select([c.s], [], [], 0.05)
            now = time.monotonic()
            for ch, msg in events(c):
                if ch == "+sdown" and msg.startswith(want_up):
                    got = now
        os.kill(mpid, signal.SIGCONT)
        if got is None:
            print("no +sdown within %d s" % timeout, file=sys.stderr)
            return 1
        print(ms(got - stopped))
        rc = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            select.select([c.s], [], [], 0.05)
            for ch, msg in events(c):
                if ch == "-sdown" and msg.startswith(want_up):
                    return 0
        print("no -sdown within %d s of SIGCONT" % timeout, file=sys.stderr)
        return 1
    finally:
        if stopped is not None:
            try:
                os.kill(mpid, signal.SIGCONT)
            except OSError:
                pass
    return rc


# --- ready ----------------------------------------------------------------------------
def ready_check(name, sports, servers):
    """None when settled (then the master port), else a reason."""
    addrs = set()
    for p in sports:
        c = Conn(p)
        try:
            a = c.cmd("SENTINEL", "get-master-addr-by-name", name)
            if not a:
                return None, "sentinel %d knows no master" % p
            addrs.add(int(a[1]))
            m = pairs(c.cmd("SENTINEL", "MASTER", name))
            if m.get("flags") != "master":
                return None, "sentinel %d: master flags %s" % (p, m.get("flags"))
            if m.get("num-other-sentinels") != str(len(sports) - 1):
                return None, "sentinel %d: %s other sentinels" % (p, m.get("num-other-sentinels"))
            reps = [pairs(r) for r in c.cmd("SENTINEL", "REPLICAS", name)]
            good = set()
            for r in reps:
                if (r.get("flags") == "slave" and r.get("master-link-status") == "ok"
                        and r.get("master-port") == a[1]):
                    good.add(int(r.get("port")))
            want = set(servers) - {int(a[1])}
            if not want <= good:
                return None, "sentinel %d: replicas in good shape %s, want %s" % (p, sorted(good), sorted(want))
        finally:
            c.close()
    if len(addrs) != 1:
        return None, "sentinels disagree: %s" % sorted(addrs)
    mport = addrs.pop()
    if mport not in servers:
        return None, "master %d is not one of the servers" % mport
    for p in servers:
        c = Conn(p)
        try:
            info = c.cmd("INFO", "replication")
        finally:
            c.close()
        if p == mport:
            if field(info, "role") != "master":
                return None, "%d: role %s" % (p, field(info, "role"))
        elif field(info, "master_port") != str(mport) or field(info, "master_link_status") != "up":
            return None, "%d: master_port %s link %s" % (p, field(info, "master_port"),
                                                          field(info, "master_link_status"))
    return mport, None


def ready(name, sports, servers, timeout):
    deadline = time.monotonic() + timeout
    why = "?"
    while time.monotonic() < deadline:
        try:
            mport, why = ready_check(name, sports, servers)
            if mport is not None:
                print(mport)
                return 0
        except (OSError, RespError, ConnectionError) as e:
            why = "%s: %s" % (type(e).__name__, e)
        time.sleep(0.05)
    print("not settled after %d s: %s" % (timeout, why), file=sys.stderr)
    return 1


# --- failover -------------------------------------------------------------------------
def failover(name, sports, mport, mpid, rports, mode, outfile, stopfile, timeout):
    subs = [subscribe(p) for p in sports]
    sconn = {}
    rconn = {}

    def get(pool, p):
        if p not in pool:
            pool[p] = Conn(p, 1.0)
        return pool[p]

    def drop(pool, p):
        c = pool.pop(p, None)
        if c is not None:
            c.close()

    def rc(p):
        return get(rconn, p)

    def sc(p):
        return get(sconn, p)
    switch = {p: 0 for p in sports}
    counts = {"+elected-leader": 0, "+try-failover": 0, "aborts": 0}
    t = {}
    newport = None
    if mode == "kill":
        os.kill(mpid, signal.SIGKILL)
        t0 = time.monotonic()
    else:
        t0 = time.monotonic()
        r = sc(sports[0]).cmd("SENTINEL", "FAILOVER", name)
        if r != "OK":
            print("SENTINEL FAILOVER: %r" % r, file=sys.stderr)
    deadline = t0 + timeout
    agreed = {}
    written = False
    while True:
        now = time.monotonic()
        # events
        for i, c in enumerate(subs):
            for ch, msg in events(c):
                if ch == "+switch-master":
                    switch[sports[i]] += 1
                elif ch in counts:
                    counts[ch] += 1
                elif ch.startswith("-failover-abort"):
                    counts["aborts"] += 1
                elif ch == "+failover-end" and "end" not in t:
                    t["end"] = now - t0
                elif ch == "+sdown" and msg.startswith("master ") and "sdown" not in t:
                    t["sdown"] = now - t0
        # polls (a new connection where the last one was closed: the
        # promotion kills the replicas' normal clients)
        if not written:
            for p in ([] if "writes" in t else rports):
                try:
                    c = rc(p)
                    c.cmd("SET", "sentinel-bench:failover", "1")
                except RespError:
                    continue
                except (OSError, ConnectionError):
                    drop(rconn, p)
                    continue
                t["writes"] = time.monotonic() - t0
                newport = p
                break
            if "sentinels" not in t:
                for p in sports:
                    if p in agreed:
                        continue
                    try:
                        a = sc(p).cmd("SENTINEL", "get-master-addr-by-name", name)
                    except (OSError, ConnectionError, RespError):
                        drop(sconn, p)
                        continue
                    if a and int(a[1]) != mport:
                        agreed[p] = int(a[1])
                if len(agreed) == len(sports):
                    t["sentinels"] = time.monotonic() - t0
                    if len(set(agreed.values())) != 1:
                        print("sentinels name different masters: %s" % agreed, file=sys.stderr)
            if "replica" not in t and newport is not None:
                ok = True
                for p in rports:
                    if p == newport:
                        continue
                    try:
                        info = rc(p).cmd("INFO", "replication")
                    except (OSError, ConnectionError, RespError):
                        drop(rconn, p)
                        ok = False
                        continue
                    if (field(info, "master_port") != str(newport)
                            or field(info, "master_link_status") != "up"):
                        ok = False
                if ok:
                    t["replica"] = time.monotonic() - t0
            done = all(k in t for k in ("writes", "sentinels", "replica", "end"))
            if done or time.monotonic() > deadline:
                if newport is None and agreed:
                    newport = list(agreed.values())[0]
                with open(outfile, "w") as f:
                    f.write("%s %s %s %s %s %s\n" % tuple(
                        [ms(t[k]) if k in t else "-"
                         for k in ("sdown", "writes", "sentinels", "replica", "end")]
                        + [newport if newport else "-"]))
                open(outfile + ".done", "w").close()
                written = True
        if written and (os.path.exists(stopfile) or time.monotonic() > deadline + 120):
            break
        rl, _, _ = select.select([c.s for c in subs], [], [], 0.002 if not written else 0.05)
    spurious = int(max(switch.values()) > 1 or counts["+elected-leader"] > 1)
    with open(outfile + ".events", "w") as f:
        f.write("%d %d %d %d %d\n" % (max(switch.values()), counts["+elected-leader"],
                                      counts["+try-failover"], counts["aborts"], spurious))
    return 0


# --- discover -------------------------------------------------------------------------
def discover(sports, masters, timeout, t0wall):
    need = ("sentinels=%d\r\n" % len(sports)).encode()
    conns = {}
    got = {}
    deadline = time.monotonic() + timeout
    while len(got) < len(sports) and time.monotonic() < deadline:
        for p in sports:
            if p in got:
                continue
            try:
                if p not in conns:
                    conns[p] = Conn(p, 5.0)
                c = conns[p]
                c.send("INFO", "sentinel")
                v = c.read()
                if isinstance(v, str) and v.encode().count(need) + (
                        1 if v.endswith("sentinels=%d" % len(sports)) else 0) >= masters:
                    got[p] = time.time() - t0wall
            except (OSError, ConnectionError):
                conns.pop(p, None)
        time.sleep(0.05)
    if len(got) < len(sports):
        print("not every sentinel knows its peers for every master after %d s" % timeout, file=sys.stderr)
        return 1
    bad = 0
    for p in sports:
        ms_ = conns[p].cmd("SENTINEL", "MASTERS")
        n = sum(1 for m in ms_ if pairs(m).get("num-other-sentinels") == str(len(sports) - 1))
        if n < masters:
            print("sentinel %d: SENTINEL MASTERS shows %d masters with %d others" % (p, n, len(sports) - 1),
                  file=sys.stderr)
            bad = 1
    print(" ".join(ms(got[p]) for p in sports), ms(max(got.values())))
    return bad


# --- mass ------------------------------------------------------------------------------
def count_events(subs, counts):
    """Adds the +try-failover, -failover-abort-* and +tilt events waiting on subs."""
    for c in subs:
        for ch, _ in events(c):
            if ch == "+try-failover":
                counts["tries"] += 1
            elif ch.startswith("-failover-abort"):
                counts["aborts"] += 1
            elif ch == "+tilt":
                counts["tilt"] += 1


def mass(sports, spec, timeout):
    rows = []
    with open(spec) as f:
        for line in f:
            w = line.split()
            if len(w) == 3:
                rows.append((w[0], int(w[1]), int(w[2])))
    subs = [subscribe(p) for p in sports]
    polls = [Conn(p, timeout=timeout) for p in sports]
    stall = {p: 0.0 for p in sports}
    counts = {"tries": 0, "aborts": 0, "tilt": 0}
    agreed = {}
    t0 = time.monotonic()
    for _, pid, _ in rows:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = t0 + timeout
    pending = {name: rport for name, _, rport in rows}
    while pending and time.monotonic() < deadline:
        names = list(pending)
        ok = {n: 0 for n in names}
        for p, c in zip(sports, polls):
            out = []
            for n in names:
                a = n.encode()
                out.append(b"*3\r\n$8\r\nSENTINEL\r\n$23\r\nget-master-addr-by-name\r\n$%d\r\n%s\r\n" % (len(a), a))
            t1 = time.monotonic()
            c.s.sendall(b"".join(out))
            for n in names:
                v = c.read()
                if isinstance(v, list) and len(v) == 2 and str(v[1]) == str(pending[n]):
                    ok[n] += 1
            rtt = time.monotonic() - t1
            if rtt > stall[p]:
                stall[p] = rtt
        now = time.monotonic()
        for n in names:
            if ok[n] == len(sports):
                agreed[n] = now - t0
                del pending[n]
        count_events(subs, counts)
        time.sleep(0.01)
    time.sleep(0.5)
    count_events(subs, counts)
    for n, _, _ in rows:
        print(n, ms(agreed[n]) if n in agreed else "-")
    for p in sports:
        print("stall", p, ms(stall[p]))
    for k in ("tries", "aborts", "tilt"):
        print(k, counts[k])
    return 0 if not pending else 1


def main(a):
    cmd = a[0] if a else ""
    if cmd == "mass":
        return mass(ports(a[1]), a[2], float(a[3]))
    if cmd == "sdown":
        return sdown(int(a[1]), int(a[2]), a[3], int(a[4]), float(a[5]))
    if cmd == "ready":
        return ready(a[1], ports(a[2]), ports(a[3]), float(a[4]))
    if cmd == "failover":
        return failover(a[1], ports(a[2]), int(a[3]), int(a[4]), ports(a[5]), a[6], a[7], a[8], float(a[9]))
    if cmd == "discover":
        return discover(ports(a[1]), int(a[2]), float(a[3]), float(a[4]))
    print("usage: sentinel-probe.py sdown|ready|failover|discover ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
