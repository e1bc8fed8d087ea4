import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The messages test/cluster/fixtures/capture.mjs recorded between real Redis nodes, with what the script knew of each node. */
export interface CapturedNode {
  id: string;
  port: number;
  cport: number;
  hostname: string | null;
  humanNodename: string | null;
}

export interface CapturedMessage {
  file: string;
  type: string;
  /** The node that sent it, by the sender id in its bytes. */
  sender: string | null;
  /** The scenario step during which it passed. */
  step: string;
  bytes: Buffer;
}

export interface Capture {
  redis: string;
  nodes: Record<string, CapturedNode>;
  messages: CapturedMessage[];
}

export const CAPTURED_VERSIONS = ['7.2.6', '7.0.15'] as const;

export function loadCapture(version: string): Capture {
  const dir = path.resolve(import.meta.dirname, `../fixtures/redis-${version}`);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Omit<Capture, 'messages'> & { messages: Omit<CapturedMessage, 'bytes'>[] };
  return { ...manifest, messages: manifest.messages.map((m) => ({ ...m, bytes: readFileSync(path.join(dir, m.file)) })) };
}
