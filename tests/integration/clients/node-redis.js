// node-redis.js - node-redis (npm "redis" v5) createSentinel() under the
// failovers of clients.sh.
//   node node-redis.js RESP planned|kill SPORT DEADLINE PORT:PID PORT:PID
// RESP is 2 or 3 (createSentinel's RESP option, for the sentinel and the
// master connections).
"use strict";
const { createSentinel, createClient } = require("redis");
const { run } = require("./common.js");

run({
	open: async (sport, resp) => {
		const s = createSentinel({
			name: "mymaster",
			sentinelRootNodes: [{ host: "127.0.0.1", port: sport }],
			RESP: resp,
			nodeClientOptions: { socket: { connectTimeout: 1000 } },
			sentinelClientOptions: { socket: { connectTimeout: 1000 } },
		});
		s.on("error", () => {});
		await s.connect();
		return { incr: (k) => s.incr(k), info: () => s.sendCommand(false, ["CLIENT", "INFO"]),
			close: () => s.close() };
	},
	plain: async (port) => {
		const c = createClient({ socket: { host: "127.0.0.1", port }, RESP: 2 });
		c.on("error", () => {});
		await c.connect();
		return { cmd: (...a) => c.sendCommand(a), close: () => c.close() };
	},
});
