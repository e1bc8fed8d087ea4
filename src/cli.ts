/**
 * The sluice-server executable (package.json's bin). The process's code is
 * in main/; this entry keeps `dist/cli.js` a path that stays put for the
 * service units, scripts and test harnesses that start it.
 */
import { main } from './main/cli.js';

main(process.argv.slice(2));
