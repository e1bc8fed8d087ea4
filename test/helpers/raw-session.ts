import net from 'node:net';
import { encodeCommand, parseReply, type Resp } from './resp-client.js';

/** What a server answered to raw input, and whether it hung up. */
export interface Transcript {
  replies: Resp[];
  closed: boolean;
  /** Neither the marker came back nor the connection closed in time: the input left a request open. */
  timedOut: boolean;
}

export interface TranscriptOptions {
  /**
   * A command sent after the input whose reply ends the transcript (it is
   * not included), or null to read until the server closes. The default
   * ECHOes a marker; before AUTH a no-auth command must be used instead.
   */
  marker?: { argv: string[]; is: (r: Resp) => boolean } | null;
  /**
   * Half-closes the connection after the input (with no marker): the server
   * answers what it framed, meets end of file, and hangs up, so that input
   * that may leave a request open needs no marker and no deadline.
   */
  endInput?: boolean;
}

/** Long enough for any case on a loaded machine; only input that leaves a request open ever waits this long. */
const DEADLINE_MS = 8000;

const ECHO_MARKER = 'end-of-transcript-7f3a';

export const echoMarker = {
  argv: ['ECHO', ECHO_MARKER],
  is: (r: Resp) => r.t === 'bulk' && r.v === ECHO_MARKER,
};

/**
 * Writes raw chunks to a fresh connection (each write awaited, so chunk
 * boundaries reach the socket in order), then the marker command, and
 * collects every reply until the marker's reply comes back or the server closes.
 * The marker tells "answered everything and kept the connection" apart from
 * "closed". Input that makes the server close should go without a marker:
 * a server closing with unread input resets the connection, which can
 * discard its last reply before the client reads it.
 */
export function transcript(port: number, chunks: (string | Buffer)[], opts: TranscriptOptions = {}): Promise<Transcript> {
  const marker = opts.marker === undefined ? echoMarker : opts.marker;
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    const replies: Resp[] = [];
    let done = false;
    const finish = (closed: boolean, timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ replies, closed, timedOut });
    };
    const timer = setTimeout(() => finish(false, true), DEADLINE_MS);
    socket.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      for (;;) {
        const r = parseReply(buf, 0);
        if (r === null) break;
        buf = buf.subarray(r[1]);
        if (marker !== null && marker.is(r[0])) return finish(false, false);
        replies.push(r[0]);
      }
    });
    socket.on('close', () => finish(true, false));
    // A write refused by a peer that hung up; 'close' follows and ends the transcript.
    socket.on('error', () => {});
    socket.on('connect', async () => {
      const all = marker === null ? chunks : [...chunks, encodeCommand(marker.argv)];
      for (const chunk of all) {
        if (done) return;
        await new Promise<void>((res) => socket.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk, () => res()));
      }
      if (opts.endInput === true && !done) socket.end();
    });
  });
}
