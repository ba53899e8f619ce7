import { InvalidInputError } from '../errors.js';

/** Options accepted by the write methods. */
export interface PutOptions {
  /** MIME type recorded with the object (S3 Content-Type; ignored by the local store). */
  contentType?: string;
}

/**
 * A flat key → bytes store. Keys are '/'-separated relative paths (see `validateKey`).
 * Two implementations: the local file system (embedded mode) and S3 (service mode).
 */
export interface BlobStore {
  /** 'local' or 's3' */
  readonly kind: 'local' | 's3';
  /**
   * Writes the object atomically: readers see either the old or the new content, never a
   * half-written object. Creates parent folders (local).
   */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void>;
  /**
   * Writes only if the key does not exist yet; returns true if written, false if it existed
   * (content untouched). For write-once objects (evidence).
   */
  putIfAbsent(key: string, body: Uint8Array | string, options?: PutOptions): Promise<boolean>;
  /**
   * Stores a local file's content under `key` without reading it into memory (uploads of large
   * scenes), atomically like put. The local file is left in place.
   */
  putFile(key: string, localPath: string, options?: PutOptions): Promise<void>;
  /** Whole object. Throws NotFoundError (message naming the key and location) if missing. */
  get(key: string): Promise<Uint8Array>;
  /** Whole object, or null if missing. */
  getOrNull(key: string): Promise<Uint8Array | null>;
  /**
   * Bytes [start, end) of the object (fewer only when `end` lies past its end) and its total size, without
   * reading the rest: for opening large GeoTIFFs by ranges. Throws NotFoundError if missing.
   */
  readRange(key: string, start: number, end: number): Promise<{ bytes: Uint8Array; size: number }>;
  exists(key: string): Promise<boolean>;
  /** Size in bytes of the object, or null if missing (without reading it). */
  sizeOf(key: string): Promise<number | null>;
  /**
   * All keys under the prefix (a plain string prefix, usually ending in '/'; '' lists
   * everything), sorted in byte (UTF-8) order, complete. Empty array if none.
   */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Human-readable location of a key for messages: absolute file path, or s3://bucket/prefix/key. */
  describe(key: string): string;
  /** Absolute local path for the key when the store is on the local file system, else null. */
  localPath(key: string): string | null;
}

/**
 * Segment prefix reserved for the local store's in-flight temporary files. Keys may not use
 * it so that temp files can never be mistaken for (or collide with) objects, in either store.
 */
export const RESERVED_SEGMENT_PREFIX = '.shoutu-tmp-';

/** Longest key accepted, in UTF-8 bytes (the S3 limit). */
export const MAX_KEY_BYTES = 1024;

// C0 control characters (includes NUL) and DEL: not representable in S3 list XML, and
// nothing but trouble in file names and log lines.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function invalidKey(key: unknown, reason: string): InvalidInputError {
  const shown = typeof key === 'string' ? JSON.stringify(key) : String(key);
  return new InvalidInputError('storage_key_invalid', `Invalid storage key ${shown}: ${reason}`, {
    field: 'key',
  });
}

function checkSegment(key: unknown, segment: string): void {
  if (segment === '') throw invalidKey(key, 'empty path segments are not allowed');
  if (segment === '.' || segment === '..') {
    throw invalidKey(key, `'${segment}' path segments are not allowed`);
  }
  if (segment.startsWith(RESERVED_SEGMENT_PREFIX)) {
    throw invalidKey(key, `segments starting with '${RESERVED_SEGMENT_PREFIX}' are reserved`);
  }
}

function checkCharacters(key: unknown, value: string): void {
  if (value.includes('\\')) throw invalidKey(key, 'backslashes are not allowed (use /)');
  if (CONTROL_CHARS.test(value)) throw invalidKey(key, 'NUL and control characters are not allowed');
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) {
    throw invalidKey(key, `longer than ${MAX_KEY_BYTES} UTF-8 bytes`);
  }
}

/**
 * Throws InvalidInputError('storage_key_invalid', …, { field: 'key' }) unless `key` is a
 * non-empty, relative, '/'-separated path without empty, '.' or '..' segments, backslashes,
 * NUL or other control characters.
 */
export function validateKey(key: string): void {
  if (typeof key !== 'string') throw invalidKey(key, 'must be a string');
  if (key === '') throw invalidKey(key, 'must not be empty');
  if (key.startsWith('/')) throw invalidKey(key, 'must be relative (no leading /)');
  checkCharacters(key, key);
  for (const segment of key.split('/')) checkSegment(key, segment);
}

/**
 * Validates a list prefix. '' is allowed (everything). A prefix ending in '/' must be a valid
 * key plus '/'; otherwise its last segment may be partial (e.g. 'tiles/2024' matches
 * 'tiles/2024-05/…'), so only its characters are checked.
 */
export function validatePrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw invalidKey(prefix, 'prefix must be a string');
  if (prefix === '') return;
  if (prefix.startsWith('/')) throw invalidKey(prefix, 'must be relative (no leading /)');
  checkCharacters(prefix, prefix);
  const segments = prefix.split('/');
  const last = segments.pop() as string;
  for (const segment of segments) checkSegment(prefix, segment);
  if (last.startsWith(RESERVED_SEGMENT_PREFIX)) {
    throw invalidKey(prefix, `segments starting with '${RESERVED_SEGMENT_PREFIX}' are reserved`);
  }
}

/** Compares two strings by their UTF-8 bytes (S3 list order), not by UTF-16 code units. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Sorts keys in place in byte order and returns the array. */
export function sortKeys(keys: string[]): string[] {
  // Decorate once instead of encoding inside the comparator (lists can be long).
  const decorated = keys.map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }));
  decorated.sort((x, y) => Buffer.compare(x.bytes, y.bytes));
  for (let i = 0; i < decorated.length; i++) keys[i] = decorated[i].key;
  return keys;
}

/** Body as bytes (strings are encoded as UTF-8). */
export function toBytes(body: Uint8Array | string): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  throw new InvalidInputError('storage_body_invalid', 'Object body must be a Uint8Array or a string', {
    field: 'body',
  });
}
