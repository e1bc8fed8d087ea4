import { describe, expect, test } from 'vitest';
import { ConfigError, parseArgs, parseConfigText, parseStartupConfig, resolveConfig } from '../../src/server/config-file.js';
import { REDIS_VERSION } from '../../src/server/version.js';

const HEADER = `*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***`;

/** The settings a file and command line resolve to, read as sluice-server reads them. */
function resolve(file: string, args: string[] = [], includes: Record<string, string> = {}): [string, string][] {
  return resolveConfig(parseStartupConfig(file, '', parseArgs(args), 'f.conf', (p) => includes[p]));
}

describe('redis.conf parsing', () => {
  test('skips comments and blank lines and keeps line numbers', () => {
    const lines = parseConfigText('# a comment\n\n  port 7000\r\n   # indented comment\nLogLevel warning\n', 'x.conf');
    expect(lines.map((l) => [l.args, l.line])).toEqual([
      [['port', '7000'], 3],
      [['loglevel', 'warning'], 5],
    ]);
  });

  test('applies double-quote escapes and single quotes as Redis does', () => {
    const [a, b, c] = parseConfigText('requirepass "a b\\x41\\n"\nrequirepass \'it\\\'s\'\nbind 127.0.0.1 "::1"', 'x.conf');
    expect(a.args).toEqual(['requirepass', 'a bA\n']);
    expect(b.args).toEqual(['requirepass', "it's"]);
    expect(c.args).toEqual(['bind', '127.0.0.1', '::1']);
  });

  test('reports unbalanced quotes with the line, as Redis words it', () => {
    expect(() => parseConfigText('port 1\nrequirepass "open', 'my.conf')).toThrow(
      `${HEADER}\nReading the configuration file, at line 2\n>>> 'requirepass "open'\nUnbalanced quotes in configuration line`,
    );
  });

  test('reads include files in place, numbering their lines on their own', () => {
    const files: Record<string, string> = { 'inc.conf': 'hz 50\n' };
    const lines = parseConfigText('port 1\ninclude inc.conf\nport 2', 'main.conf', (p) => files[p]);
    expect(lines.map((l) => `${l.file}:${l.line} ${l.args.join('=')}`)).toEqual([
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
  test('become config lines appended to the file, values quoted as Redis quotes them', () => {
    const { file, stdin, options } = parseArgs(['--port', '7000', '--bind', '127.0.0.1', '::1', '--requirepass', 'a "b"', '--loglevel', 'debug']);
    expect(file).toBeNull();
    expect(stdin).toBe(false);
    expect(options).toBe('port "7000" \nbind "127.0.0.1" "::1" \nrequirepass "a \\"b\\"" \nloglevel "debug" ');
  });

  test('the first argument may be a config file, and - (first or last) reads standard input too', () => {
    expect(parseArgs(['/etc/sluice.conf', '--port', '1']).file).toBe('/etc/sluice.conf');
    expect(parseArgs(['/etc/sluice.conf', '-']).stdin).toBe(true);
    expect(parseArgs(['-', '--port', '1'])).toEqual({ file: null, stdin: true, options: 'port "1" ', sources: [{ line: 0, args: ['--port', '1'] }] });
  });

  test('an option waiting for its value takes one starting with --; a bare --save means save ""', () => {
    expect(parseArgs(['--requirepass', '--secret--']).options).toBe('requirepass "--secret--" ');
    expect(parseArgs(['--save', '--port', '1']).options).toBe('save ""\nport "1" ');
    expect(parseArgs(['--port', '1', '--save']).options).toBe('port "1" \nsave ""');
  });

  test('a name and its value may come as one argument', () => {
    expect(resolve('', ['--port 7000', '--save', '900 1'])).toEqual([['port', '7000'], ['save', '900 1']]);
  });
});

describe('resolving directives', () => {
  test('the last occurrence of a parameter wins, aliases included; the command line comes last', () => {
    expect(resolve('port 7000\nhash-max-ziplist-entries 10', ['--port', '7001', '--hash-max-listpack-entries', '20'])).toEqual([
      ['port', '7001'],
      ['hash-max-listpack-entries', '20'],
    ]);
  });

  test('save lines add up their points; an empty one clears those before it (the defaults go with the first line)', () => {
    expect(resolve('save 900 1\nsave 300 10\nsave 60 10000')).toEqual([['save', '900 1 300 10 60 10000']]);
    expect(resolve('save 900 1\nsave ""\nsave 5 1')).toEqual([['save', '5 1']]);
    expect(resolve('save 900 1', ['--save', ''])).toEqual([['save', '']]);
    expect(resolve('save 900 1', ['--save'])).toEqual([['save', '']]);
    expect(resolve('save 900 1', ['--save', '7', '2'])).toEqual([['save', '900 1 7 2']]);
    expect(() => resolve('save 900')).toThrow(/Invalid save parameters/);
  });

  test('a parameter of several arguments given as one splits it; others take exactly one', () => {
    expect(resolve('oom-score-adj-values "0 100 900"')).toEqual([['oom-score-adj-values', '0 100 900']]);
    expect(resolve('client-output-buffer-limit pubsub 1mb 0 0')[0][1]).toBe('normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 0 0');
    expect(() => resolve('hz 1 2')).toThrow(`>>> 'hz 1 2'\nwrong number of arguments`);
    expect(() => resolve('port')).toThrow(`>>> 'port'\nwrong number of arguments`);
  });

  test('an unknown directive is reported as Redis reports it, the command line counted after the file', () => {
    expect(() => resolve('port 7000\nappendonlyy yes')).toThrow(ConfigError);
    expect(() => resolve('port 7000\nappendonlyy yes')).toThrow(
      `${HEADER}\nReading the configuration file, at line 2\n>>> 'appendonlyy yes'\nBad directive or wrong number of arguments`,
    );
    // Redis joins the options to the file with a newline: the first option is on the line after the file's last.
    expect(() => resolve('port 7000\n', ['--no-such', 'x'])).toThrow(`at line 3\n>>> 'no-such "x"'\nBad directive`);
    expect(() => resolve('', ['--port', '1', '--no-such', 'x'])).toThrow(`at line 3\n>>> 'no-such "x"'`);
  });

  test('a bad line the command line made is named after the report, with the arguments it came from', () => {
    expect(() => resolve('port 7000\n', ['--port', '6379', '--nosuchopt', '1'])).toThrow(
      `${HEADER}\nReading the configuration file, at line 4\n>>> 'nosuchopt "1"'\nBad directive or wrong number of arguments\n` +
        'The directive came from the command line: --nosuchopt 1',
    );
    // A value refused, arguments quoted as a shell would need them, a name and value given as one argument.
    expect(() => resolve('', ['--requirepass', "it's a secret", '--hz', 'fast'])).toThrow(
      /'hz "fast"'\n.*\nThe directive came from the command line: --hz fast$/,
    );
    expect(() => resolve('', ['--save', '900 1', '--port 70000'])).toThrow(/came from the command line: '--port 70000'$/);
    expect(() => resolve('', ['--bind', '127.0.0.1', '--requirepass', 'a b', '--include', 'x.conf', '--hz', 'x'], { 'x.conf': 'port 1\n' })).toThrow(
      /The directive came from the command line: --hz x$/,
    );
    // A newline in an option's name starts a line of its own; the lines after it still find their arguments.
    expect(() => resolve('', ['--hz 5\nport', '7', '--nosuch', '1'])).toThrow(/at line 4\n>>> 'nosuch "1"'\n.*\nThe directive came from the command line: --nosuch 1$/);
    expect(() => resolve('', ['--hz 5\nport', 'x'])).toThrow(/at line 3\n>>> 'port "x"'\n.*\nThe directive came from the command line: '--hz 5\nport' x$/);
  });

  test('a bad line of the file, or of a file the command line includes, is not said to come from the command line', () => {
    expect(() => resolve('hz 5\nnosuchopt 1\n', ['--port', '1'])).toThrow(/Bad directive or wrong number of arguments$/);
    expect(() => resolve('', ['--include', 'x.conf'], { 'x.conf': 'nosuchopt 1\n' })).toThrow(
      /at line 1\n>>> 'nosuchopt 1'\nBad directive or wrong number of arguments$/,
    );
  });

  test("directives Redis dropped but still skips are accepted with Redis's argument count", () => {
    expect(resolve('list-max-ziplist-entries 512\nlua-replicate-commands yes\nport 1')).toEqual([['port', '1']]);
    expect(() => resolve('list-max-ziplist-value 1 2')).toThrow(/Bad directive/);
  });

  test('repl-backlog-size keeps a small value from the file (CONFIG SET raises it to 16kb, as Redis applies it)', () => {
    expect(resolve('repl-backlog-size 1')).toEqual([['repl-backlog-size', '1']]);
  });

  test("a bad value gives Redis's reason alone", () => {
    expect(() => resolve('', ['--port', 'x'])).toThrow(`>>> 'port "x"'\nargument couldn't be parsed into an integer`);
    expect(() => resolve('', ['--loglevel', 'loud'])).toThrow(
      "\nargument(s) must be one of the following: debug, verbose, notice, warning, nothing",
    );
    expect(() => resolve('maxmemory 1xx')).toThrow("\nargument must be a memory value");
    expect(() => resolve('daemonize maybe')).toThrow("\nargument must be 'yes' or 'no'");
  });
});
