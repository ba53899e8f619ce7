/**
 * Webhook signing and verification after the Standard Webhooks specification
 * (https://www.standardwebhooks.com, spec/standard-webhooks.md): every delivery carries
 *   webhook-id         the message id, the same on every retry (receivers de-duplicate by it);
 *   webhook-timestamp  integer Unix seconds of this attempt;
 *   webhook-signature  space-separated "v1,<base64 HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)>".
 * Secrets are shown as "whsec_" + base64 of 24–64 random bytes; the HMAC key is the decoded bytes.
 *
 * `verifyWebhook` is the receiver helper shoutu ships for its users: it checks the signature in
 * constant time, rejects timestamps more than five minutes away from the receiver's clock (stale or
 * replayed captures), and, given a store of seen deliveries, rejects an exact replay inside that window.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** Default tolerance between the sender's timestamp and the receiver's clock, in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class WebhookSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

/** A new endpoint secret in the specification's format. */
export function generateWebhookSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new WebhookSecretError(`secret length must be ${MIN_SECRET_BYTES}–${MAX_SECRET_BYTES} bytes, got ${bytes}`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** The HMAC key of a "whsec_…" secret (the prefix is optional, as receivers meet both forms). */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new WebhookSecretError('webhook secret must be "whsec_" followed by base64');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES / 2) throw new WebhookSecretError(`webhook secret is too short (${key.length} bytes)`);
  return key;
}

/** Base64 HMAC-SHA256 over `${id}.${timestamp}.${body}`. */
export function webhookSignature(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', webhookSecretKey(secret));
  hmac.update(`${id}.${timestamp}.`);
  hmac.update(body);
  return hmac.digest('base64');
}

// A type alias (not an interface) so it is assignable to the plain header records verifyWebhook takes.
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * Headers for one delivery attempt. `id` must be the same on every attempt of a message;
 * `timestamp` (Unix seconds) is the attempt's own. Several secrets (key rotation) give several
 * signatures, any of which verifies.
 */
export function signWebhook(secrets: string | readonly string[], id: string, timestamp: number, body: string | Uint8Array): WebhookHeaders {
  if (id.length === 0 || /[\s.]/.test(id)) throw new Error('webhook id must be non-empty, without whitespace or "."');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error(`webhook timestamp must be whole Unix seconds, got ${timestamp}`);
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new WebhookSecretError('at least one webhook secret is needed');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': list.map((s) => `v1,${webhookSignature(s, id, timestamp, body)}`).join(' '),
  };
}

/**
 * Remembers accepted deliveries for at least twice the tolerance window (a Set, Redis SET NX EX, a
 * table …). The key is `${id}.${timestamp}`: a captured request sent again has both, whereas the sender's
 * own retry of the same message has a new timestamp and passes (de-duplicate processing by webhook-id).
 */
export interface SeenDeliveries {
  /** Records `key`; resolves false when it was already there. */
  add(key: string): boolean | Promise<boolean>;
}

export type WebhookRejection = 'missing_header' | 'bad_timestamp' | 'stale' | 'future' | 'bad_signature' | 'replayed';

export type WebhookVerdict = { ok: true; id: string; timestamp: number } | { ok: false; reason: WebhookRejection; message: string };

export interface VerifyOptions {
  /** The receiver's clock in Unix seconds (default: now). */
  now?: number;
  toleranceSeconds?: number;
  seen?: SeenDeliveries;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const direct = headers[name] ?? headers[name.toLowerCase()];
  const value = direct ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a received delivery. `body` must be the raw request body, byte for byte (not re-serialised
 * JSON). Header names are matched case-insensitively (Node lower-cases them already).
 */
export async function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): Promise<WebhookVerdict> {
  const id = header(headers, 'webhook-id');
  const stamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !stamp || !signatures) {
    return { ok: false, reason: 'missing_header', message: 'webhook-id, webhook-timestamp and webhook-signature are required' };
  }
  if (!/^\d{1,12}$/.test(stamp)) return { ok: false, reason: 'bad_timestamp', message: `webhook-timestamp "${stamp}" is not Unix seconds` };
  const timestamp = Number(stamp);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (timestamp < now - tolerance) return { ok: false, reason: 'stale', message: `webhook-timestamp is ${now - timestamp} s old (limit ${tolerance} s)` };
  if (timestamp > now + tolerance) return { ok: false, reason: 'future', message: `webhook-timestamp is ${timestamp - now} s ahead (limit ${tolerance} s)` };
  const expected = Buffer.from(webhookSignature(secret, id, timestamp, body), 'base64');
  const match = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!match) return { ok: false, reason: 'bad_signature', message: 'no v1 signature matches the body' };
  // Only a verified delivery may enter the store, so forgeries cannot block real ones.
  if (options.seen && !(await options.seen.add(`${id}.${timestamp}`))) {
    return { ok: false, reason: 'replayed', message: `delivery ${id} at ${timestamp} was already accepted` };
  }
  return { ok: true, id, timestamp };
}
