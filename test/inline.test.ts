import { describe, expect, test } from 'vitest';
import { splitInlineArgs } from '../src/protocol/inline.js';

function split(line: string): string[] | null {
  const args = splitInlineArgs(Buffer.from(line, 'latin1'));
  return args === null ? null : args.map((a) => a.toString('latin1'));
}

describe('inline argument splitting follows sdssplitargs', () => {
  const TABLE: [string, string, string[] | null][] = [
    ['an empty line has no arguments', '', []],
    ['blanks only have no arguments', ' \t\v\f ', []],
    ['words split on spaces and tabs', 'SET  k\tv', ['SET', 'k', 'v']],
    ['leading and trailing blanks are skipped', '\t PING \v', ['PING']],
    ['\\v and \\f do not end a bare word', 'a\vb\fc d', ['a\vb\fc', 'd']],
    ['CR inside a line ends a bare word', 'a\rb', ['a', 'b']],
    ['bytes above 0x7f are kept', 'ECHO \xe9\xff', ['ECHO', '\xe9\xff']],
    ['double quotes keep blanks', 'ECHO "a b  c"', ['ECHO', 'a b  c']],
    ['an empty double-quoted argument', '""', ['']],
    ['\\xHH escapes in either case', '"\\x41\\x6a\\x6A\\x00"', ['Ajj\0']],
    ['an incomplete \\x escape is a literal x', '"\\x4" "\\xg0"', ['x4', 'xg0']],
    ['C escapes', '"\\n\\r\\t\\b\\a"', ['\n\r\t\b\x07']],
    ['any other escaped character stands for itself', '"\\"\\\\\\q\\\'"', ['"\\q\'']],
    ['single quotes keep everything but \\\'', "'a \\n \"b\" \\'c\\''", ['a \\n "b" \'c\'']],
    ['a backslash before anything else in single quotes is kept', "'a\\b'", ['a\\b']],
    ['an empty single-quoted argument', "''", ['']],
    ['a bare word runs into a quoted part', 'a"b c"d', null],
    ['a bare prefix joins a quoted part that ends the word', 'a"b c"', ['ab c']],
    ['a closing double quote may be followed by a blank or the end', '"a"\t"b"', ['a', 'b']],
    ['a closing double quote followed by \\v is fine', '"a"\vb', ['a', 'b']],
    ['a closing double quote followed by a character is an error', '"a"b', null],
    ['a closing single quote followed by a character is an error', "'a'b", null],
    ['an unterminated double quote is an error', '"abc', null],
    ['an unterminated single quote is an error', "'abc", null],
    ['a trailing backslash leaves the double quote open', '"abc\\', null],
    ['an escaped closing single quote leaves it open', "'abc\\'", null],
  ];
  for (const [name, line, expected] of TABLE) {
    test(name, () => expect(split(line)).toEqual(expected));
  }
});
