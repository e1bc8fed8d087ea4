import { describe, expect, it } from 'vitest';
import { hasSlot } from '../../../src/cluster/slot-bitmap.js';
import type { ClusterNodeTable } from '../../../src/cluster/node-table/node.js';
import { readNodesConf } from '../../../src/cluster/node-table/nodes-conf-read.js';
import { writeNodesConf } from '../../../src/cluster/node-table/nodes-conf-write.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const S = 's'.repeat(40);

function read(text: string, tlsCluster = false): ClusterNodeTable {
  const result = readNodesConf(text, { tlsCluster });
  if (!result.ok) throw new Error(result.error.reason);
  if (result.table === null) throw new Error('empty');
  return result.table;
}

describe('reading nodes.conf', () => {
  it('takes an empty file as no configuration yet', () => {
    expect(readNodesConf('')).toEqual({ ok: true, table: null });
  });

  it('reads a 7.2 line: address, hostname, aux fields, flags, times, epoch, link and slots', () => {
    const table = read(`${A} 10.0.0.1:7000@17000,a.example,tls-port=7443,nodename=alpha,shard-id=${S} myself,master - 0 1700000000000 3 connected 0-99 200\nvars currentEpoch 5 lastVoteEpoch 4\n`);
    const [node] = table.nodes;
    expect(node).toMatchObject({
      name: A, ip: '10.0.0.1', tcpPort: 7000, tlsPort: 7443, cport: 17000, hostname: 'a.example', humanNodename: 'alpha',
      shardId: S, master: null, pingSent: 0, pongReceived: 1700000000000, configEpoch: 3n, linkConnected: true,
    });
    expect([...node.flags]).toEqual(['myself', 'master']);
    expect([0, 99, 200].every((s) => hasSlot(node.slots, s))).toBe(true);
    expect(hasSlot(node.slots, 100)).toBe(false);
    expect(table).toMatchObject({ myself: A, currentEpoch: 5n, lastVoteEpoch: 4n });
  });

  it('reads a 7.0 line, which has no aux fields and no shard id', () => {
    const table = read(`${A} 10.0.0.1:7000@17000 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n`);
    expect(table.nodes[0]).toMatchObject({ hostname: '', tcpPort: 7000, tlsPort: 0, shardId: null });
  });

  it('takes the bus port to be the client port plus 10000 when a line has none, as files before 4.0', () => {
    expect(read(`${A} 10.0.0.1:7000 myself,master - 0 0 0 connected\n`).nodes[0].cport).toBe(17000);
  });

  it('takes the main port by the aux ports present: with only tls-port it is plain, with only tcp-port it is TLS', () => {
    expect(read(`${A} :7000@17000,,tls-port=7443 myself,master - 0 0 0 connected\n`).nodes[0]).toMatchObject({ tcpPort: 7000, tlsPort: 7443 });
    expect(read(`${A} :7443@17000,,tcp-port=7000 myself,master - 0 0 0 connected\n`).nodes[0]).toMatchObject({ tcpPort: 7000, tlsPort: 7443 });
  });

  it('takes the main port of a line without aux ports as the cluster\'s kind', () => {
    expect(read(`${A} :7443@17000 myself,master - 0 0 0 connected\n`, true).nodes[0]).toMatchObject({ tcpPort: 0, tlsPort: 7443 });
  });

  it('skips blank lines, reads vars anywhere, and skips vars it does not know', () => {
    const table = read(`\nvars lastVoteEpoch 2 colour blue\n\n${A} :7000@17000 myself,master - 0 0 0 connected\nvars currentEpoch 3\n`);
    expect(table).toMatchObject({ currentEpoch: 3n, lastVoteEpoch: 2n });
  });

  it('reads a file with CRLF line ends, since Redis splits fields on any space, \\r included', () => {
    const text = `${A} :7000@17000 myself,master - 0 0 0 connected 0-5\r\nvars currentEpoch 1 lastVoteEpoch 0\r\n`;
    expect(writeNodesConf(read(text), '7.0')).toBe(text.replaceAll('\r', ''));
  });

  it('reads flags and vars names in any case, as Redis compares them', () => {
    const table = read(`${A} :7000@17000 MySelf,Master - 0 0 0 connected\nVARS CURRENTEPOCH 1 lastvoteepoch 0\n`);
    expect([...table.nodes[0].flags]).toEqual(['myself', 'master']);
    expect(table.currentEpoch).toBe(1n);
  });

  it('raises the current epoch to the highest config epoch, as Redis does against hand edits', () => {
    expect(read(`${A} :7000@17000 myself,master - 0 0 9 connected\nvars currentEpoch 2 lastVoteEpoch 0\n`).currentEpoch).toBe(9n);
  });

  it('keeps a replica\'s own epoch at 0 and writes its master\'s in its place', () => {
    const text = `${A} :7000@17000 myself,master - 0 0 7 connected 0-16383\n${B} :7001@17001 slave ${A} 0 0 3 connected\nvars currentEpoch 7 lastVoteEpoch 0\n`;
    const table = read(text);
    expect(table.nodes[1].configEpoch).toBe(0n);
    expect(writeNodesConf(table, '7.0')).toBe(text.replace(`${A} 0 0 3`, `${A} 0 0 7`));
  });

  it('accepts a replica line before its master\'s, since Redis writes in hash order', () => {
    const table = read(`${B} :7001@17001 slave ${A} 0 0 0 connected\n${A} :7000@17000 myself,master - 0 0 0 connected\n`);
    expect(table.nodes[0].master).toBe(A);
  });

  it('keeps slot moves as the myself node\'s, wherever the marker stood', () => {
    const table = read(`${B} :7001@17001 master - 0 0 0 connected [7-<-${A}]\n${A} :7000@17000 myself,master - 0 0 0 connected 5 [5->-${B}]\n`);
    expect(table.migratingTo).toEqual(new Map([[5, B]]));
    expect(table.importingFrom).toEqual(new Map([[7, A]]));
    expect(writeNodesConf(table, '7.0').split('\n')[1]).toBe(`${A} :7000@17000 myself,master - 0 0 0 connected 5 [5->-${B}] [7-<-${A}]`);
  });
});
