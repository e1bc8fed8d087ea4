// npm run bench: runs each benchmark section against Sluice (from dist/) and,
// when installed, redis-server, prints the results and writes them into
// docs/benchmarks.md. Sections are modules exporting { id, title, run }.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as cluster from './cluster.mjs';
import * as consoleOpen from './console.mjs';
import * as core from './core.mjs';
import * as eviction from './eviction.mjs';
import * as floor from './floor.mjs';
import * as pubsub from './pubsub.mjs';
import * as queues from './queues.mjs';
import * as persistence from './persistence.mjs';
import * as rdb from './rdb.mjs';
import * as replication from './replication.mjs';
import * as latency from './latency.mjs';
import * as scripting from './scripting.mjs';
import * as startup from './startup.mjs';
import * as strings from './strings.mjs';
import * as streams from './streams.mjs';
import * as structures from './structures.mjs';
import * as tls from './tls.mjs';
import * as tracking from './tracking.mjs';
import * as types from './types.mjs';
import { writeSection } from './lib/docs.mjs';
import { describeGcPauses, markPhase, takeGcPauses } from './lib/gc-pauses.mjs';
import { describeMachine, machineLines } from './lib/machine.mjs';
import { keepGcLogsIn, pinSelf, ROOT, scratchDir, SLUICE_CLI } from './lib/servers.mjs';

const SECTIONS = [startup, core, floor, pubsub, queues, types, structures, streams, persistence, rdb, replication, cluster, strings, scripting, latency, tls, tracking, eviction, consoleOpen];
const DOC = path.join(ROOT, 'docs/benchmarks.md');

const USAGE = `Usage: npm run bench -- [--quick] [--only <section>] [--write | --no-write] [--gc-logs <dir>]

  --quick        smaller counts, for a smoke run (does not write docs/benchmarks.md unless --write)
  --only id      run one section: ${SECTIONS.map((s) => s.id).join(', ')}
  --write        write docs/benchmarks.md even for a quick run
  --no-write     print only
  --gc-logs dir  keep every Sluice server's log, with its --trace-gc lines, in dir (sluice-<pid>.log)

Needs a build (npm run build); measures redis-server too when it is installed.`;

function parseOptions(argv) {
  const opts = { quick: false, only: null, write: null, gcLogs: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--write') opts.write = true;
    else if (a === '--no-write') opts.write = false;
    else if (a === '--only' && i + 1 < argv.length) opts.only = argv[++i];
    else if (a === '--gc-logs' && i + 1 < argv.length) opts.gcLogs = path.resolve(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown argument '${a}'\n\n${USAGE}`);
      process.exit(2);
    }
  }
  opts.write ??= !opts.quick;
  return opts;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(SLUICE_CLI)) {
    console.error(`dist/ is missing (${path.relative(ROOT, SLUICE_CLI)} not found): run \`npm run build\` first.`);
    process.exit(1);
  }
  const sections = SECTIONS.filter((s) => opts.only === null || s.id === opts.only);
  if (sections.length === 0) {
    console.error(`no section '${opts.only}'; there are: ${SECTIONS.map((s) => s.id).join(', ')}`);
    process.exit(2);
  }
  if (opts.gcLogs !== null) keepGcLogsIn(opts.gcLogs);
  // Every Sluice of the run keeps compiled scripts in a store of the run's own, empty at the start, not the user's.
  const scriptStore = scratchDir('sluice-bench-scripts-');
  process.env.SLUICE_SCRIPT_CACHE_DIR = scriptStore.dir;
  process.on('exit', scriptStore.remove);
  const machine = describeMachine();
  // The servers run on core 0; the driver (and its loaders) stay on core 1 with redis-benchmark.
  pinSelf(1);
  console.log(machineLines(machine).join('\n'));
  let failed = false;
  for (const section of sections) {
    console.log(`\n== ${section.title}${opts.quick ? ' (quick)' : ''}`);
    const log = (msg) => {
      markPhase(msg);
      console.log(`   ${msg}`);
    };
    try {
      takeGcPauses();
      const result = await section.run({ quick: opts.quick, machine, log });
      const gc = describeGcPauses(takeGcPauses());
      console.log(`\n${result.text}\n\n${gc}`);
      if (opts.write) {
        const heading = `## ${section.title}${opts.quick ? ' (quick run: smaller counts)' : ''}`;
        writeSection(DOC, section.id, [heading, machineLines(machine).join('\n'), result.markdown, gc].join('\n\n'));
        console.log(`\n   written to ${path.relative(ROOT, DOC)} (section '${section.id}')`);
      }
    } catch (e) {
      failed = true;
      console.error(`\n   section '${section.id}' failed: ${e.stack ?? e}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
