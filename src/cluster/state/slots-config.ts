import { CLUSTER_SLOTS } from '../key-slot.js';
import { hasSlot } from '../slot-bitmap.js';
import type { ClusterState } from './cluster-state.js';
import { isMaster, type LiveNode } from './live-node.js';

/**
 * clusterUpdateSlotsConfigWith: `sender` claims `slots` at `senderEpoch`.
 * Each claimed slot that is unowned, or owned at an older config epoch,
 * becomes the sender's (unless this node is importing it). When myself
 * (or my master) loses its last slot to the sender, myself replicates the
 * sender; otherwise the keys of slots myself lost are deleted.
 */
export function updateSlotsConfigWith(state: ClusterState, sender: LiveNode, senderEpoch: bigint, slots: Uint8Array): void {
  const myself = state.myself;
  if (sender === myself) {
    state.host.log.notice('Discarding UPDATE message about myself.');
    return;
  }
  const curMaster = isMaster(myself) ? myself : (myself.master === null ? undefined : state.lookup(myself.master));
  let newMaster: LiveNode | null = null;
  const dirtySlots: number[] = [];
  let senderSlots = 0;
  let migratedOurSlots = 0;
  let changed = false;
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
    // Every PING and PONG whose claim differs comes here: bytes with no slot claimed are passed whole.
    if ((slot & 7) === 0 && slots[slot >> 3] === 0) {
      slot += 7;
      continue;
    }
    if (!hasSlot(slots, slot)) continue;
    senderSlots++;
    const owner = state.owner(slot);
    if (owner === sender) continue;
    if (state.table.importingFrom.has(slot)) continue;
    if (owner !== null && owner.configEpoch >= senderEpoch) continue;
    if (owner === myself && state.host.countKeysInSlot(slot) > 0) dirtySlots.push(slot);
    if (owner !== null && owner === curMaster) {
      newMaster = sender;
      migratedOurSlots++;
    }
    state.delSlot(slot);
    state.addSlot(sender, slot);
    changed = true;
  }
  if (changed) {
    state.later({ saveConfig: true, updateState: true, fsyncConfig: true });
    state.host.slotOwnershipChanged();
  }

  const allowMigration = state.host.settings().allowReplicaMigration;
  if (newMaster !== null && curMaster !== undefined && curMaster.numSlots === 0 && (allowMigration || senderSlots === migratedOurSlots)) {
    state.host.log.notice(`Configuration change detected. Reconfiguring myself as a replica of ${sender.name} (${sender.humanNodename})`);
    state.setMyMaster(sender);
    state.later({ saveConfig: true, updateState: true, fsyncConfig: true });
    return;
  }
  const myMaster = myself.master === null ? undefined : state.lookup(myself.master);
  const grandMaster = myMaster?.master === null || myMaster === undefined ? undefined : state.lookup(myMaster.master);
  if (grandMaster !== undefined && grandMaster !== myself) {
    state.host.log.notice(`I'm a sub-replica! Reconfiguring myself as a replica of grandmaster ${grandMaster.name} (${grandMaster.humanNodename})`);
    state.setMyMaster(grandMaster);
    state.later({ saveConfig: true, updateState: true, fsyncConfig: true });
    return;
  }
  for (const slot of dirtySlots) state.host.deleteKeysInSlot(slot);
}
