// A minimal RESP client for the benchmark driver: one-off checks of a
// command's reply, and a pipelined bulk loader that counts replies.
import net from 'node:net';

export function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return out;
}

function connect(port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.setTimeout(timeoutMs, () => s.destroy(new Error(`no answer from port ${port} within ${timeoutMs} ms`)));
    s.once('error', reject);
  });
}

/**
 * Sends one request (an argv, or a raw inline line) and resolves to the
 * first line of the reply, e.g. "+OK", ":1", "$3", "-ERR unknown command…".
 */
export async function firstReplyLine(port, request, timeoutMs = 5000) {
  const s = await connect(port, timeoutMs);
  return new Promise((resolve, reject) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\r\n');
      if (nl !== -1) {
        s.destroy();
        resolve(buf.slice(0, nl));
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error('connection closed before a reply')));
    s.write(typeof request === 'string' ? request : encode(request), 'latin1');
  });
}

/**
 * Sends `count` commands built by `make(i)`, `batch` at a time (the next
 * batch goes once every reply of the previous one is in), and resolves to
 * the number of error replies. Each reply must be one line, or a bulk
 * string without a line break in it (XADD's ID). Rejects after `timeoutMs`.
 */
export async function pipelineLoad(port, count, make, { batch = 10000, timeoutMs = 300000 } = {}) {
  const s = await connect(port, timeoutMs);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let replies = 0;
    let errors = 0;
    let atLineStart = true;
    // The first two bytes of the line being read, and whether it is a bulk string's payload.
    let first = 0;
    let second = 0;
    let column = 0;
    let payload = false;
    let batchEnd = 0;
    const sendBatch = () => {
      batchEnd = Math.min(count, sent + batch);
      let chunk = '';
      for (; sent < batchEnd; sent++) chunk += make(sent);
      s.write(chunk, 'latin1');
    };
    s.on('data', (d) => {
      for (let i = 0; i < d.length; i++) {
        const b = d[i];
        if (atLineStart) column = 0;
        if (column === 0) first = b;
        else if (column === 1) second = b;
        column++;
        atLineStart = b === 0x0a;
        if (!atLineStart) continue;
        if (payload) {
          payload = false;
          replies++;
        } else if (first === 0x24 /* $ */ && second !== 0x2d /* - */) {
          payload = true;
        } else {
          if (first === 0x2d) errors++;
          replies++;
        }
      }
      if (replies === count) {
        s.destroy();
        resolve(errors);
      } else if (replies === batchEnd) {
        sendBatch();
      }
    });
    s.on('error', reject);
    s.on('close', () => {
      if (replies < count) reject(new Error(`connection closed after ${replies} of ${count} replies`));
    });
    if (count === 0) {
      s.destroy();
      resolve(0);
    } else {
      sendBatch();
    }
  });
}
