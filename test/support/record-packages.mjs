// Preload (node --import) that records every npm package the process imports by name, one per line, in the
// file named by SHOUTU_RECORD_PACKAGES. Module hooks run in their own thread, so they append to the file.
import { register } from 'node:module';

register('./record-packages-hooks.mjs', import.meta.url);
