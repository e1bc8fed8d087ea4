import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { renderConfigurationDoc } from '../../src/server/config-doc.js';
import { PARAMETERS } from '../../src/server/config-params.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

test('docs/configuration.md is what `npm run docs:config` generates from the parameter table', () => {
  expect(doc).toBe(renderConfigurationDoc());
});

test('docs/configuration.md has a row for every parameter, saying what Sluice does with it', () => {
  for (const def of PARAMETERS) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${def.name}\``));
    expect(row, def.name).toMatch(/\| (honoured|partly|no effect) \|/);
  }
});
