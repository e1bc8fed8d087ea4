import { describe, expect, test } from 'vitest';
import { ConfigError, parseArgs, parseConfigText, resolveConfig } from '../../src/server/config-file.js';

describe('redis.conf parsing', () => {
  test('skips comments and blank lines and keeps line numbers', () => {
    const lines = parseConfigText('# a comment\n\n  port 7000\r\n   # indented comment\nLogLevel warning\n', 'x.conf');
    expect(lines.map((l) => [l.name, l.value, l.file, l.line])).toEqual([
      ['port', '7000', 'x.conf', 3],
      ['loglevel', 'warning', 'x.conf', 5],
    ]);
  });

  test('applies double-quote escapes and single quotes as Redis does', () => {
    const [a, b, c] = parseConfigText('requirepass "a b\\x41\\n"\nrequirepass \'it\\\'s\'\nbind 127.0.0.1 "::1"', 'x.conf');
    expect(a.value).toBe('a bA\n');
    expect(b.value).toBe("it's");
    expect(c.value).toBe('127.0.0.1 ::1');
  });

  test('reports unbalanced quotes with the file and line', () => {
    expect(() => parseConfigText('port 1\nrequirepass "open', 'my.conf')).toThrow(
      /configuration file my\.conf, at line 2\n>>> 'requirepass "open'\nUnbalanced quotes/,
    );
  });

  test('reads include files in place', () => {
    const files: Record<string, string> = { 'inc.conf': 'hz 50\n' };
    const lines = parseConfigText('port 1\ninclude inc.conf\nport 2', 'main.conf', (p) => files[p]);
    expect(lines.map((l) => `${l.file}:${l.line} ${l.name}=${l.value}`)).toEqual([
      'main.conf:1 port=1',
      'inc.conf:1 hz=50',
      'main.conf:3 port=2',
    ]);
  });

  test('stops an include loop', () => {
    expect(() => parseConfigText('include self.conf', 'self.conf', () => 'include self.conf')).toThrow(/nested more than/);
  });
});

describe('command-line arguments', () => {
  test('an option takes every value up to the next option', () => {
    const { file, lines } = parseArgs(['--port', '7000', '--bind', '127.0.0.1', '::1', '--save', '', '--loglevel', 'debug']);
    expect(file).toBeNull();
    expect(lines.map((l) => [l.name, l.value])).toEqual([
      ['port', '7000'],
      ['bind', '127.0.0.1 ::1'],
      ['save', ''],
      ['loglevel', 'debug'],
    ]);
  });

  test('only the first argument may be a config file', () => {
    expect(parseArgs(['/etc/sluice.conf', '--port', '1']).file).toBe('/etc/sluice.conf');
    expect(() => parseArgs(['--port', '1', '--', 'x'])).toThrow(/Unexpected argument '--'/);
  });
});

describe('resolving directives', () => {
  test('the last occurrence of a parameter wins, aliases included', () => {
    const lines = [
      ...parseConfigText('port 7000\nhash-max-ziplist-entries 10', 'f.conf'),
      ...parseArgs(['--port', '7001', '--hash-max-listpack-entries', '20']).lines,
    ];
    expect(resolveConfig(lines)).toEqual([
      ['port', '7001'],
      ['hash-max-listpack-entries', '20'],
    ]);
  });

  test('save lines add up their points; an empty one clears those before it (the defaults go with the first line)', () => {
    const resolve = (text: string, args: string[] = []) =>
      resolveConfig([...parseConfigText(text, 'f.conf'), ...parseArgs(args).lines]);
    expect(resolve('save 900 1\nsave 300 10\nsave 60 10000')).toEqual([['save', '900 1 300 10 60 10000']]);
    expect(resolve('save 900 1\nsave ""\nsave 5 1')).toEqual([['save', '5 1']]);
    expect(resolve('save 900 1', ['--save', ''])).toEqual([['save', '']]);
    expect(resolve('save 900 1', ['--save', '7', '2'])).toEqual([['save', '900 1 7 2']]);
    expect(() => resolve('save 900')).toThrow(/Invalid save parameters/);
  });

  test('an unknown directive names itself and its line', () => {
    const lines = parseConfigText('port 7000\nappendonlyy yes', 'f.conf');
    expect(() => resolveConfig(lines)).toThrow(ConfigError);
    expect(() => resolveConfig(lines)).toThrow("Reading the configuration file f.conf, at line 2\n>>> 'appendonlyy yes'\nBad directive or wrong number of arguments: unknown option 'appendonlyy'");
  });

  test('a bad value gives the reason Redis gives', () => {
    expect(() => resolveConfig(parseArgs(['--port', 'x']).lines)).toThrow(
      "Reading the command line\n>>> '--port x'\nBad value for 'port': argument couldn't be parsed into an integer",
    );
    expect(() => resolveConfig(parseArgs(['--loglevel', 'loud']).lines)).toThrow(
      "Bad value for 'loglevel': argument(s) must be one of the following: debug, verbose, notice, warning, nothing",
    );
  });
});
