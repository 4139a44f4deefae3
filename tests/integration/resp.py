"""resp.py - a small RESP client over raw sockets (standard library only),
shared by the Python tests (tests/integration/partition.py) and the
benchmarks' helper (bench/sentinel-probe.py).

Conn(port, timeout, host) sends commands and reads replies (RESP2 and the
RESP3 aggregates); errors come back as RespError values from read() and
are raised by cmd(). subscribe() and events() read PSUBSCRIBE * messages
without blocking. field() reads an INFO field, pairs() a flat field/value
list such as SENTINEL MASTER's.

And what the Python tests share: diag() (TAP comments), free_port() and
answers() (PING gets PONG), wait_for() (a condition with a deadline), and
spawn()/stop() of the processes a test starts (kept in procs until stopped).
"""
import signal
import socket
import subprocess
import time


class RespError(Exception):
    pass


class Incomplete(Exception):
    pass


def parse(buf, pos):
    """One RESP value from buf at pos: (value, next pos); Incomplete if cut."""
    i = buf.find(b"\r\n", pos)
    if i < 0:
        raise Incomplete()
    t = buf[pos:pos + 1]
    rest = buf[pos + 1:i]
    nxt = i + 2
    if t == b"+":
        return rest.decode(), nxt
    if t == b"-":
        return RespError(rest.decode()), nxt
    if t == b":":
        return int(rest), nxt
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None, nxt
        if len(buf) < nxt + n + 2:
            raise Incomplete()
        return buf[nxt:nxt + n].decode("utf-8", "replace"), nxt + n + 2
    if t in (b"*", b">", b"~", b"%"):
        n = int(rest)
        if n < 0:
            return None, nxt
        if t == b"%":
            n *= 2
        out = []
        for _ in range(n):
            v, nxt = parse(buf, nxt)
            out.append(v)
        return out, nxt
    raise ConnectionError("protocol error: %r" % buf[pos:pos + 40])


class Conn:
    def __init__(self, port, timeout=2.0, host="127.0.0.1"):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(out))

    def read(self):
        while True:
            try:
                v, n = parse(self.buf, 0)
                self.buf = self.buf[n:]
                return v
            except Incomplete:
                d = self.s.recv(262144)
                if not d:
                    raise ConnectionError("connection closed")
                self.buf += d

    def pending(self):
        """The values already complete in the buffer, after reading what is there."""
        d = self.s.recv(262144)
        if not d:
            raise ConnectionError("connection closed")
        self.buf += d
        out = []
        while True:
            try:
                v, n = parse(self.buf, 0)
            except Incomplete:
                return out
            self.buf = self.buf[n:]
            out.append(v)

    def cmd(self, *args):
        self.send(*args)
        v = self.read()
        if isinstance(v, RespError):
            raise v
        return v


def field(info, name):
    key = name + ":"
    for line in info.split("\r\n"):
        if line.startswith(key):
            return line[len(key):]
    return None


def pairs(lst):
    return dict(zip(lst[0::2], lst[1::2])) if isinstance(lst, list) else {}


def ports(s):
    return [int(p) for p in s.split(",") if p]


def ms(t):
    return "%.1f" % (t * 1000.0)


def subscribe(port, host="127.0.0.1"):
    c = Conn(port, host=host)
    c.send("PSUBSCRIBE", "*")
    c.read()  # the psubscribe confirmation
    c.s.setblocking(False)
    return c


def events(c):
    """(channel, payload) of the pmessages waiting on a subscribed connection."""
    out = []
    try:
        for v in c.pending():
            if isinstance(v, list) and len(v) == 4 and v[0] == "pmessage":
                out.append((v[2], v[3]))
    except BlockingIOError:
        pass
    return out


def diag(msg):
    """msg as TAP comment lines."""
    for line in str(msg).splitlines() or [""]:
        print("# " + line, flush=True)


def free_port(host="127.0.0.1"):
    """A TCP port on host that nobody listens on right now."""
    s = socket.socket()
    s.bind((host, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def answers(port, host="127.0.0.1"):
    """The server on host:port answers PING with PONG (False on any failure)."""
    try:
        c = Conn(port, 0.5, host)
    except OSError:
        return False
    try:
        return c.cmd("PING") == "PONG"
    except (OSError, ConnectionError, RespError):
        return False
    finally:
        c.close()


def wait_for(cond, deadline, step=0.01):
    """cond() until it returns something true (returned) or the deadline passes (None).
    A cond() that raises a connection or reply error counts as false."""
    end = time.monotonic() + deadline
    while True:
        try:
            v = cond()
        except (OSError, ConnectionError, RespError, ValueError, KeyError):
            v = None
        if v:
            return v
        if time.monotonic() >= end:
            return None
        time.sleep(step)


procs = []  # started by spawn(), not stopped yet


def spawn(argv, log):
    """Starts argv with its output appended to the file log."""
    with open(log, "ab") as f:
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM):
    """Sends sig (SIGKILL after 5 s) and reaps p."""
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in procs:
        procs.remove(p)
