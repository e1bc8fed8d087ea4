import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { helpReply } from '../../core/help.js';
import type { Command } from '../command-types.js';
import { anonHugePages, latencyDoctor } from '../latency/latency-doctor.js';
import { latencyGraph } from '../latency/latency-graph.js';
import { LatencyHistogram } from '../latency/latency-histogram.js';

const HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

/** LATENCY LATEST: each event's last sample (its time and latency) and its worst. */
function latest(c: Client): void {
  const events = c.server.latency.events;
  c.reply.array(events.size);
  for (const [name, s] of events) {
    const last = s.times.length - 1;
    c.reply.array(4);
    c.reply.bulk(name);
    c.reply.integer(s.times[last]);
    c.reply.integer(s.latencies[last]);
    c.reply.integer(s.max);
  }
}

/** LATENCY HISTORY event: its samples, oldest first; none for an event never seen. */
function history(c: Client, argv: string[]): void {
  const s = c.server.latency.events.get(argv[2]);
  if (s === undefined) {
    c.reply.array(0);
    return;
  }
  c.reply.array(s.times.length);
  for (let i = 0; i < s.times.length; i++) {
    c.reply.array(2);
    c.reply.integer(s.times[i]);
    c.reply.integer(s.latencies[i]);
  }
}

/** LATENCY GRAPH event: the event's samples as an ASCII sparkline; an error for an event never seen. */
function graph(c: Client, argv: string[]): void {
  const s = c.server.latency.events.get(argv[2]);
  if (s === undefined) {
    c.reply.error(`ERR No samples available for event '${argv[2]}'`);
    return;
  }
  c.reply.verbatim(latencyGraph(argv[2], s, Math.floor(Date.now() / 1000)));
}

/** LATENCY DOCTOR: the human report on the events recorded, with advice. */
function doctor(c: Client): void {
  const config = c.server.config;
  c.reply.verbatim(latencyDoctor(c.server.latency.events, {
    threshold: c.server.latency.threshold,
    slowlogSlowerThan: config.num('slowlog-log-slower-than'),
    appendfsync: config.str('appendfsync'),
    hz: config.num('hz'),
    anonHugePages: anonHugePages(),
  }, Math.floor(Date.now() / 1000)));
}

/** LATENCY RESET [event …]: how many events were forgotten. */
function reset(c: Client, argv: string[]): void {
  const monitor = c.server.latency;
  if (argv.length === 2) {
    c.reply.integer(monitor.reset());
    return;
  }
  let n = 0;
  for (let i = 2; i < argv.length; i++) n += monitor.reset(argv[i]);
  c.reply.integer(n);
}

/**
 * LATENCY HISTOGRAM [command …]: for each command (and subcommand) with
 * calls recorded, its calls and cumulative distribution in microseconds.
 * A name may be "config|get" or a container, which brings its
 * subcommands; unknown names are skipped. All commands come in the command
 * table's order (Redis: its hash order).
 */
function histogram(c: Client, argv: string[]): void {
  const table = c.server.commands;
  const picked: Command[] = [];
  const take = (cmd: Command): void => {
    if (cmd.stats.histogram !== null) picked.push(cmd);
  };
  if (argv.length === 2) {
    for (const cmd of table.all()) take(cmd);
  } else {
    for (let i = 2; i < argv.length; i++) {
      const cmd = table.byFullName(argv[i]);
      if (cmd === undefined) continue;
      take(cmd);
      if (cmd.subcommands !== null && !argv[i].includes('|')) for (const sub of cmd.subcommands.values()) take(sub);
    }
  }
  c.reply.map(picked.length);
  for (const cmd of picked) {
    const h = cmd.stats.histogram as LatencyHistogram;
    c.reply.bulk(cmd.fullName);
    c.reply.map(2);
    c.reply.bulk('calls');
    c.reply.integer(h.total);
    c.reply.bulk('histogram_usec');
    const steps = h.cumulative();
    c.reply.map(steps.length);
    for (const [usec, calls] of steps) {
      c.reply.integer(usec);
      c.reply.integer(calls);
    }
  }
}

const ADMIN = { flags: ['admin', 'noscript', 'loading', 'stale'], acl: [], group: 'server', since: '2.8.13' } as const;
const ALL_NODES = ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'];

/** LATENCY: the latency monitor's LATEST, HISTORY, RESET, GRAPH and DOCTOR, the per-command HISTOGRAM, and HELP. */
export const latencyCommands: CommandSpec[] = [
  {
    name: 'latency', arity: -2, flags: [], acl: [], group: 'server', since: '2.8.13',
    summary: 'A container for latency diagnostics commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        ...ADMIN, name: 'latest', arity: 2, tips: ALL_NODES, complexity: 'O(1)',
        summary: 'Returns the latest latency samples for all events.', handler: latest,
      },
      {
        ...ADMIN, name: 'history', arity: 3, tips: ALL_NODES, complexity: 'O(1)', args: 'event',
        summary: 'Returns timestamp-latency samples for an event.', handler: history,
      },
      {
        ...ADMIN, name: 'reset', arity: -2, tips: ['request_policy:all_nodes', 'response_policy:agg_sum'], complexity: 'O(1)',
        args: '[event...]', summary: 'Resets the latency data for one or more events.', handler: reset,
      },
      {
        ...ADMIN, name: 'graph', arity: 3, tips: ALL_NODES, complexity: 'O(1)', args: 'event',
        summary: 'Returns a latency graph for an event.', handler: graph,
      },
      {
        ...ADMIN, name: 'doctor', arity: 2, tips: ALL_NODES, complexity: 'O(1)',
        summary: 'Returns a human-readable latency analysis report.', handler: doctor,
      },
      {
        ...ADMIN, name: 'histogram', arity: -2, since: '7.0.0', tips: ALL_NODES, args: '[command...]',
        complexity: 'O(N) where N is the number of commands with latency information being retrieved.',
        summary: 'Returns the cumulative distribution of latencies of a subset or all commands.', handler: histogram,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: [], group: 'server', since: '2.8.13',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c, argv) => helpReply(c, argv, HELP),
      },
    ],
  },
];
