// ioredis.js - ioredis's Sentinel support under the failovers of clients.sh.
//   node ioredis.js RESP planned|kill SPORT DEADLINE PORT:PID PORT:PID
// RESP is 2 or 3: ioredis 6 speaks RESP3 (HELLO 3) with `protocol: 3`, to
// the sentinel and to the master alike; `protocol: 2` stays on RESP2.
"use strict";
const Redis = require("ioredis");
const { run } = require("./common.js");

const quiet = (c) => (c.on("error", () => {}), c);

run({
	open: async (sport, resp) => {
		const c = quiet(new Redis({
			sentinels: [{ host: "127.0.0.1", port: sport }],
			name: "mymaster",
			protocol: resp,
			connectTimeout: 1000,
			commandTimeout: 2000,
		}));
		return { incr: (k) => c.incr(k), info: () => c.call("CLIENT", "INFO"),
			close: () => c.quit() };
	},
	plain: async (port) => {
		const c = quiet(new Redis({ host: "127.0.0.1", port, protocol: 2 }));
		return { cmd: (...a) => c.call(...a), close: () => c.quit() };
	},
});
