// Writes docs/configuration.md from the parameter table (run through `npm run docs:config`, which builds first).
import { writeFileSync } from 'node:fs';
import { renderConfigurationDoc } from '../dist/server/config-doc.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigurationDoc());
