/**
 * Byte ranges of an HTTP(S) object with `Range: bytes=a-b` requests (RFC 9110 §14), for the range reader.
 *
 * Never hangs and never takes more than asked: each attempt has an idle time limit (no headers or no body
 * bytes for `timeoutMs` aborts it), the body is read into a buffer of the announced length and a longer
 * body is cut off. A server that ignores Range (200 with the whole object), answers another range or no
 * Content-Range is refused (InvalidInputError 'range_unsupported'); network failures, time-outs, 5xx and
 * bodies cut short are retried, then fail with RemoteReadError. Every message names the URL.
 */
import { InvalidInputError, NotFoundError, RemoteReadError } from '../errors.js';
import type { RangeFetcher } from '../raster/range-reader.js';
import { expectRange, idleTimer, readBodyExactly } from './range-answer.js';

export interface HttpRangeOptions {
  /** Longest wait for the answer's headers or the next body bytes, per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Further attempts after a transient failure. Default 2. */
  retries?: number;
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 2;

/** A URL for messages: without credentials or query (signed URLs carry secrets there). */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

class Transient extends Error {}

/** A fetcher of byte ranges of `url` (http: or https:). */
export function httpRangeFetcher(url: string | URL, options: HttpRangeOptions = {}): RangeFetcher {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new InvalidInputError('argument_invalid', `${displayUrl(target)}: only http: and https: URLs can be read by ranges`, { field: 'url' });
  }
  const where = displayUrl(target);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = options.retries ?? DEFAULT_RETRIES;

  const attempt = async (start: number, end: number): Promise<{ bytes: Uint8Array; size: number }> => {
    const controller = new AbortController();
    const idle = idleTimer(timeoutMs, () => controller.abort());
    idle.arm();
    let response: Response;
    try {
      response = await fetch(target, {
        headers: { ...options.headers, Range: `bytes=${start}-${end - 1}`, 'Accept-Encoding': 'identity' },
        signal: controller.signal,
        redirect: 'follow',
      });
    } catch (error) {
      idle.disarm();
      throw new Transient(idle.fired ? `no answer within ${timeoutMs} ms` : `request failed (${causeOf(error)})`);
    }
    const cancel = () => {
      controller.abort();
    };
    try {
      const status = response.status;
      if (status === 206) {
        const { length, size } = expectRange(where, response.headers.get('content-range'), start, end);
        if (response.body === null) throw new Transient('the answer has no body');
        try {
          return { bytes: await readBodyExactly(response.body, length, where, idle, cancel), size };
        } catch (error) {
          if (error instanceof InvalidInputError) throw error;
          if (error instanceof RemoteReadError) throw new Transient(error.message.slice(where.length + 2));
          throw new Transient(idle.fired ? `no body bytes for ${timeoutMs} ms` : `reading the answer failed (${causeOf(error)})`);
        }
      }
      cancel(); // never read a body we did not ask for (a 200 carries the whole object)
      if (status === 200) {
        throw new InvalidInputError('range_unsupported', `${where}: the server ignored the Range request (HTTP 200 with the whole object instead of 206); shoutu reads remote GeoTIFFs only by byte ranges`, { file: where });
      }
      if (status === 404 || status === 410) throw new NotFoundError(`${where}: not found (HTTP ${status})`, { file: where });
      if (status === 416) {
        throw new InvalidInputError('range_unsupported', `${where}: the server refused the range ${start}-${end - 1} (HTTP 416; is the object empty?)`, { file: where });
      }
      if (status >= 500 || status === 429 || status === 408) throw new Transient(`HTTP ${status}`);
      throw new InvalidInputError('remote_refused', `${where}: HTTP ${status} ${response.statusText}`.trim(), { file: where });
    } finally {
      idle.disarm();
    }
  };

  return {
    location: where,
    async fetch(start, end) {
      let last: Transient | undefined;
      for (let i = 0; i <= retries; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 200 * 4 ** (i - 1)));
        try {
          return await attempt(start, end);
        } catch (error) {
          if (!(error instanceof Transient)) throw error;
          last = error;
        }
      }
      const tries = retries + 1;
      throw new RemoteReadError(`${where}: cannot read bytes ${start}-${end - 1}: ${last!.message}${tries > 1 ? ` (${tries} attempts)` : ''}`, { file: where });
    },
  };
}

function causeOf(error: unknown): string {
  const e = error as { cause?: { code?: string; message?: string }; message?: string };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
