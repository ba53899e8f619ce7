import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook, verifyWebhook, webhookSecretKey, webhookSignature, WebhookSecretError } from './standard-webhooks.js';

// The test vector published with the Standard Webhooks specification.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

/** The same algorithm written independently, in Python's standard library. */
function pythonSignature(secret: string, id: string, timestamp: number, body: string): string {
  const script = [
    'import base64, hashlib, hmac, sys',
    'secret, msg_id, ts, body = sys.argv[1:5]',
    'key = base64.b64decode(secret.split("_", 1)[1])',
    'digest = hmac.new(key, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()',
    'print("v1," + base64.b64encode(digest).decode(), end="")',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script, secret, id, String(timestamp), body], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 is needed for the independent check: ${run.stderr}`);
  return run.stdout;
}

describe('Standard Webhooks signing', () => {
  it('reproduces the specification’s test vector', () => {
    const headers = signWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body);
    expect(headers).toEqual({ 'webhook-id': SPEC.id, 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': SPEC.signature });
  });

  it('agrees with an independent implementation on random secrets, ids and UTF-8 bodies', () => {
    for (let i = 0; i < 5; i++) {
      const secret = generateWebhookSecret();
      const id = `alert-321202-${i}`;
      const body = JSON.stringify({ 图斑编号: `3212022026110${i}`, areaMu: 12.5 * i, 类型: '建设占用' });
      const timestamp = 1_764_000_000 + i * 977;
      expect(signWebhook(secret, id, timestamp, body)['webhook-signature']).toBe(pythonSignature(secret, id, timestamp, body));
    }
  });

  it('signs bytes and strings alike and lists one signature per secret during key rotation', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret(48)];
    const body = '{"x":"耕地"}';
    expect(webhookSignature(a, 'm1', 10, new TextEncoder().encode(body))).toBe(webhookSignature(a, 'm1', 10, body));
    const headers = signWebhook([a, b], 'm1', 10, body);
    expect(headers['webhook-signature'].split(' ')).toEqual([`v1,${webhookSignature(a, 'm1', 10, body)}`, `v1,${webhookSignature(b, 'm1', 10, body)}`]);
  });

  it('rejects malformed secrets, ids and timestamps', () => {
    expect(() => webhookSecretKey('whsec_not base64!')).toThrow(WebhookSecretError);
    expect(() => webhookSecretKey('whsec_')).toThrow(/base64/);
    expect(() => webhookSecretKey('whsec_AAAA')).toThrow(/too short/);
    expect(() => generateWebhookSecret(8)).toThrow(/24–64 bytes/);
    expect(() => signWebhook(SPEC.secret, 'a.b', 1, '')).toThrow(/webhook id/);
    expect(() => signWebhook(SPEC.secret, 'a', 1.5, '')).toThrow(/Unix seconds/);
    expect(() => signWebhook([], 'a', 1, '')).toThrow(/at least one/);
  });
});

describe('verifyWebhook (the receiver helper)', () => {
  const headers = { 'webhook-id': SPEC.id, 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': SPEC.signature };

  it('accepts the specification’s vector at its own time and within five minutes of it', async () => {
    expect(await verifyWebhook(SPEC.secret, headers, SPEC.body, { now: SPEC.timestamp })).toEqual({ ok: true, id: SPEC.id, timestamp: SPEC.timestamp });
    expect((await verifyWebhook(SPEC.secret, headers, SPEC.body, { now: SPEC.timestamp + 300 })).ok).toBe(true);
    expect((await verifyWebhook(SPEC.secret, headers, SPEC.body, { now: SPEC.timestamp - 300 })).ok).toBe(true);
  });

  it('rejects stale and future timestamps', async () => {
    expect(await verifyWebhook(SPEC.secret, headers, SPEC.body, { now: SPEC.timestamp + 301 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(await verifyWebhook(SPEC.secret, headers, SPEC.body, { now: SPEC.timestamp - 301 })).toMatchObject({ ok: false, reason: 'future' });
  });

  it('rejects a changed body, id, timestamp or secret', async () => {
    const now = SPEC.timestamp;
    expect(await verifyWebhook(SPEC.secret, headers, SPEC.body.replace('2432232314', '2432232315'), { now })).toMatchObject({ reason: 'bad_signature' });
    expect(await verifyWebhook(SPEC.secret, { ...headers, 'webhook-id': 'msg_other' }, SPEC.body, { now })).toMatchObject({ reason: 'bad_signature' });
    expect(await verifyWebhook(SPEC.secret, { ...headers, 'webhook-timestamp': String(now + 1) }, SPEC.body, { now })).toMatchObject({ reason: 'bad_signature' });
    expect(await verifyWebhook(generateWebhookSecret(), headers, SPEC.body, { now })).toMatchObject({ reason: 'bad_signature' });
    expect(await verifyWebhook(SPEC.secret, { ...headers, 'webhook-signature': 'v2,' + SPEC.signature.slice(3) }, SPEC.body, { now })).toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects missing headers and non-numeric timestamps with a reason', async () => {
    expect(await verifyWebhook(SPEC.secret, { 'webhook-id': SPEC.id }, SPEC.body, { now: SPEC.timestamp })).toMatchObject({ ok: false, reason: 'missing_header' });
    expect(await verifyWebhook(SPEC.secret, { ...headers, 'webhook-timestamp': '2021-02-25' }, SPEC.body, { now: SPEC.timestamp })).toMatchObject({ reason: 'bad_timestamp' });
  });

  it('matches header names whatever their case, and finds a valid signature among several', async () => {
    const mixed = { 'Webhook-Id': SPEC.id, 'WEBHOOK-TIMESTAMP': String(SPEC.timestamp), 'webhook-signature': `v1,AAAA ${SPEC.signature}` };
    expect((await verifyWebhook(SPEC.secret, mixed, SPEC.body, { now: SPEC.timestamp })).ok).toBe(true);
  });

  it('rejects an exact replay of an accepted delivery but lets the sender’s retry (new timestamp) through', async () => {
    const seen = new Set<string>();
    const store = { add: (key: string) => (seen.has(key) ? false : (seen.add(key), true)) };
    const secret = generateWebhookSecret();
    const body = '{"id":"321202-2026-11-0001"}';
    const first = signWebhook(secret, 'msg_1', 1000, body);
    expect((await verifyWebhook(secret, first, body, { now: 1000, seen: store })).ok).toBe(true);
    expect(await verifyWebhook(secret, first, body, { now: 1010, seen: store })).toMatchObject({ ok: false, reason: 'replayed' });
    const retry = signWebhook(secret, 'msg_1', 1060, body);
    expect(await verifyWebhook(secret, retry, body, { now: 1060, seen: store })).toEqual({ ok: true, id: 'msg_1', timestamp: 1060 });
    // A forgery never enters the store, so it cannot block the real delivery.
    const forged = { ...signWebhook(generateWebhookSecret(), 'msg_2', 2000, body) };
    expect((await verifyWebhook(secret, forged, body, { now: 2000, seen: store })).ok).toBe(false);
    expect((await verifyWebhook(secret, signWebhook(secret, 'msg_2', 2000, body), body, { now: 2000, seen: store })).ok).toBe(true);
  });
});
