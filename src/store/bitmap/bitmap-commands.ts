import type { CommandSpec, KeyFlag, KeyRef } from '../../core/command.js';
import { optionWord } from '../../core/options.js';
import { bitcount, bitpos } from './bit-count.js';
import { bitop } from './bit-op.js';
import { bitfield, bitfieldRo } from './bitfield.js';
import { getbit, setbit } from './bits.js';

const READ: readonly KeyFlag[] = ['RO', 'access'];
const WRITE: readonly KeyFlag[] = ['RW', 'access', 'update'];

/**
 * BITFIELD's key is read-only when the line has only GETs (Redis's
 * bitfieldGetKeys): the scan stops at the first SET or INCRBY, and
 * anything it does not understand counts as a write.
 */
function bitfieldKeys(argv: string[]): KeyRef[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const left = argv.length - i - 1;
    const word = optionWord(argv[i]);
    if (word === 'get' && left >= 2) {
      i += 2;
    } else if (word === 'overflow' && left >= 1) {
      i += 1;
    } else {
      readonly = false;
      break;
    }
  }
  return [{ pos: 1, flags: readonly ? READ : WRITE }];
}

const BITMAP = { acl: ['bitmap'], group: 'bitmap' } as const;
const UNIT_HISTORY = [['7.0.0', 'Added the `BYTE|BIT` option.']] as const;
const FIELD = 'encoding offset:integer';

export const bitmapCommands: CommandSpec[] = [
  {
    ...BITMAP, name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keySpecs: ['RW access update: index 1, range 0'],
    args: 'key:key offset:integer value:integer', since: '2.2.0',
    summary: "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.",
    complexity: 'O(1)', handler: setbit,
  },
  {
    ...BITMAP, name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key offset:integer', since: '2.2.0', summary: 'Returns a bit value by offset.', complexity: 'O(1)',
    handler: getbit,
  },
  {
    ...BITMAP, name: 'bitcount', arity: -2, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key [range{start:integer end:integer [unit(BYTE | BIT) @7.0.0]}]', since: '2.6.0',
    summary: 'Counts the number of set bits (population counting) in a string.', complexity: 'O(N)',
    history: UNIT_HISTORY, handler: bitcount,
  },
  {
    ...BITMAP, name: 'bitpos', arity: -3, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key bit:integer [range{start:integer [end-unit-block{end:integer [unit(BYTE | BIT) @7.0.0]}]}]',
    since: '2.8.7', summary: 'Finds the first set (1) or clear (0) bit in a string.', complexity: 'O(N)',
    history: UNIT_HISTORY, handler: bitpos,
  },
  {
    ...BITMAP, name: 'bitop', arity: -4, flags: ['write', 'denyoom'],
    keySpecs: ['OW update: index 2, range 0', 'RO access: index 3, range -1'],
    args: 'operation(AND | OR | XOR | NOT) destkey:key key:key#1...', since: '2.6.0',
    summary: 'Performs bitwise operations on multiple strings, and stores the result.', complexity: 'O(N)',
    handler: bitop,
  },
  {
    ...BITMAP, name: 'bitfield', arity: -2, flags: ['write', 'denyoom'],
    keySpecs: [{
      spec: 'RW access update variable_flags: index 1, range 0',
      notes: 'This command allows both access and modification of the key',
    }],
    getKeys: bitfieldKeys,
    args: `key:key [operation(GET get-block{${FIELD}} | write{[OVERFLOW overflow-block(WRAP | SAT | FAIL)] `
      + `write-operation(SET set-block{${FIELD} value:integer} | INCRBY incrby-block{${FIELD} increment:integer})})...]`,
    since: '3.2.0', summary: 'Performs arbitrary bitfield integer operations on strings.',
    complexity: 'O(1) for each subcommand specified', handler: bitfield,
  },
  {
    ...BITMAP, name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keySpecs: ['RO access: index 1, range 0'],
    args: `key:key [GET get-block{${FIELD}}... +]`, since: '6.0.0',
    summary: 'Performs arbitrary read-only bitfield integer operations on strings.',
    complexity: 'O(1) for each subcommand specified', handler: bitfieldRo,
  },
];
