"""notify.py - systemd's side of the notify protocol, played by the test (TAP).

The test binds a datagram socket, starts the daemon with NOTIFY_SOCKET
pointing at it (and WATCHDOG_USEC=400000, as systemd does for
WatchdogSec=0.4), and reads what the daemon sends:
  1. sentinel: READY=1, and the port answers PING the moment it arrives;
     STATUS= says "1 master monitored, 0 down", then "1 down" once the
     master is killed; WATCHDOG=1 keeps coming (at least 3 in 1 s);
     the log file moved away and SIGHUP: a new one is opened (logrotate);
     STOPPING=1 after SIGTERM, and a clean exit;
  2. sentinel-kv: the same READY=1, STATUS=Ready to accept connections,
     WATCHDOG=1, SIGHUP and STOPPING=1.
Whether the daemon speaks through libsystemd or by itself depends on the
build (./configure --with-systemd=no); the first line says which (.ci/run
builds both ways). SENTINEL_BIN and SENTINEL_KV_BIN name the binaries
(set by Makefile.am). Standard library only.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import answers, diag, free_port  # noqa: E402

DEADLINE = 10.0
_procs = []


class Manager:
    """The socket systemd would own: every datagram with its arrival time."""

    def __init__(self, d):
        self.path = os.path.join(d, "notify.sock")
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        self.got = []

    def wait(self, pred, deadline=DEADLINE, on_msg=None):
        """Reads until pred(message) holds; the message, or None at the deadline."""
        end = time.monotonic() + deadline
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(4096)
            except socket.timeout:
                return None
            for msg in data.decode(errors="replace").split("\n"):
                if not msg:
                    continue
                self.got.append((time.monotonic(), msg))
                if on_msg is not None:
                    on_msg(msg)
                if pred(msg):
                    return msg

    def find(self, pred, deadline=DEADLINE):
        """A message already received that pred holds for, else wait()."""
        for _, msg in self.got:
            if pred(msg):
                return msg
        return self.wait(pred, deadline)

    def close(self):
        self.s.close()


def start(argv, mgr, log):
    env = dict(os.environ, NOTIFY_SOCKET=mgr.path, WATCHDOG_USEC="400000")
    env.pop("WATCHDOG_PID", None)
    with open(log, "ab") as f:
        p = subprocess.Popen(argv, env=env, stdout=f, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
    _procs.append(p)
    return p


def stop_all():
    for p in _procs:
        if p.poll() is None:
            p.kill()
            p.wait()


def ready_and_answering(mgr, port):
    """READY=1 arrives, and at that moment the port answers."""
    seen = []

    def check(msg):
        if msg == "READY=1":
            seen.append(answers(port))
    if mgr.wait(lambda m: m == "READY=1", on_msg=check) is None:
        diag("no READY=1")
        return False
    if not seen or not seen[0]:
        diag("READY=1 came before the port answered")
        return False
    return True


def watchdog(mgr):
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < 1.0:
        if mgr.wait(lambda m: m == "WATCHDOG=1", deadline=1.0 - (time.monotonic() - t0)):
            n += 1
    if n < 3:
        diag("%d WATCHDOG=1 in 1 s with WATCHDOG_USEC=400000" % n)
        return False
    return True


def stopping(mgr, p):
    p.send_signal(signal.SIGTERM)
    ok = mgr.wait(lambda m: m == "STOPPING=1") is not None
    if not ok:
        diag("no STOPPING=1 after SIGTERM")
    try:
        rc = p.wait(DEADLINE)
    except subprocess.TimeoutExpired:
        diag("still running after SIGTERM")
        return False
    if rc != 0:
        diag("exit status %d" % rc)
        ok = False
    return ok


def rotate(p, log):
    """logrotate's way: the file moved away, then SIGHUP; the daemon must open a new one."""
    os.rename(log, log + ".1")
    p.send_signal(signal.SIGHUP)
    end = time.monotonic() + DEADLINE
    while not os.path.exists(log):
        if time.monotonic() > end:
            diag("no new %s after SIGHUP" % log)
            return False
        time.sleep(0.02)
    return True


def rotated(log):
    """After the exit: the old file has the SIGHUP, the new one the goodbye."""
    try:
        with open(log + ".1", errors="replace") as f:
            old = f.read()
        with open(log, errors="replace") as f:
            new = f.read()
    except OSError as e:
        diag("log files: %r" % e)
        return False
    if "Received SIGHUP, reopening the log file" not in old or "ready to exit" not in new:
        diag("rotated log: old ends %r, new is %r" % (old[-200:], new[-300:]))
        return False
    return True


def case_sentinel(d, sbin, kvbin):
    mgr = Manager(d)
    try:
        mport = free_port()
        m = subprocess.Popen([kvbin, "--port", str(mport), "--bind", "127.0.0.1", "--save", "",
                              "--dir", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _procs.append(m)
        end = time.monotonic() + DEADLINE
        while not answers(mport):
            if time.monotonic() > end:
                diag("sentinel-kv did not start")
                return False
            time.sleep(0.02)
        port = free_port()
        conf = os.path.join(d, "sentinel.conf")
        slog = os.path.join(d, "sentinel.log")
        with open(conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\n" % (port, d))
            f.write("logfile %s\n" % slog)
            f.write("sentinel monitor m 127.0.0.1 %d 1\n" % mport)
            f.write("sentinel down-after-milliseconds m 300\n")
        p = start([sbin, conf], mgr, os.path.join(d, "sentinel.out"))
        ok = ready_and_answering(mgr, port)
        up = mgr.find(lambda x: x.startswith("STATUS=") and "1 master monitored, 0 down" in x)
        if up is None:
            diag("no STATUS= with 1 master, 0 down: %r" % mgr.got[-5:])
            ok = False
        ok = watchdog(mgr) and ok
        ok = rotate(p, slog) and ok
        m.kill()
        m.wait()
        down = mgr.wait(lambda x: x.startswith("STATUS=") and "1 down" in x)
        if down is None:
            diag("STATUS= did not change to 1 down: %r" % [x for _, x in mgr.got if x.startswith("STATUS=")])
            ok = False
        else:
            diag(down)
        ok = stopping(mgr, p) and ok
        return rotated(slog) and ok
    finally:
        mgr.close()


def case_kv(d, sbin, kvbin):
    mgr = Manager(d)
    try:
        port = free_port()
        klog = os.path.join(d, "kv.log")
        p = start([kvbin, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", d,
                   "--logfile", klog], mgr, os.path.join(d, "kv.out"))
        ok = ready_and_answering(mgr, port)
        if mgr.find(lambda x: x == "STATUS=Ready to accept connections") is None:
            diag("no STATUS=Ready to accept connections: %r" % mgr.got[-5:])
            ok = False
        ok = watchdog(mgr) and ok
        ok = rotate(p, klog) and ok
        ok = stopping(mgr, p) and ok
        return rotated(klog) and ok
    finally:
        mgr.close()


CASES = (
    ("sentinel: READY=1 once the port answers, STATUS= follows the master, WATCHDOG=1, "
     "SIGHUP reopens the log, STOPPING=1", case_sentinel),
    ("sentinel-kv: READY=1 once the port answers, STATUS=, WATCHDOG=1, SIGHUP reopens the log, "
     "STOPPING=1", case_kv),
)


def main():
    sbin = os.environ.get("SENTINEL_BIN")
    kvbin = os.environ.get("SENTINEL_KV_BIN")
    print("1..%d" % len(CASES), flush=True)
    if not sbin or not kvbin or not os.access(sbin, os.X_OK) or not os.access(kvbin, os.X_OK):
        for n, (desc, _) in enumerate(CASES, 1):
            print("ok %d - %s # SKIP SENTINEL_BIN and SENTINEL_KV_BIN needed" % (n, desc))
        return 0
    try:
        ldd = subprocess.run(["ldd", sbin], capture_output=True, text=True).stdout
        diag("notify through %s" % ("libsystemd" if "libsystemd" in ldd else "our own datagrams"))
    except OSError:
        pass
    failed = 0
    for n, (desc, fn) in enumerate(CASES, 1):
        d = tempfile.mkdtemp(prefix="notify-")
        try:
            ok = fn(d, sbin, kvbin)
        except Exception as e:  # a broken case must not hide the other
            diag("%s: %r" % (desc, e))
            ok = False
        finally:
            stop_all()
            if os.environ.get("KEEP_TMP") is None:
                shutil.rmtree(d, ignore_errors=True)
        if not ok:
            failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", n, desc), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
