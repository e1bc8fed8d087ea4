import type { Command } from '../command-types.js';

/**
 * The commands ACL rules name: the table as it was built, before any
 * rename-command (Redis's orig_commands), so that rules keep their meaning
 * whatever the commands answer to.
 */
export class CommandCatalog {
  private readonly top: ReadonlyMap<string, Command>;

  constructor(commands: ReadonlyMap<string, Command>) {
    this.top = new Map(commands);
  }

  /** "get" or "config|get", case-insensitively; a container alone, or one of its subcommands. */
  lookup(name: string): Command | undefined {
    const parts = name.toLowerCase().split('|');
    if (parts.length > 2) return undefined;
    const cmd = this.top.get(parts[0]);
    if (parts.length === 1 || cmd === undefined) return cmd;
    return cmd.subcommands?.get(parts[1]);
  }

  /** Every command and subcommand, parents first. */
  *all(): IterableIterator<Command> {
    for (const cmd of this.top.values()) {
      yield cmd;
      if (cmd.subcommands !== null) yield* cmd.subcommands.values();
    }
  }
}
