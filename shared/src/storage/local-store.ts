import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { InvalidInputError, NotFoundError } from '../errors.js';
import {
  RESERVED_SEGMENT_PREFIX,
  sortKeys,
  toBytes,
  validateKey,
  validatePrefix,
  type BlobStore,
  type PutOptions,
} from './blob-store.js';

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/** Errors meaning "there is no file at this path". */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

/**
 * Blob store on the local file system: key 'a/b.tif' is the file `<root>/a/b.tif`.
 *
 * Writes go to a temp file (`.shoutu-tmp-<random>`) in the target directory, are fsynced and
 * then renamed (put) or hard-linked (putIfAbsent) into place, so a key never shows a partly
 * written file. Temp files are never listed, and keys may not contain such segments.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  /** Absolute root directory (created on demand). */
  readonly root: string;

  constructor(dir: string) {
    this.root = path.resolve(dir);
  }

  describe(key: string): string {
    return this.pathOf(key);
  }

  localPath(key: string): string {
    return this.pathOf(key);
  }

  async put(key: string, body: Uint8Array | string, _options?: PutOptions): Promise<void> {
    const file = this.pathOf(key);
    const bytes = toBytes(body);
    const dir = path.dirname(file);
    await this.makeParents(key, dir);
    const tmp = await this.writeTemp(key, dir, bytes);
    try {
      await fs.rename(tmp, file);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw this.conflictOr(key, error);
    }
    await syncDir(dir);
  }

  async putFile(key: string, localPath: string, _options?: PutOptions): Promise<void> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    await this.makeParents(key, dir);
    const tmp = path.join(dir, `${RESERVED_SEGMENT_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`);
    try {
      await fs.copyFile(localPath, tmp, fs.constants.COPYFILE_EXCL);
      const handle = await fs.open(tmp, 'r+');
      await handle.sync().finally(() => handle.close());
      await fs.rename(tmp, file);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw this.conflictOr(key, error);
    }
    await syncDir(dir);
  }

  async putIfAbsent(key: string, body: Uint8Array | string, _options?: PutOptions): Promise<boolean> {
    const file = this.pathOf(key);
    const bytes = toBytes(body);
    const dir = path.dirname(file);
    // Cheap early exit for the common "already there" case; the link below is what decides.
    if (await this.exists(key)) return false;
    await this.makeParents(key, dir);
    const tmp = await this.writeTemp(key, dir, bytes);
    try {
      // link(2) fails with EEXIST if the target exists, atomically: of concurrent callers
      // exactly one wins, and the winner's file is complete the moment it becomes visible.
      await fs.link(tmp, file);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') {
        const stat = await fs.lstat(file).catch(() => null);
        if (stat !== null && stat.isDirectory()) throw this.conflictOr(key, error);
        return false;
      }
      throw this.conflictOr(key, error);
    } finally {
      await fs.rm(tmp, { force: true });
    }
    await syncDir(dir);
    return true;
  }

  async get(key: string): Promise<Uint8Array> {
    const bytes = await this.getOrNull(key);
    if (bytes === null) {
      throw new NotFoundError(`No object at storage key "${key}" (${this.describe(key)})`, { file: key });
    }
    return bytes;
  }

  async getOrNull(key: string): Promise<Uint8Array | null> {
    const file = this.pathOf(key);
    try {
      const buffer = await fs.readFile(file);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? '')) return null;
      throw error;
    }
  }

  async readRange(key: string, start: number, end: number): Promise<{ bytes: Uint8Array; size: number }> {
    const file = this.pathOf(key);
    let handle;
    try {
      handle = await fs.open(file, 'r');
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? '')) throw new NotFoundError(`No object at storage key "${key}" (${this.describe(key)})`, { file: key });
      throw error;
    }
    try {
      const size = (await handle.stat()).size;
      const from = Math.max(0, Math.min(start, size));
      const out = new Uint8Array(Math.max(0, Math.min(end, size) - from));
      let done = 0;
      while (done < out.byteLength) {
        const { bytesRead } = await handle.read(out, done, out.byteLength - done, from + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return { bytes: done === out.byteLength ? out : out.slice(0, done), size };
    } finally {
      await handle.close();
    }
  }

  async exists(key: string): Promise<boolean> {
    const file = this.pathOf(key);
    try {
      return (await fs.stat(file)).isFile();
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? '')) return false;
      throw error;
    }
  }

  async sizeOf(key: string): Promise<number | null> {
    try {
      const stat = await fs.stat(this.pathOf(key));
      return stat.isFile() ? stat.size : null;
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? '')) return null;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    // Walk from the deepest directory the prefix fully names; filter by the full prefix.
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash === -1 ? '' : prefix.slice(0, slash + 1);
    const keys: string[] = [];
    await this.walk(baseKey, prefix, keys);
    return sortKeys(keys);
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await fs.unlink(file);
    } catch (error) {
      const code = errorCode(error);
      // EISDIR/EPERM: a directory sits at this path, i.e. there is no object with this key.
      if (code !== undefined && (MISSING.has(code) || code === 'EPERM')) {
        if (code === 'EPERM' && !(await isDirectory(file))) throw error;
        return;
      }
      throw error;
    }
    // Empty parent directories are left in place: harmless for list(), and removing them
    // would race with a concurrent put() that has just created them.
  }

  // --- internals -----------------------------------------------------------------------

  private pathOf(key: string): string {
    validateKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  /** `dirKey` is '' or ends with '/'. Appends matching keys to `out`. */
  private async walk(dirKey: string, prefix: string, out: string[]): Promise<void> {
    const dir = path.join(this.root, ...dirKey.split('/').filter((s) => s !== ''));
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (MISSING.has(errorCode(error) ?? '')) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(RESERVED_SEGMENT_PREFIX)) continue;
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        const sub = key + '/';
        // Descend only where keys can still match the prefix.
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) await this.walk(sub, prefix, out);
      } else if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path.join(dir, entry.name))))) {
        if (key.startsWith(prefix)) out.push(key);
      }
    }
  }

  private async makeParents(key: string, dir: string): Promise<void> {
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (error) {
      throw this.conflictOr(key, error);
    }
  }

  /** Writes `bytes` to a fresh temp file in `dir`, fsyncs it and returns its path. */
  private async writeTemp(key: string, dir: string, bytes: Uint8Array): Promise<string> {
    const tmp = path.join(dir, `${RESERVED_SEGMENT_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`);
    let handle;
    try {
      handle = await fs.open(tmp, 'wx', 0o644);
    } catch (error) {
      throw this.conflictOr(key, error);
    }
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
      throw error;
    }
    await handle.close();
    return tmp;
  }

  /**
   * File/directory clashes that S3 would allow (key 'a' next to key 'a/b') cannot be stored
   * locally; report them as a clear input error instead of a raw errno.
   */
  private conflictOr(key: string, error: unknown): unknown {
    const code = errorCode(error);
    if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST' || code === 'ENOTEMPTY') {
      return new InvalidInputError(
        'storage_key_conflict',
        `Storage key "${key}" clashes with an existing object or folder at ${this.describe(key)} ` +
          `(a key cannot be both an object and a prefix of other keys in the local store)`,
        { field: 'key', file: key, cause: error },
      );
    }
    return error;
  }
}

async function syncDir(dir: string): Promise<void> {
  // Persist the directory entry (rename/link) too. Best effort: not every file system
  // allows fsync on a directory handle.
  let handle;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // ignore
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isDirectory();
  } catch {
    return false;
  }
}
