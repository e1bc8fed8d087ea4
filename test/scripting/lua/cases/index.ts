import type { Case } from './case.js';
import { bitCases } from './bit.js';
import { cjsonCases } from './cjson.js';
import { cmsgpackCases } from './cmsgpack.js';
import { coroutineCases } from './coroutines.js';
import { errorCases } from './errors.js';
import { keysCases } from './keys.js';
import { languageCases } from './language.js';
import { numberCases } from './numbers.js';
import { stringCases } from './strings.js';
import { structCases } from './struct.js';
import { syntaxCases } from './syntax.js';
import { tableCases } from './tables.js';
import { tailCallCases } from './tail-calls.js';

export const ALL_CASES: Record<string, Case[]> = {
  numbers: numberCases,
  strings: stringCases,
  tables: tableCases,
  language: languageCases,
  errors: errorCases,
  cjson: cjsonCases,
  cmsgpack: cmsgpackCases,
  struct: structCases,
  bit: bitCases,
  syntax: syntaxCases,
  keys: keysCases,
  coroutines: coroutineCases,
  'tail calls': tailCallCases,
};
