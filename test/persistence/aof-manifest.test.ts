import { closeSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { AofBuffer } from '../../src/persistence/aof-buffer.js';
import { AofReader, type ReadStep } from '../../src/persistence/aof-reader.js';
import { AofManifest, ManifestError } from '../../src/persistence/manifest.js';
import { resp, scratch } from '../helpers/aof.js';

const sc = scratch();
afterAll(() => sc.remove());

describe('the manifest', () => {
  test('parses Redis lines in any key order and case, with comments; formats base, history, then incremental files', () => {
    const m = AofManifest.parse(
      '# written by hand\nfile appendonly.aof.2.base.aof seq 2 type b\nseq 1 type h FILE appendonly.aof.1.incr.aof\nfile appendonly.aof.2.incr.aof seq 2 type i newkey x\n',
    );
    expect(m.base).toEqual({ name: 'appendonly.aof.2.base.aof', seq: 2, type: 'b' });
    expect(m.incrs).toEqual([{ name: 'appendonly.aof.2.incr.aof', seq: 2, type: 'i' }]);
    expect(m.format()).toBe(
      'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
  });

  test('a rewrite makes a new base and incremental file, and the old ones history', () => {
    const m = AofManifest.parse('file a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 2 type i\n');
    const base = m.newBase('a');
    const incr = m.newIncr('a');
    m.retireIncrsExcept(incr);
    expect([base.name, incr.name]).toEqual(['a.2.base.aof', 'a.3.incr.aof']);
    expect(m.format()).toBe(
      'file a.2.base.aof seq 2 type b\n' +
        'file a.1.incr.aof seq 1 type h\nfile a.2.incr.aof seq 2 type h\nfile a.1.base.aof seq 1 type h\n' +
        'file a.3.incr.aof seq 3 type i\n',
    );
  });

  test('names with blanks or quotes are written quoted, as sdscatrepr, and read back', () => {
    const m = new AofManifest();
    m.base = { name: 'my "file".aof', seq: 1, type: 'b' };
    expect(m.format()).toBe('file "my \\"file\\".aof" seq 1 type b\n');
    expect(AofManifest.parse(m.format()).base?.name).toBe('my "file".aof');
  });

  test.each([
    ['', 'Found an empty AOF manifest'],
    ['file a seq 1 type b', 'The AOF manifest file contains too long line'],
    ['\n', 'Invalid AOF manifest file format'],
    ['file a seq 1\n', 'Invalid AOF manifest file format'],
    ['file a seq x type b\n', 'Invalid AOF manifest file format'],
    ['file dir/a seq 1 type b\n', "File can't be a path, just a filename"],
    ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information'],
    ['file a seq 2 type i\nfile b seq 2 type i\n', 'Found a non-monotonic sequence number'],
    ['file a seq 1 type x\n', 'Unknown AOF file type'],
    [`file ${'a'.repeat(1100)} seq 1 type b\n`, 'The AOF manifest file contains too long line'],
  ])('case %# is refused: %s', (text, reason) => {
    let error: unknown = null;
    try {
      AofManifest.parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).reason).toBe(reason);
  });
});

function readAll(text: string | Buffer): ReadStep[] {
  const file = path.join(sc.dir, `f${Math.random()}`);
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  const out: ReadStep[] = [];
  try {
    const r = new AofReader(fd);
    for (let i = 0; i < 100_000; i++) {
      const step = r.next();
      out.push(step);
      if (step.kind !== 'command') break;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

describe('reading an AOF file', () => {
  test('commands come back with their offsets; annotations are skipped', () => {
    const a = resp(['SET', 'k', 'v']);
    const steps = readAll(`#TS:1700000000\r\n${a}${resp(['DEL', 'k'])}`);
    expect(steps).toEqual([
      { kind: 'command', argv: ['SET', 'k', 'v'], start: 16, end: 16 + a.length },
      { kind: 'command', argv: ['DEL', 'k'], start: 16 + a.length, end: 16 + a.length + 20 },
      { kind: 'eof' },
    ]);
  });

  test('arguments are binary-safe, including CRLF and bytes above 127, and may span read chunks', () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const steps = readAll(Buffer.from(resp(['SET', '\r\n\xff', big]), 'latin1'));
    expect(steps[0]).toMatchObject({ kind: 'command', argv: ['SET', '\r\n\xff', big] });
    expect(steps[1]).toEqual({ kind: 'eof' });
  });

  test('a file ending inside a command is truncated at that command', () => {
    const a = resp(['SET', 'k', 'v']);
    for (const cut of ['*', '*3', '*3\r\n$3\r\nSE', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r']) {
      expect(readAll(a + cut).at(-1)).toEqual({ kind: 'truncated', at: a.length });
    }
  });

  test('bytes that are not a command are reported where they are', () => {
    expect(readAll('+OK\r\n')).toEqual([{ kind: 'bad', at: 0, reason: "expected '*' at the start of a command, found '+'" }]);
    expect(readAll('*0\r\n')).toEqual([{ kind: 'bad', at: 0, reason: "invalid argument count '*0'" }]);
    expect(readAll('*1\r\n:3\r\n')).toEqual([{ kind: 'bad', at: 4, reason: "expected '$' before argument 1 of 1, found ':'" }]);
    expect(readAll('*1\r\n$3\r\nabcd\r\n')).toEqual([{ kind: 'bad', at: 11, reason: 'expected CRLF after an argument' }]);
  });

  test('a damaged count or length is refused before anything is allocated for it', () => {
    expect(readAll('*999999999999999\r\n$3\r\nSET\r\n')).toEqual([
      { kind: 'bad', at: 0, reason: 'argument count 999999999999999 is larger than any command can have' },
    ]);
    expect(readAll('*1\r\n$999999999999\r\nabc\r\n')).toEqual([
      { kind: 'bad', at: 4, reason: 'argument length 999999999999 is longer than any value can be' },
    ]);
  });
});

describe('encoding', () => {
  test('commands are encoded as RESP multibulk, byte for byte', () => {
    const b = new AofBuffer();
    const long = '\xe9'.repeat(100);
    b.appendCommand(['SET', 'k', long, '']);
    b.appendRaw('#TS:1\r\n');
    expect(b.view().toString('latin1')).toBe(resp(['SET', 'k', long, '']) + '#TS:1\r\n');
    b.consume(4);
    expect(b.view().toString('latin1').startsWith('$3\r\nSET')).toBe(true);
  });

  test('lengths of every width get their digits', () => {
    const argv = [0, 1, 9, 10, 99, 100, 999, 1000, 65_536].map((n) => 'a'.repeat(n));
    const many = Array.from({ length: 123 }, (_, i) => String(i));
    const b = new AofBuffer();
    b.appendCommand(argv);
    b.appendCommand(many);
    expect(b.view().toString('latin1')).toBe(resp(argv) + resp(many));
  });
});
