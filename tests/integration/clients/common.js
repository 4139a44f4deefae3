// common.js - the two failover checks of clients.sh, for any Node.js client.
//
//   node LIB.js RESP MODE SPORT DEADLINE PORT:PID PORT:PID
//
// LIB.js (ioredis.js, node-redis.js) passes run() two functions:
//   open(sport, resp) -> {incr(key), info(), close()}   the library's
//                        sentinel client; info() sends CLIENT INFO
//   plain(port)       -> {cmd(...args), close()} a plain RESP2 connection
// MODE is "planned" (SENTINEL FAILOVER while the master is up: the writes go
// on on the new master and no acknowledged INCR is lost) or "kill" (kill -9
// of the master: the client writes on the promoted replica within DEADLINE
// seconds). The two PORT:PID are the servers, master and replica in either
// order. Prints one line of figures; exits 1 with the reason on failure.
"use strict";
const net = require("net");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fail = (msg) => {
	console.log(msg);
	process.exit(1);
};

async function until(cond, what, end) {
	while (!(await cond())) {
		if (Date.now() > end) fail("timed out waiting for " + what());
		await sleep(10);
	}
}

// Resolves true when a connection to 127.0.0.1:PORT is refused.
function refused(port) {
	return new Promise((resolve) => {
		const s = net.connect(port, "127.0.0.1");
		s.on("connect", () => (s.destroy(), resolve(false)));
		s.on("error", (e) => resolve(e.code === "ECONNREFUSED"));
	});
}

// A flat [k1, v1, k2, v2, ...] reply as an object.
function fields(flat) {
	const o = {};
	for (let i = 0; i + 1 < flat.length; i += 2) o[flat[i]] = String(flat[i + 1]);
	return o;
}

// One INCR at a time, in a loop; every acknowledged value is checked.
function writer(client, key) {
	const w = { stop: false, acks: 0, last: 0, errors: 0, lastError: "",
		regressions: [], lastAckAt: Date.now(), maxGap: 0,
		since: Infinity, after: 0, firstAfter: null };
	w.done = (async () => {
		while (!w.stop) {
			const started = Date.now();
			try {
				const v = Number(await client.incr(key));
				const now = Date.now();
				if (v <= w.last) w.regressions.push(w.last + " then " + v);
				w.last = Math.max(w.last, v);
				w.acks++;
				w.maxGap = Math.max(w.maxGap, now - w.lastAckAt);
				w.lastAckAt = now;
				if (started >= w.since && w.after++ === 0)
					w.firstAfter = { at: now, value: v };
			} catch (e) {
				w.errors++;
				w.lastError = e.message;
				await sleep(10);
			}
		}
	})();
	return w;
}

async function run(lib) {
	const [resp, mode, sportArg, deadlineArg, ...nodes] = process.argv.slice(2);
	const sport = Number(sportArg), deadline = Number(deadlineArg) * 1000;
	const servers = nodes.map((s) => {
		const [port, pid] = s.split(":").map(Number);
		return { port, pid };
	});
	let end = Date.now() + deadline;
	setTimeout(() => fail("no result after " + 3 * deadline + " ms"), 3 * deadline);

	const admin = await lib.plain(sport);
	const master = async () => {
		const r = await admin.cmd("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster");
		return r ? Number(r[1]) : 0;
	};
	if (mode === "kill")
		await admin.cmd("SENTINEL", "SET", "mymaster", "down-after-milliseconds", "500");

	// A master among the two, the other one its replica with the link up.
	let old, next, seen = "";
	await until(async () => {
		const m = await master();
		const reps = (await admin.cmd("SENTINEL", "REPLICAS", "mymaster")).map(fields);
		old = servers.find((s) => s.port === m);
		next = servers.find((s) => s.port !== m);
		seen = "master " + m + ", replicas " + JSON.stringify(reps.map((r) => [r.port, r.flags, r["master-link-status"]]));
		return old && reps.some((r) => Number(r.port) === next.port &&
			r.flags === "slave" && r["master-link-status"] === "ok");
	}, () => "a master with a linked replica: " + seen, end);
	end = Date.now() + deadline;

	const client = await lib.open(sport, Number(resp));
	// The protocol the master sees: a client may fall back to RESP2 quietly.
	const info = String(await client.info());
	const proto = (info.match(/ resp=(\d+)/) || [])[1];
	if (proto !== resp)
		fail("asked for RESP" + resp + ", the master has: " + info);
	const key = mode + ":counter";
	const w = writer(client, key);
	const stats = () => w.acks + " acknowledged, last " + w.last + ", " +
		w.errors + " errors (last: " + w.lastError + ")";
	await until(() => w.acks >= 300, () => "300 writes before the failover: " + stats(), end);

	let t0, line;
	if (mode === "planned") {
		t0 = Date.now();
		const reply = await admin.cmd("SENTINEL", "FAILOVER", "mymaster");
		await until(async () => (await master()) === next.port,
			() => "the switch to " + next.port + " (FAILOVER said " + reply + ")", end);
		const tswitch = Date.now() - t0, switched = w.acks;
		await until(() => w.acks >= switched + 300,
			() => "300 writes after the switch: " + stats(), end);
		w.stop = true;
		await w.done;
		if (w.regressions.length)
			fail("acknowledged writes lost: INCR went back from " + w.regressions.slice(0, 5).join(", "));
		line = "switch after " + tswitch + " ms, longest write stall " + w.maxGap + " ms";
	} else {
		t0 = Date.now();
		end = t0 + deadline;
		process.kill(old.pid, "SIGKILL");
		// The signal may take a moment: count from when the port refuses.
		await until(() => refused(old.port), () => "port " + old.port + " closed", end);
		const before = w.last;
		w.since = Date.now();
		await until(() => w.after >= 100,
			() => "100 writes after the kill: " + stats(), end);
		w.stop = true;
		await w.done;
		const m = await master();
		if (m !== next.port) fail("the sentinel gives " + m + ", not " + next.port);
		const lost = Math.max(0, before - w.firstAfter.value + 1);
		line = "first write " + (w.firstAfter.at - t0) + " ms after the kill, " +
			lost + " acknowledged writes lost (asynchronous replication)";
	}
	// Every acknowledged INCR is on the new master: its counter is at least
	// the last value acknowledged.
	const direct = await lib.plain(next.port);
	const got = Number(await direct.cmd("GET", key));
	if (!(got >= w.last))
		fail("the new master " + next.port + " has " + key + " = " + got + ", " + w.last + " was acknowledged");
	console.log(w.acks + " INCRs acknowledged, " + w.errors + " retried errors, " +
		"the new master " + next.port + " has " + got + "; " + line);
	await Promise.all([client.close(), admin.close(), direct.close()].map((p) => Promise.resolve(p).catch(() => {})));
	process.exit(0);
}

module.exports = { run, fail };
