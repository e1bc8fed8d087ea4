import type { Case } from './case.js';
import { errorCases } from './errors.js';
import { languageCases } from './language.js';
import { numberCases } from './numbers.js';
import { stringCases } from './strings.js';
import { tableCases } from './tables.js';

export const ALL_CASES: Record<string, Case[]> = {
  numbers: numberCases,
  strings: stringCases,
  tables: tableCases,
  language: languageCases,
  errors: errorCases,
};
