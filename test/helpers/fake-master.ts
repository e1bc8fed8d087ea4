import net from 'node:net';

/** A master that is only a socket (see fakeMaster). */
export interface FakeMaster {
  port: number;
  /** Each PSYNC's two arguments, joined by a space. */
  psyncs: string[];
  /** The replicas' connections. */
  links: net.Socket[];
  close(): void;
}

/**
 * A master that is only a socket: it answers the handshake's PING and
 * REPLCONFs, records each PSYNC's arguments and answers every one with
 * +FULLRESYNC and whatever `payload` writes (a snapshot, whole or not).
 */
export async function fakeMaster(payload: (s: net.Socket) => void): Promise<FakeMaster> {
  const psyncs: string[] = [];
  const links: net.Socket[] = [];
  const server = net.createServer((s) => {
    links.push(s);
    s.on('error', () => {});
    let buffered = '';
    let psync: string[] | null = null;
    s.on('data', (d) => {
      buffered += d.toString('latin1');
      for (let i = buffered.indexOf('\r\n'); i >= 0; i = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        if (/^[*$]/.test(line)) continue;
        if (psync !== null) {
          psync.push(line);
          if (psync.length === 2) {
            psyncs.push(psync.join(' '));
            psync = null;
            s.write(`+FULLRESYNC ${'f'.repeat(40)} 0\r\n`);
            payload(s);
          }
          continue;
        }
        const word = line.toUpperCase();
        if (word === 'PING') s.write('+PONG\r\n');
        else if (word === 'REPLCONF') s.write('+OK\r\n');
        else if (word === 'PSYNC') psync = [];
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, psyncs, links, close: () => server.close() };
}

/** A payload of a whole snapshot as a $<len> bulk, written at once. */
export function bulkSnapshot(rdb: Buffer): (s: net.Socket) => void {
  return (s) => {
    s.write(`$${rdb.length}\r\n`);
    s.write(rdb);
  };
}
