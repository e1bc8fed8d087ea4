import net from 'node:net';

/** A reply with its RESP type kept, so tests can compare servers exactly. */
export type Resp =
  | { t: 'simple'; v: string }
  | { t: 'error'; v: string }
  | { t: 'int'; v: string }
  | { t: 'bulk'; v: string | null }
  | { t: 'array'; v: Resp[] | null }
  | { t: 'null'; v?: undefined }
  | { t: 'double'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'map'; v: [Resp, Resp][] }
  | { t: 'set'; v: Resp[] }
  | { t: 'push'; v: Resp[] }
  | { t: 'verbatim'; v: string }
  | { t: 'bignum'; v: string };

/** Parses one reply from buf at pos; returns null when incomplete. */
export function parseReply(buf: Buffer, pos: number): [Resp, number] | null {
  if (pos >= buf.length) return null;
  const nl = buf.indexOf('\r\n', pos);
  if (nl === -1) return null;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('latin1', pos + 1, nl);
  let at = nl + 2;
  const aggregate = (n: number): [Resp[], number] | null => {
    const items: Resp[] = [];
    for (let i = 0; i < n; i++) {
      const r = parseReply(buf, at);
      if (r === null) return null;
      items.push(r[0]);
      at = r[1];
    }
    return [items, at];
  };
  switch (type) {
    case '+': return [{ t: 'simple', v: line }, at];
    case '-': return [{ t: 'error', v: line }, at];
    case ':': return [{ t: 'int', v: line }, at];
    case ',': return [{ t: 'double', v: line }, at];
    case '#': return [{ t: 'bool', v: line === 't' }, at];
    case '(': return [{ t: 'bignum', v: line }, at];
    case '_': return [{ t: 'null' }, at];
    case '$':
    case '=': {
      const len = Number(line);
      if (len < 0) return [{ t: 'bulk', v: null }, at];
      if (buf.length < at + len + 2) return null;
      const s = buf.toString('latin1', at, at + len);
      return [type === '$' ? { t: 'bulk', v: s } : { t: 'verbatim', v: s }, at + len + 2];
    }
    case '*':
    case '~':
    case '>': {
      const n = Number(line);
      if (n < 0) return [{ t: 'array', v: null }, at];
      const r = aggregate(n);
      if (r === null) return null;
      const t = type === '*' ? 'array' : type === '~' ? 'set' : 'push';
      return [{ t, v: r[0] } as Resp, r[1]];
    }
    case '%': {
      const r = aggregate(Number(line) * 2);
      if (r === null) return null;
      const pairs: [Resp, Resp][] = [];
      for (let i = 0; i < r[0].length; i += 2) pairs.push([r[0][i], r[0][i + 1]]);
      return [{ t: 'map', v: pairs }, r[1]];
    }
    default:
      throw new Error(`unexpected reply type byte ${JSON.stringify(type)}`);
  }
}

export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A bare RESP connection: sends commands or raw bytes, reads typed replies in order. */
export class RespClient {
  private buf = Buffer.alloc(0);
  private waiters: { resolve: (r: Resp) => void; reject: (e: Error) => void }[] = [];
  private closedError: Error | null = null;
  closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.closedError = new Error('connection closed');
      for (const w of this.waiters.splice(0)) w.reject(this.closedError);
      resolve();
    }));
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const r = parseReply(this.buf, 0);
      if (r === null) return;
      this.buf = this.buf.subarray(r[1]);
      this.waiters.shift()!.resolve(r[0]);
    }
  }

  /** The next reply (or push) the server sends. */
  read(): Promise<Resp> {
    if (this.closedError) return Promise.reject(this.closedError);
    const p = new Promise<Resp>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.drain();
    return p;
  }

  writeRaw(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  call(...args: (string | Buffer)[]): Promise<Resp> {
    this.writeRaw(encodeCommand(args));
    return this.read();
  }

  close(): void {
    this.socket.destroy();
  }
}
