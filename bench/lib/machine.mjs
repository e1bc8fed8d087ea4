// What the numbers were measured on, for the report's header.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { redisVersion, TASKSET } from './servers.mjs';

export function describeMachine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // no /proc: os.cpus() is the next best source
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpu.trim(),
    cores: os.cpus().length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    redis: redisVersion(),
    pinning: TASKSET !== null,
  };
}

export function machineLines(m) {
  return [
    `- date: ${m.date}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.os}`,
    `- Node.js ${m.node}; redis-server ${m.redis ?? 'not installed'}`,
    `- pinning: ${m.pinning ? 'servers on core 0, load generators on core 1 (taskset)' : 'none (needs taskset and two cores)'}`,
  ];
}
