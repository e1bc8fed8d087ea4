/** Sources nested near and past Lua's 200 syntax levels, for the tests of how deep a chunk may be. */

/** Expressions nested along one path, mixing what Lua's parser counts and what tooDeepAt counts: brackets, blocks, unary and right-associative chains, chains left pending by a statement before call statements. */
export function nested(seed: number): string {
  let s = seed;
  const pick = <T>(a: readonly T[]): T => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return a[(s >> 16) % a.length];
  };
  const before = () => pick(['', 'x = -a ', 'x = -a .. -b f() ', 'y = not c g() h() ', 'repeat until -q ']);
  const wraps: ((x: string) => string)[] = [
    (x) => `(${x})`,
    (x) => `- ${x}`,
    (x) => `not ${x}`,
    (x) => `a .. ${x}`,
    (x) => `a ^ ${x}`,
    (x) => `f(1, ${x})`,
    (x) => `{k = ${x}}`,
    (x) => `{[${x}] = 1}`,
    (x) => `t[${x}]`,
    (x) => `-a .. -b == ${x}`,
    (x) => `a + ${x}`,
    (x) => `( --[[ ( ]] ${x})`,
    (x) => `function() ${before()}return ${x} end`,
    (x) => `function() ${before()}while true do ${before()}v = ${x} end end`,
    (x) => `function() ${before()}repeat ${before()}v = ${x} until 1 end`,
    (x) => `-a .. function() ${before()}v = -b .. ${x} end`,
  ];
  let x = pick(['1', 'a', '"s"']);
  const levels = 60 + ((s >> 16) % 160);
  for (let k = 0; k < levels; k++) x = pick(wraps)(x);
  return `${before()}v = ${x}`;
}


/** Shapes whose depth tooDeepAt overcounts or undercounts from the tree, at 60 to 120 repetitions. */
export function nearLimit(): string[] {
  const sources: string[] = [];
  for (let k = 60; k <= 120; k += 3) {
    sources.push(
      `x = ${'('.repeat(2 * k)}1${')'.repeat(2 * k)}`,
      `x = ${'-a .. -b == '.repeat(k)}c`,
      `x = ${'-a .. '.repeat(k)}b f() g "s" ${'('.repeat(k + 40)}h${')'.repeat(k + 40)}()`,
      `x = ${'- '.repeat(k - 20)}a f() g(${'('.repeat(219 - k)}h${')'.repeat(219 - k)})`,
      `x = ${'not '.repeat(k)}b repeat until ${'- '.repeat(k)}c function m() ${'do '.repeat(k >> 1)}${'end '.repeat(k >> 1)}end`,
    );
  }
  return sources;
}
