/**
 * Block checks of a local GeoTIFF split between threads (embedded mode's ingest): a file's blocks are cut
 * into equal runs in file order, this thread checks the first and other threads the rest, at once.
 */
import { isInvalidInput } from '../errors.js';
import type { BlockPart } from '../raster/index.js';
import { verifyFileBlocks, type VerifyFile } from './place-scene.js';

/** Checks `part` of the file's blocks in another thread. */
export type VerifyPartElsewhere = (part: BlockPart, path: string, name: string) => Promise<unknown>;

/**
 * A VerifyFile checking `parts` runs of blocks at once: part 0 in this thread, the others through
 * `elsewhere`. Its outcome is a one-thread check's: the failure of the lowest part that fails, which holds
 * the first block in file order that cannot be decoded. A part whose thread fails for another reason than
 * the file (it died) is checked in this thread.
 */
export function verifyInParts(parts: number, elsewhere: VerifyPartElsewhere): VerifyFile {
  return async (path, name) => {
    const checks = Array.from({ length: parts }, (_, index) => {
      const part = { index, of: parts };
      if (index === 0) return verifyFileBlocks(path, name, part);
      return elsewhere(part, path, name).catch((error: unknown) => (isInvalidInput(error) ? Promise.reject(error) : verifyFileBlocks(path, name, part)));
    });
    const failed = (await Promise.allSettled(checks)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
}
