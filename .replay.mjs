import net from "node:net";
// test/helpers/resp-client.ts
/** Parses one reply from buf at pos; returns null when incomplete. */
function parseReply(buf, pos) {
	if (pos >= buf.length) return null;
	const nl = buf.indexOf("\r\n", pos);
	if (nl === -1) return null;
	const type = String.fromCharCode(buf[pos]);
	const line = buf.toString("latin1", pos + 1, nl);
	let at = nl + 2;
	const aggregate = (n) => {
		const items = [];
		for (let i = 0; i < n; i++) {
			const r = parseReply(buf, at);
			if (r === null) return null;
			items.push(r[0]);
			at = r[1];
		}
		return [items, at];
	};
	switch (type) {
		case "+": return [{
			t: "simple",
			v: line
		}, at];
		case "-": return [{
			t: "error",
			v: line
		}, at];
		case ":": return [{
			t: "int",
			v: line
		}, at];
		case ",": return [{
			t: "double",
			v: line
		}, at];
		case "#": return [{
			t: "bool",
			v: line === "t"
		}, at];
		case "(": return [{
			t: "bignum",
			v: line
		}, at];
		case "_": return [{ t: "null" }, at];
		case "$":
		case "=": {
			const len = Number(line);
			if (len < 0) return [{
				t: "bulk",
				v: null
			}, at];
			if (buf.length < at + len + 2) return null;
			const s = buf.toString("latin1", at, at + len);
			return [type === "$" ? {
				t: "bulk",
				v: s
			} : {
				t: "verbatim",
				v: s
			}, at + len + 2];
		}
		case "*":
		case "~":
		case ">": {
			const n = Number(line);
			if (n < 0) return [{
				t: "array",
				v: null
			}, at];
			const r = aggregate(n);
			if (r === null) return null;
			return [{
				t: type === "*" ? "array" : type === "~" ? "set" : "push",
				v: r[0]
			}, r[1]];
		}
		case "%": {
			const r = aggregate(Number(line) * 2);
			if (r === null) return null;
			const pairs = [];
			for (let i = 0; i < r[0].length; i += 2) pairs.push([r[0][i], r[0][i + 1]]);
			return [{
				t: "map",
				v: pairs
			}, r[1]];
		}
		default: throw new Error(`unexpected reply type byte ${JSON.stringify(type)}`);
	}
}
function encodeCommand(args) {
	const parts = [Buffer.from(`*${args.length}\r\n`)];
	for (const a of args) {
		const b = typeof a === "string" ? Buffer.from(a, "latin1") : a;
		parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
	}
	return Buffer.concat(parts);
}
/** A bare RESP connection: sends commands or raw bytes, reads typed replies in order. */
var RespClient = class RespClient {
	socket;
	buf = Buffer.alloc(0);
	waiters = [];
	closedError = null;
	closed;
	constructor(socket) {
		this.socket = socket;
		socket.on("data", (d) => {
			this.buf = Buffer.concat([this.buf, d]);
			this.drain();
		});
		this.closed = new Promise((resolve) => socket.on("close", () => {
			this.closedError = /* @__PURE__ */ new Error("connection closed");
			for (const w of this.waiters.splice(0)) w.reject(this.closedError);
			resolve();
		}));
		socket.on("error", () => {});
	}
	static connect(port, host = "127.0.0.1") {
		return new Promise((resolve, reject) => {
			const s = net.connect({
				port,
				host
			}, () => resolve(new RespClient(s)));
			s.once("error", reject);
		});
	}
	drain() {
		while (this.waiters.length > 0) {
			const r = parseReply(this.buf, 0);
			if (r === null) return;
			this.buf = this.buf.subarray(r[1]);
			this.waiters.shift().resolve(r[0]);
		}
	}
	/** The next reply (or push) the server sends. */
	read() {
		if (this.closedError) return Promise.reject(this.closedError);
		const p = new Promise((resolve, reject) => this.waiters.push({
			resolve,
			reject
		}));
		this.drain();
		return p;
	}
	writeRaw(data) {
		this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
	}
	call(...args) {
		this.writeRaw(encodeCommand(args));
		return this.read();
	}
	close() {
		this.socket.destroy();
	}
};
// ../../../tmp/replay.mts
function generator(seed) {
	let x = seed >>> 0 || 1;
	return () => {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		return (x >>> 0) / 4294967296;
	};
}
const ATOMS = [
	"a",
	"b",
	"c",
	"s",
	"h",
	"w",
	"n",
	"t",
	"f",
	"0",
	"1",
	"-1",
	"2.5",
	"1e15",
	"'7'",
	"'x'",
	"''",
	"nil",
	"true",
	"false",
	"{}",
	"(1/0)"
];
const BINARY = [
	"+",
	"-",
	"*",
	"/",
	"%",
	"^",
	"..",
	"==",
	"~=",
	"<",
	"<=",
	">",
	">=",
	"and",
	"or"
];
const UNARY = [
	"-",
	"not ",
	"#"
];
const CALLS = [
	"tostring(0 + (%))",
	"tonumber(%)",
	"type(%)",
	"math.floor(%)",
	"math.max(%, 1)",
	"string.len(%)",
	"string.format('%g', %)",
	"select(\"#\", %)",
	"t[%]",
	"({%})[1]",
	"string.rep(%, 2)"
];
function expression(r, depth) {
	const p = r();
	if (depth <= 0 || p < .3) return ATOMS[Math.floor(r() * ATOMS.length)];
	if (p < .65) return `${expression(r, depth - 1)} ${BINARY[Math.floor(r() * BINARY.length)]} ${expression(r, depth - 1)}`;
	if (p < .75) return `${UNARY[Math.floor(r() * UNARY.length)]}${expression(r, depth - 1)}`;
	if (p < .85) return `(${expression(r, depth - 1)})`;
	return CALLS[Math.floor(r() * CALLS.length)].replace("%", expression(r, depth - 1));
}
const PRELUDE = "local a, b, c, s, h, w, n = 3, -2.5, 0, '12', '0x10', ' 5 ', nil local t = {10, 20, x = 'y'} local f = function(...) return ... end ";
function script(seed) {
	const e = expression(generator(seed), 4);
	return `${PRELUDE}local ok, v = pcall(function() return ${e} end) return {tostring(ok), type(v), (type(v) == 'table' or type(v) == 'function') and '' or tostring(v)}`;
}
const port = Number(process.argv[2]);
const target = Number(process.argv[3]);
const c = await RespClient.connect(port);
const want = script(target);
for (let seed = 1; seed <= target; seed++) {
	const s = script(seed);
	const r = await c.call("EVAL", s, "0");
	if (s === want) console.log(seed, JSON.stringify(r));
}
c.close();
export {};
