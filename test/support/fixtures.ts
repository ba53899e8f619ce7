import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { defaultParameters, setCurrentMask, type BlobStore } from '@shoutu/shared';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TAIZHOU_EPOCHS = [join(FIXTURES, 'taizhou/2000-03-17'), join(FIXTURES, 'taizhou/2003-02-06')] as const;
export const TAIZHOU_AFTER_BATCH = 'taizhou-2003-02';
export const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

/** Puts the demo farmland and red-line layers into a store as the current masks. */
export async function loadDemoMasks(store: BlobStore): Promise<void> {
  for (const layer of ['farmland', 'redline'] as const) {
    await setCurrentMask(store, layer, new Uint8Array(await readFile(fixture('masks', `${layer}.geojson`))), `fixtures/masks/${layer}.geojson`);
  }
}

export const demoParameters = () => defaultParameters();
