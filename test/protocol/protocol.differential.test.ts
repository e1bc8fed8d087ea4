import { describe, expect, test } from 'vitest';
import type { StartOptions } from '../../src/index.js';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import type { Resp } from '../helpers/resp-client.js';
import { transcript, type TranscriptOptions } from '../helpers/raw-session.js';
import { redisServerPath } from '../helpers/servers.js';

/**
 * Raw bytes go to Sluice and to a real redis-server; the replies, and
 * whether each server hung up, must be the same. A case is a list of
 * chunks written one after another.
 */
interface Case {
  chunks: (string | Buffer)[];
  /** The input ends in a protocol error or a limit: read until the server closes. */
  closes: boolean;
}

/** Input that leaves the connection open: a marker command after it ends the transcript. */
const keeps = (...chunks: (string | Buffer)[]): Case => ({ chunks, closes: false });
/**
 * Input that makes the server hang up. Sizes are exact so that the server
 * has read every byte when it closes (closing on unread input resets the
 * connection and can lose the error reply).
 */
const closes = (...chunks: (string | Buffer)[]): Case => ({ chunks, closes: true });

const fill = (n: number, ch = 'x') => ch.repeat(n);
/** Redis refuses a line once more than 64 KB of it is buffered without its terminator. */
const OVER_INLINE_LIMIT = 64 * 1024 + 1;

const INLINE: Record<string, Case> = {
  'CRLF and bare LF line endings': keeps('PING\r\n', 'PING\n', 'ECHO hi\n'),
  'empty lines and surrounding blanks are ignored': keeps('\r\n\n\r\n', '   \t PING   \r\n', 'ECHO   a\t\r\n'),
  'double quotes take \\xHH and C escapes': keeps('ECHO "a\\x41\\x7a\\n\\r\\t\\b\\a\\q\\\\"\r\n'),
  'an invalid \\x escape keeps its characters': keeps('ECHO "\\x4g\\x"\r\n'),
  "single quotes take only \\'": keeps("ECHO 'it\\'s \\n \"x\"'\r\n"),
  'quoted empty argument and quoted command name': keeps('ECHO ""\r\n', "\"ECHO\" ''\r\n", '"PING"\r\n'),
  'adjacent quoted and bare parts are one argument': keeps('ECHO a"b c"\r\n'),
  '\\v and \\f separate words only between them, not inside one': keeps('\v\fECHO a\vb\fc\r\n', 'ECHO "a"\vb\r\n', 'EC\rHO x\n'),
  'escape corner cases': keeps('ECHO "\\x4"\r\n', 'ECHO "\\xg0"\r\n', "ECHO 'a\\b'\r\n", 'ECHO "\\"\\\\\\q"\r\n', 'ECHO "\\x00z"\r\n'),
  'unknown command and wrong arity inline': keeps('NOSUCH a "b c"\r\n', 'PING a b\r\n'),
  'an unbalanced double quote closes the connection': closes('ECHO "abc\r\n'),
  'an unbalanced single quote closes the connection': closes("ECHO 'abc\r\n"),
  'a closing quote followed by a character is unbalanced': closes('ECHO "a"b\r\n'),
  'commands before an unbalanced quote are answered, later ones are not': closes('PING\r\nECHO x\r\nECHO "y\r\nPING\r\n'),
  'too big inline request': closes(fill(OVER_INLINE_LIMIT, 'A')),
  'an inline line with a NUL byte never ends until it is too big': closes('PI\0NG\r\n' + fill(OVER_INLINE_LIMIT - 7)),
};

const MULTIBULK: Record<string, Case> = {
  'a plain request': keeps('*1\r\n$4\r\nPING\r\n'),
  'lowercase name, empty and binary arguments': keeps('*2\r\n$4\r\necho\r\n$0\r\n\r\n', '*2\r\n$4\r\nECHO\r\n$5\r\na\r\n\0\xff\r\n'),
  'zero and negative counts are ignored': keeps('*0\r\n', '*-1\r\n', '*-5\r\n', '*-9223372036854775808\r\n', '*1\r\n$4\r\nPING\r\n'),
  'the two bytes after bulk data are not checked': keeps('*1\r\n$4\r\nPINGxy', '*2\r\n$4\r\nECHO\r\n$1\r\nab\n'),
  'any byte after CR ends a header line': keeps('*1\rX$4\rYPING\r\n'),
  'many commands in one write': keeps(
    Array.from({ length: 200 }, (_, i) => `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`).join(''),
  ),
  'inline and multibulk mixed in one write': keeps('PING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nz\r\nECHO y\r\n'),
  'a request split across writes': keeps('*2\r\n$4\r\nEC', 'HO\r\n$3', '\r', '\nabc\r', '\n'),
  "expected '$'": closes('*1\r\nx\r\n'),
  "expected '$', got a type byte": closes('*1\r\n:4\r\n'),
  "expected '$', got CR, which is shown as a space": closes('*1\r\n\r\n\r\n'),
  "expected '$', got a nested multibulk": closes('*1\r\n*1\r\n$4\r\nPING\r\n'),
  "a nested multibulk after a whole request": closes('*1\r\n$4\r\nPING\r\n*1\r\n*1\r\n$4\r\nPING\r\n'),
  "a nested multibulk in a later write": closes('*2\r\n$4\r\nECHO\r\n', '*1\r\n'),
  'invalid multibulk length: letters': closes('*abc\r\n'),
  'invalid multibulk length: minus zero': closes('*-0\r\n'),
  'invalid multibulk length: leading zero': closes('*01\r\n'),
  'invalid multibulk length: sign only': closes('*-\r\n'),
  'invalid multibulk length: plus sign': closes('*+1\r\n'),
  'invalid multibulk length: empty': closes('*\r\n'),
  'invalid multibulk length: above INT_MAX': closes('*2147483648\r\n'),
  'invalid multibulk length: below LLONG_MIN': closes('*-9223372036854775809\r\n'),
  'invalid multibulk length: 21 characters': closes('*-00000000000000000001\r\n'),
  'invalid multibulk length: LF without CR': closes('*1\n$4\r\nPING\r\n'),
  'invalid bulk length: negative': closes('*1\r\n$-1\r\n'),
  'invalid bulk length: minus zero': closes('*1\r\n$-0\r\n'),
  'invalid bulk length: letters': closes('*1\r\n$x\r\n'),
  'invalid bulk length: empty': closes('*1\r\n$\r\n'),
  'invalid bulk length: leading zero': closes('*1\r\n$04\r\nPING\r\n'),
  'invalid bulk length: above proto-max-bulk-len': closes('*1\r\n$536870913\r\n'),
  'invalid bulk length: beyond 64 bits': closes('*1\r\n$99999999999999999999\r\n'),
  'commands before a protocol error are answered, later ones are not': closes('PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$x\r\nPING\r\n'),
  'an error in a later write after partial requests': closes('*2\r\n$4\r\nECHO\r\n$3\r\nab', 'c\r\n*1\r\n', '!\r\n'),
  'too big mbulk count string': closes('*' + fill(OVER_INLINE_LIMIT - 1, '1')),
  'too big bulk count string': closes('*1\r\n$' + fill(OVER_INLINE_LIMIT - 1, '1')),
  'a header with a NUL byte never ends until it is too big': closes('*1\0\r\n$4\r\nPING\r\n' + fill(OVER_INLINE_LIMIT - 14)),
  'input after QUIT is never read': closes('QUIT\r\n*1\r\nx\r\n'),
};

/** Before AUTH every command but a few answers NOAUTH, so the marker is a HELLO that authenticates. */
const AUTH_MARKER: TranscriptOptions['marker'] = {
  argv: ['HELLO', '2', 'AUTH', 'default', 'pw'],
  is: (r: Resp) => r.t === 'array' && r.v !== null && r.v[0]?.t === 'bulk' && r.v[0].v === 'server',
};

const BEFORE_AUTH: Record<string, Case> = {
  'more than 10 arguments': closes('*11\r\n'),
  'up to 10 arguments are read and refused with NOAUTH': keeps('*10\r\n' + '$1\r\nx\r\n'.repeat(10)),
  'a bulk over 16384 bytes': closes('*2\r\n$4\r\nECHO\r\n$16385\r\n'),
  'a bulk of 16384 bytes is read': keeps('*2\r\n$4\r\nECHO\r\n$16384\r\n' + fill(16384) + '\r\n'),
  'inline requests have no pre-AUTH size limit': keeps('ECHO ' + fill(30000) + '\r\n'),
  'the limits lift as soon as AUTH succeeds in the same write': keeps(
    'AUTH pw\r\n*2\r\n$4\r\nECHO\r\n$20000\r\n' + fill(20000) + '\r\n*11\r\n' + '$4\r\nPING\r\n'.repeat(11),
  ),
  'a failed AUTH keeps them': closes('AUTH nope\r\n*11\r\n'),
};

function runCases(
  title: string,
  cases: Record<string, Case>,
  settings: { sluice?: StartOptions; redis?: string[]; marker?: TranscriptOptions['marker'] } = {},
): void {
  describe.skipIf(redisServerPath === null)(`${title} (differential vs redis-server)`, () => {
    const servers = useSluiceAndRedis({ sluice: settings.sluice, redis: settings.redis });
    for (const [name, { chunks, closes: hangsUp }] of Object.entries(cases)) {
      test(name, async () => {
        const opts: TranscriptOptions = { marker: hangsUp ? null : settings.marker };
        const [ours, theirs] = await Promise.all([transcript(servers.sluice.port, chunks, opts), transcript(servers.redis.port, chunks, opts)]);
        expect(theirs, 'redis-server should behave as the case says').toMatchObject({ closed: hangsUp, timedOut: false });
        expect(ours).toEqual(theirs);
      });
    }
  });
}

runCases('inline requests', INLINE);
runCases('multibulk requests', MULTIBULK);
runCases('size limits before authentication', BEFORE_AUTH, {
  sluice: { config: { requirepass: 'pw' } },
  redis: ['--requirepass', 'pw'],
  marker: AUTH_MARKER,
});
runCases(
  'proto-max-bulk-len',
  {
    'a bulk of exactly proto-max-bulk-len is accepted': keeps('*2\r\n$4\r\nECHO\r\n$1048576\r\n', fill(1048576), '\r\n'),
    'a bulk header above proto-max-bulk-len is refused': closes('PING\r\n*2\r\n$4\r\nECHO\r\n$1048577\r\n'),
  },
  { sluice: { config: { 'proto-max-bulk-len': '1mb' } }, redis: ['--proto-max-bulk-len', '1mb'] },
);
runCases(
  'client-query-buffer-limit',
  {
    'an incomplete request beyond the limit closes the connection without a reply': closes(
      '*2\r\n$4\r\nECHO\r\n$2000000\r\n',
      fill(1500000),
    ),
    'a complete request just under the limit is served': keeps('*2\r\n$4\r\nECHO\r\n$1000000\r\n', fill(1000000), '\r\n'),
  },
  { sluice: { config: { 'client-query-buffer-limit': '1mb' } }, redis: ['--client-query-buffer-limit', '1mb'] },
);
