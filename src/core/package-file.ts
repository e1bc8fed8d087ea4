import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * A file of the Sluice package by its path from the package's root, such
 * as `dist/console/web/`: a module finds it the same way whether it runs
 * from the bundle (dist/bundle/), from tsc's tree of files (dist/) or from
 * its TypeScript source (the tests). The root is the nearest folder above
 * this module holding a package.json.
 */
export function packageFile(relative: string): string {
  if (root === undefined) {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    root = dir;
  }
  return path.join(root, relative);
}
