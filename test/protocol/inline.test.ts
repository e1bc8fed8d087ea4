import { describe, expect, test } from 'vitest';
import { splitInlineArgs, splitUnquotedInline } from '../../src/protocol/inline.js';

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

describe('a line without quotes splits the same on the fast path', () => {
  test('every line drawn from words, blanks, \\v, \\f, CR, backslashes and high bytes', () => {
    const alphabet = ['a', 'B', ' ', '\t', '\v', '\f', '\r', '\\', '\xff', 'xyz'];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let n = 0; n < 2000; n++) {
      let line = '';
      const len = next() % 12;
      for (let i = 0; i < len; i++) line += alphabet[next() % alphabet.length];
      const buf = Buffer.from(`>${line}<`, 'latin1');
      expect(splitUnquotedInline(buf, 1, buf.length - 1), JSON.stringify(line)).toEqual(split(line));
    }
  });

  test('a quote anywhere leaves the line to the full splitter', () => {
    for (const line of ['"a"', "x 'y'", 'a"b c"', 'ECHO "']) {
      expect(splitUnquotedInline(Buffer.from(line, 'latin1'), 0, line.length)).toBeNull();
    }
  });
});
