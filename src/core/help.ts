import type { Ctx } from './context.js';

/**
 * Redis's addReplyHelp: a heading naming the command as the client typed it
 * (upper-cased), the command's own lines, then the HELP entry, each a
 * simple string.
 */
export function helpReply(c: Ctx, argv: string[], lines: readonly string[]): void {
  const r = c.reply;
  r.array(lines.length + 3);
  r.simple(`${argv[0].toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) r.simple(l);
  r.simple('HELP');
  r.simple('    Print this help.');
}

/** Redis's addReplySubcommandSyntaxError: a known subcommand with the wrong arguments. */
export function subcommandSyntaxError(argv: string[]): string {
  return `ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`;
}
