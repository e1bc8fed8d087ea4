#!/usr/bin/env bash
# Runs BullMQ's own test suite (its default vitest suite, `vitest run
# --no-file-parallelism`, what BullMQ's CI runs as `yarn test`) against a
# server this script starts: Sluice from this checkout's dist/ (build it
# first with `npm run build`), or with --redis-server a redis-server binary
# for a reference run.
#
# --cluster starts the server with cluster-enabled yes, gives it all 16384
# slots (CLUSTER ADDSLOTSRANGE 0 16383), waits for cluster_state:ok and runs
# the suite with BULLMQ_TEST_PREFIX={b}: every queue's keys share one hash
# tag, as in BullMQ's CI job against Dragonfly's emulated cluster. Without
# it the prefix is BullMQ's default, bull.
#
# Not part of `npm test` or CI: it needs BullMQ's source from GitHub (the
# npm package has no tests), which the CI machine cannot fetch. Prepare the
# scratch directory by hand, e.g.
#   git -C <bullmq clone> archive v6.2.0 | tar -x -C /tmp/bullmq-suite
#   cd /tmp/bullmq-suite && npx yarn@1 install --frozen-lockfile --ignore-engines && npx yarn@1 build
# (the build generates the scripts the tests load). The suite finds the
# server by REDIS_HOST and REDIS_PORT, which this script sets; two
# script_loader tests connect to localhost:6379 whatever they say, so they
# fail unless the server is on 6379.
#
# Usage: scripts/bullmq-suite.sh [--cluster] [--port N] [--redis-server PATH]
#          BULLMQ_DIR [vitest args, e.g. tests/queue.test.ts]
# Prints the failed tests and vitest's summary; the full log is left in
# $LOG (default /tmp/bullmq-suite-<port>.log). redis-cli is the one beside
# --redis-server, else $REDIS_CLI, else redis-cli on the PATH. Stops the
# server on exit. Runs one suite at a time: the tests are timing-sensitive.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cluster=no
port=36379
redis_server=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cluster) cluster=yes; shift ;;
    --port) port="$2"; shift 2 ;;
    --redis-server) redis_server="$2"; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[[ $# -ge 1 ]] || { echo "usage: $0 [--cluster] [--port N] [--redis-server PATH] BULLMQ_DIR [vitest args]" >&2; exit 2; }
suite="$(cd "$1" && pwd)"; shift
[[ -f "$suite/vitest.config.ts" && -d "$suite/node_modules" ]] \
  || { echo "$suite: not a BullMQ checkout with its dependencies installed" >&2; exit 2; }

work="$(mktemp -d /tmp/bullmq-suite-server.XXXXXX)"
log="${LOG:-/tmp/bullmq-suite-$port.log}"
args=(--port "$port" --dir "$work" --save '' --appendonly no)
if [[ $cluster == yes ]]; then
  args+=(--cluster-enabled yes --cluster-config-file "$work/nodes.conf")
fi
if [[ -n $redis_server ]]; then
  cli="$(dirname "$redis_server")/redis-cli"
  "$redis_server" "${args[@]}" >"$work/server.log" 2>&1 &
else
  [[ -f "$here/dist/cli.js" ]] || { echo "no $here/dist/cli.js: run npm run build" >&2; exit 2; }
  cli="${REDIS_CLI:-redis-cli}"
  node "$here/dist/cli.js" "${args[@]}" >"$work/server.log" 2>&1 &
fi
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

rcli() { "$cli" -p "$port" "$@"; }
for _ in $(seq 100); do
  [[ "$(rcli PING 2>/dev/null)" == PONG ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done

prefix=bull
if [[ $cluster == yes ]]; then
  rcli CLUSTER ADDSLOTSRANGE 0 16383 >/dev/null
  for _ in $(seq 100); do
    rcli CLUSTER INFO | grep -q '^cluster_state:ok' && break
    sleep 0.1
  done
  rcli CLUSTER INFO | grep -q '^cluster_state:ok' || { echo "cluster_state never ok" >&2; exit 1; }
  prefix='{b}'
fi

echo "server: $(rcli INFO server | grep -E '^(redis_version|sluice_version)' | tr -d '\r' | tr '\n' ' ')pid $server_pid port $port cluster $cluster prefix $prefix"
set +e
(cd "$suite" && REDIS_HOST=127.0.0.1 REDIS_PORT="$port" BULLMQ_TEST_PREFIX="$prefix" \
  npx vitest run --no-file-parallelism "$@") >"$log" 2>&1
rc=$?
set -e
# vitest's verbose reporter marks a failed test with ×; its summary ends the log.
plain="$(sed 's/\x1b\[[0-9;]*m//g' "$log")"
grep -E '^ +× ' <<<"$plain" | sed 's/ [0-9]*ms$//' || true
sed -n '/Test Files /,$p' <<<"$plain"
echo "log: $log"
exit $rc
