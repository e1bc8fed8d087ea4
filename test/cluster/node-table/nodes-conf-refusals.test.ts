import { describe, expect, it } from 'vitest';
import { corruptedConfigMessage } from '../../../src/cluster/node-table/nodes-conf-error.js';
import { readNodesConf } from '../../../src/cluster/node-table/nodes-conf-read.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const VARS = 'vars currentEpoch 1 lastVoteEpoch 0';
const myselfLine = (rest = '') => `${A} 127.0.0.1:7000@17000,,tls-port=0,shard-id=${C} myself,master - 0 0 1 connected${rest}`;
const otherLine = (address = '127.0.0.1:7001@17001', rest = '') => `${B} ${address} master - 0 0 1 connected${rest}`;

/** Reads `lines` and returns the refusal, failing the test if the file was taken. */
function refusal(lines: string[]) {
  const result = readNodesConf(`${lines.join('\n')}\n`);
  if (result.ok) throw new Error('the file was accepted');
  return result.error;
}

/** Each case is a line put between a good myself line and the vars line, and refused as line 2. */
function refusesEachAsLineTwo(cases: [what: string, line: string][]): void {
  for (const [what, line] of cases) {
    it(`refuses ${what}`, () => {
      const error = refusal([myselfLine(), line, VARS]);
      expect(error.line).toBe(2);
      expect(error.text).toBe(line);
    });
  }
}

describe('a nodes.conf that Redis would refuse to start on is an error value naming the line', () => {
  it('names the line number and text, and gives Redis\'s log wording', () => {
    const error = refusal([myselfLine(), `${B} 127.0.0.1:7001@17001 master - 0 0 1`, VARS]);
    expect(error.line).toBe(2);
    expect(error.text).toBe(`${B} 127.0.0.1:7001@17001 master - 0 0 1`);
    expect(error.reason).toMatch(/at least 8/);
    expect(corruptedConfigMessage(error)).toBe(`Unrecoverable error: corrupted cluster config file "${error.text}".`);
  });

  it('counts blank lines when naming the line', () => {
    expect(refusal(['', myselfLine(), '', 'junk', VARS]).line).toBe(4);
  });

  const refusedByRedisToo: [string, string][] = [
    ['a name that is not 40 characters', `${'a'.repeat(39)} 127.0.0.1:7001@17001 master - 0 0 1 connected`],
    ['a name with capitals', `${'A'.repeat(40)} 127.0.0.1:7001@17001 master - 0 0 1 connected`],
    ['an address without a port', otherLine('127.0.0.1')],
    ['an aux field without =', otherLine('127.0.0.1:7001@17001,,tls-port')],
    ['an aux field with two =', otherLine('127.0.0.1:7001@17001,,tls-port=1=2')],
    ['an unknown aux field', otherLine('127.0.0.1:7001@17001,,colour=blue')],
    ['a character Redis forbids in an aux value', otherLine('127.0.0.1:7001@17001,,nodename=a{b')],
    ['a shard-id that is not a node name', otherLine('127.0.0.1:7001@17001,,shard-id=1234')],
    ['a tls-port out of range', otherLine('127.0.0.1:7001@17001,,tls-port=70000')],
    ['an empty tcp-port', otherLine('127.0.0.1:7001@17001,,tcp-port=')],
    ['an unknown flag (Redis panics)', `${B} 127.0.0.1:7001@17001 master,leader - 0 0 1 connected`],
    ['an empty flag (Redis panics)', `${B} 127.0.0.1:7001@17001 master, - 0 0 1 connected`],
    ['a master field that is neither - nor a name', `${B} 127.0.0.1:7001@17001 slave xyz 0 0 1 connected`],
    ['slot 16384', otherLine(undefined, ' 16384')],
    ['a range ending at 16384', otherLine(undefined, ' 10-16384')],
    ['a migration marker for slot 16384', otherLine(undefined, ` [16384->-${A}]`)],
    ['a malformed migration marker', otherLine(undefined, ` [5=>-${A}]`)],
    ['a second node flagged myself (Redis asserts)', `${B} 127.0.0.1:7001@17001 myself,master - 0 0 1 connected`],
    ['unbalanced quotes', `${B} "127.0.0.1:7001@17001 master - 0 0 1 connected`],
  ];
  refusesEachAsLineTwo(refusedByRedisToo);

  it('refuses a replica whose shard-id is not its master\'s', () => {
    const replica = `${B} 127.0.0.1:7001@17001,,shard-id=${'e'.repeat(40)} slave ${A} 0 0 1 connected`;
    expect(refusal([myselfLine(), replica, VARS]).line).toBe(2);
  });

  it('refuses a file where no node is flagged myself, naming its last line', () => {
    const error = refusal([otherLine(), VARS]);
    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/myself/);
  });

  it('refuses a file of blank lines, which is not empty and names no node', () => {
    expect(readNodesConf('\n\n')).toEqual({ ok: false, error: { line: 2, text: '', reason: 'no node is flagged myself' } });
    expect(readNodesConf('\n')).toEqual({ ok: false, error: { line: 1, text: '', reason: 'no node is flagged myself' } });
  });

  it('refuses a vars line whose last name has no value', () => {
    expect(refusal([myselfLine(), 'vars currentEpoch 1 lastVoteEpoch']).line).toBe(2);
  });
});

/**
 * Redis reads numbers with atoi and strtoull, which take a prefix, wrap or
 * saturate; invents a blank node for a name it has no line for; merges a
 * second line for a node into the first; and ignores the link state. None
 * of that happens to a file Redis wrote, so it is refused here.
 */
describe('where reading nodes.conf is stricter than Redis', () => {
  const acceptedByRedis: [string, string][] = [
    ['a port above 65535', otherLine('127.0.0.1:65536@17001')],
    ['a port that is not digits', otherLine('127.0.0.1:70a1@17001')],
    ['a negative port', otherLine('127.0.0.1:-1@17001')],
    ['an empty port', otherLine('127.0.0.1:@17001')],
    ['a bus port above 65535', otherLine('127.0.0.1:7001@99999')],
    ['two @ in the address', otherLine('127.0.0.1:7001@17001@1')],
    ['a port too high to imply a bus port', otherLine('127.0.0.1:60000')],
    ['a master field that only starts with -', `${B} 127.0.0.1:7001@17001 slave -x 0 0 1 connected`],
    ['a master with no line of its own', `${B} 127.0.0.1:7001@17001 slave ${'d'.repeat(40)} 0 0 1 connected`],
    ['a node that is its own master', `${B} 127.0.0.1:7001@17001 slave ${B} 0 0 1 connected`],
    ['a ping time that is not digits', `${B} 127.0.0.1:7001@17001 master - 12x 0 1 connected`],
    ['a configEpoch beyond 64 bits', `${B} 127.0.0.1:7001@17001 master - 0 0 18446744073709551616 connected`],
    ['a negative configEpoch', `${B} 127.0.0.1:7001@17001 master - 0 0 -1 connected`],
    ['an unknown link state', `${B} 127.0.0.1:7001@17001 master - 0 0 1 linked`],
    ['a range that ends before it starts', otherLine(undefined, ' 20-10')],
    ['a slot that is not a number', otherLine(undefined, ' ten')],
    ['a migration marker to a node with no line', otherLine(undefined, ` [5->-${'d'.repeat(40)}]`)],
    ['a second line for the same node', myselfLine().replace('myself,master', 'master')],
    ['a line of only spaces (Redis reads past its fields)', '   '],
  ];
  refusesEachAsLineTwo(acceptedByRedis);

  it('refuses a slot claimed by two nodes (Redis keeps the first claim silently)', () => {
    const error = refusal([myselfLine(' 0-10'), otherLine(undefined, ' 10-20'), VARS]);
    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/slot 10/);
  });

  it('refuses an epoch in vars that is not an unsigned 64-bit number', () => {
    expect(refusal([myselfLine(), 'vars currentEpoch -1 lastVoteEpoch 0']).line).toBe(2);
    expect(refusal([myselfLine(), 'vars currentEpoch 1 lastVoteEpoch 0x10']).line).toBe(2);
  });
});
