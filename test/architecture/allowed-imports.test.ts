import path from 'node:path';
import { RuleTester, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, it } from 'vitest';
import { allowedImports } from '../../scripts/lint/allowed-imports.mjs';

/**
 * The rule `npm run lint` applies to src/ with the allowed edges of
 * eslint.config.mjs; here it runs on a small tree of its own, so that what
 * it accepts and refuses is stated apart from today's code.
 */
// The hooks RuleTester runs its cases with; its typings name describe and it but not afterAll.
(RuleTester as unknown as { afterAll: typeof afterAll }).afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;

const ROOT = path.resolve(import.meta.dirname, '../../src');
const options = [{
  root: ROOT,
  elements: {
    protocol: [],
    core: ['protocol'],
    store: ['protocol', 'core'],
    'store/sort': ['protocol', 'core', 'store'],
    server: ['protocol', 'core', 'store', 'store/sort'],
  },
}];
const at = (rel: string) => path.join(ROOT, rel);

// The rule is plain JavaScript: its inferred meta is wider than ESLint's RuleModule type.
new RuleTester({ languageOptions: { parser: tseslint.parser } }).run('allowed-imports', allowedImports as unknown as Rule.RuleModule, {
  valid: [
    { name: 'an allowed edge', filename: at('store/hash/h.ts'), code: "import { a } from '../../core/a.js';", options },
    { name: 'within one folder and its sub-folders', filename: at('store/hash/h.ts'), code: "import { s } from '../set/s.js';", options },
    { name: 'a sub-folder element with edges of its own', filename: at('store/sort/s.ts'), code: "import { h } from '../hash/h.js';", options },
    { name: 'packages are not the rule’s business', filename: at('core/c.ts'), code: "import pino from 'pino';", options },
  ],
  invalid: [
    {
      name: 'an import up a layer',
      filename: at('store/string/x.ts'),
      code: "import { Client } from '../../server/client.js';",
      options,
      errors: [{ message: "store may not import server ('../../server/client.js'); store may import: protocol, core" }],
    },
    {
      name: 'type-only imports and re-exports count',
      filename: at('protocol/p.ts'),
      code: "import type { X } from '../core/x.js';\nexport { y } from '../core/y.js';\nexport * from '../store/z.js';",
      options,
      errors: [{ messageId: 'forbidden' }, { messageId: 'forbidden' }, { messageId: 'forbidden' }],
    },
    {
      name: 'a literal dynamic import counts',
      filename: at('core/c.ts'),
      code: "export const m = await import('../server/server.js');",
      options,
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'a folder may not reach a sibling’s sub-folder element it does not list',
      filename: at('store/hash/h.ts'),
      code: "import { s } from '../sort/s.js';",
      options,
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'a folder missing from the list',
      filename: at('newfolder/n.ts'),
      code: 'export const n = 1;',
      options,
      errors: [{ messageId: 'unplaced' }],
    },
  ],
});
