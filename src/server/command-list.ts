import type { CommandSpec } from './command-types.js';
import { connectionCommands } from './commands/connection.js';
import { transactionCommands } from './commands/transactions.js';
import { clientCommands } from './commands/client.js';
import { debugCommands } from './commands/debug.js';
import { slowlogCommands } from './commands/slowlog.js';
import { serverMiscCommands } from './commands/server-misc.js';
import { lolwutCommands } from './commands/lolwut.js';
import { flushCommands } from '../store/keys/flush-commands.js';
import { stringCommands } from '../store/string/string-commands.js';
import { keyCommands } from '../store/keys/key-commands.js';
import { expireCommands } from '../store/keys/expire-commands.js';
import { scanCommands } from '../store/keys/scan-commands.js';
import { objectCommands } from '../store/keys/object-commands.js';
import { memoryCommands } from './commands/memory.js';
import { moduleCommands } from './commands/module.js';
import { latencyCommands } from './commands/latency.js';
import { waitCommands } from './commands/wait.js';
import { replicationCommands } from './commands/replication.js';
import { clusterCommands } from './commands/cluster.js';
import { withClientFlagCommands } from './cluster/client-flag-commands.js';
import { configCommands } from './commands/config.js';
import { aclCommands } from './acl/acl-commands.js';
import { infoCommands } from './commands/info.js';
import { commandCommands } from './commands/command.js';
import { listCommands } from '../queues/list/list-commands.js';
import { zsetCommands } from '../store/zset/zset-commands.js';
import { setCommands } from '../store/set/set-commands.js';
import { hashCommands } from '../store/hash/hash-commands.js';
import { streamCommands } from '../queues/stream/stream-commands.js';
import { bitmapCommands } from '../store/bitmap/bitmap-commands.js';
import { hllCommands } from '../store/hll/hll-commands.js';
import { sortCommands } from '../store/sort/sort-commands.js';
import { geoCommands } from '../store/geo/geo-commands.js';
import type { Broker } from '../broker/broker.js';
import { pubsubCommands } from '../broker/commands.js';
import { persistenceCommands } from '../persistence/commands.js';
import { dumpCommands } from '../persistence/rdb/dump-commands.js';
import { migrateCommands } from '../persistence/migrate/migrate-command.js';
import { migrateTls } from './tls/tls-settings.js';
import type { Persistence } from '../persistence/persistence.js';
import type { Client } from './client.js';
import { evalCommands } from '../scripting/eval-commands.js';
import { functionCommands } from '../scripting/function-commands.js';
import type { Scripting } from '../scripting/scripting.js';

/**
 * Every command Sluice implements: each family declares its own, this joins
 * them. Families that own a part of the server (the broker, persistence)
 * declare theirs bound to that part.
 */
export function commandList(broker: Broker<Client>, persistence: Persistence<Client>, scripting: Scripting): readonly CommandSpec[] {
  return [
    ...connectionCommands,
    ...transactionCommands,
    ...clientCommands,
    ...debugCommands,
    ...slowlogCommands,
    ...serverMiscCommands,
    ...lolwutCommands,
    ...flushCommands,
    ...stringCommands,
    ...keyCommands,
    ...expireCommands,
    ...scanCommands,
    ...objectCommands,
    ...memoryCommands,
    ...moduleCommands,
    ...latencyCommands,
    ...waitCommands,
    ...replicationCommands,
    ...withClientFlagCommands(clusterCommands),
    ...configCommands,
    ...aclCommands,
    ...infoCommands,
    ...commandCommands,
    ...listCommands,
    ...zsetCommands,
    ...setCommands,
    ...hashCommands,
    ...streamCommands,
    ...bitmapCommands,
    ...hllCommands,
    ...sortCommands,
    ...evalCommands(scripting),
    ...geoCommands,
    ...functionCommands(scripting),
    ...pubsubCommands(broker),
    ...persistenceCommands(persistence),
    ...dumpCommands,
    ...migrateCommands({ tls: migrateTls }),
  ];
}
