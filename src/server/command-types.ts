import type { Command as ContextCommand, CommandSpec as ContextSpec } from '../core/command.js';
import type { Client } from './client.js';

/** A command as the server runs it: with its full client state, which every family's context is part of. */
export type Command = ContextCommand<Client>;
export type CommandSpec = ContextSpec<Client>;
