/** No option word of any command is longer ("withmatchlen"); longer arguments are never lowercased. */
const LONGEST_OPTION = 12;

/**
 * An option word as Redis compares it, lowercased: Redis matches options as
 * C strings, so a NUL byte ends the word ("NX\0junk" is NX).
 */
export function optionWord(arg: string): string {
  const nul = arg.indexOf('\0');
  const word = nul === -1 ? arg : arg.slice(0, nul);
  return word.length > LONGEST_OPTION ? '' : word.toLowerCase();
}
