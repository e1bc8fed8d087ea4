import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
/** A full collection, for tests that read what the heap or the finalizers hold once garbage is gone. */
export const gc = vm.runInNewContext('gc') as () => void;
