import { describe, expect, it } from 'vitest';
import { clusterNodesReply } from '../../../src/cluster/node-table/cluster-nodes-reply.js';
import { writeNodesConf } from '../../../src/cluster/node-table/nodes-conf-write.js';
import { CAPTURED_VERSIONS, loadNodeTableCapture, tableOf } from './captured.js';

/**
 * ping_sent and pong_recv are times, and the reply was taken a moment after
 * the file, so they are left out of the comparison. So is the link state of
 * a node flagged fail or fail?: Redis keeps re-dialling a dead node, and
 * counts it connected while a dial is under way. Every other field must
 * agree, in the same order of lines.
 */
function withoutTimes(text: string): string {
  return text.split('\n').map((line) => {
    const fields = line.split(' ');
    if (fields.length >= 8) fields.splice(4, 2, '<ping>', '<pong>');
    if (fields.length >= 8 && fields[2].split(',').some((f) => f === 'fail' || f === 'fail?')) fields[7] = '<link>';
    return fields.join(' ');
  }).join('\n');
}

for (const version of CAPTURED_VERSIONS) {
  const { views } = loadNodeTableCapture(version);
  const dialect = version.startsWith('7.0.') ? '7.0' : '7.2';

  describe(`nodes.conf and CLUSTER NODES captured from Redis ${version}`, () => {
    it('cover every state the capture walks through', () => {
      expect(new Set(views.map((v) => v.state))).toEqual(new Set(['fresh', 'masters', 'replica', 'migrating', 'failed']));
    });

    for (const view of views) {
      describe(`${view.state}, as ${view.label} sees it`, () => {
        it(`nodes.conf reads and writes back byte for byte in ${dialect}'s dialect`, () => {
          expect(writeNodesConf(tableOf(view), dialect)).toBe(view.nodesConf);
        });

        it('CLUSTER NODES from the table is the captured reply, but for what changes with time', () => {
          expect(withoutTimes(clusterNodesReply(tableOf(view)))).toBe(withoutTimes(view.clusterNodes));
        });
      });
    }
  });
}
