// Node's floor: a server that does, per request, only what any Node server
// must. It reads through Sluice's own read path (every connection's reads
// into one shared buffer, src/server/socket-reader.ts), frames the RESP
// requests just far enough to count them, and answers each with a fixed
// +OK through Sluice's handle writer (src/server/socket-writer.ts). What it
// costs per request is what Node's event loop, its call into JavaScript per
// read and its write path cost before any command runs; Sluice's cost above
// it is Sluice's own. Usage: node bench/lib/node-floor.mjs <port>
import net from 'node:net';
import { acceptDirectly, readChunks } from '../../dist/server/socket-reader.js';
import { SocketWriter } from '../../dist/server/socket-writer.js';

const MAX_REPLIES = 64;
const OKS = Buffer.from('+OK\r\n'.repeat(MAX_REPLIES));
/** redis-benchmark reads `save` and `appendonly` with CONFIG GET before it starts: an empty value for each. */
const CONFIG_VALUE = Buffer.from('*2\r\n$0\r\n\r\n$0\r\n\r\n');

/** The decimal number at `p` up to its CR, and where the line after it starts; null when the line is not all here. */
function number(buf, p) {
  let n = 0;
  for (; p < buf.length; p++) {
    const b = buf[p];
    if (b === 13) return p + 1 < buf.length ? [n, p + 2] : null;
    n = n * 10 + (b - 48);
  }
  return null;
}

/**
 * Walks the complete multibulk requests in `buf`: calls `each(isConfig)`
 * for each, and returns where the first incomplete one starts.
 */
function frame(buf, each) {
  let p = 0;
  for (;;) {
    const start = p;
    if (p >= buf.length) return p;
    const head = number(buf, p + 1);
    if (head === null) return start;
    p = head[1];
    let config = false;
    for (let i = 0; i < head[0]; i++) {
      const len = number(buf, p + 1);
      if (len === null || len[1] + len[0] + 2 > buf.length) return start;
      if (i === 0) config = buf[len[1]] === 67 || buf[len[1]] === 99;
      p = len[1] + len[0] + 2;
    }
    each(config);
  }
}

function serve(socket) {
  let rest = null;
  let writer = null;
  const write = (b) => {
    if (writer === null || !writer.write(b)) socket.write(b);
  };
  socket = readChunks(socket, (chunk) => {
    const buf = rest === null ? chunk : Buffer.concat([rest, chunk]);
    let oks = 0;
    const flushOks = () => {
      while (oks > 0) {
        const n = Math.min(oks, MAX_REPLIES);
        write(OKS.subarray(0, n * 5));
        oks -= n;
      }
    };
    const used = frame(buf, (config) => {
      if (!config) {
        oks++;
        return;
      }
      flushOks();
      write(CONFIG_VALUE);
    });
    flushOks();
    rest = used < buf.length ? Buffer.from(buf.subarray(used)) : null;
  });
  writer = SocketWriter.for(socket);
  socket.on('error', () => socket.destroy());
}

const server = net.createServer({ noDelay: true }, serve);
server.listen(Number(process.argv[2]), '127.0.0.1', () => acceptDirectly(server, true, serve));
