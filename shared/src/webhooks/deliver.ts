/**
 * One delivery attempt: POST the body with Standard Webhooks headers (same webhook-id on every attempt,
 * this attempt's timestamp and signature), through the outbound address guard, with a time limit.
 * Outcome: delivered (2xx), gone (410: the receiver asks to stop), refused (address not allowed:
 * retrying cannot help) or failed (anything else: retry).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, OutboundAddressError, type OutboundPolicy } from './outbound-address.js';
import { signWebhook } from './standard-webhooks.js';

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: 410 }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string };

export interface DeliveryRequest {
  url: string;
  secret: string;
  messageId: string;
  body: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
}

export interface DeliveryOptions {
  policy: OutboundPolicy;
  timeoutMs: number;
  userAgent?: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

export function deliverWebhook(delivery: DeliveryRequest, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const url = new URL(delivery.url);
  const headers = {
    ...signWebhook(delivery.secret, delivery.messageId, delivery.timestamp, delivery.body),
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(delivery.body)),
    'user-agent': options.userAgent ?? 'shoutu-webhooks',
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: DeliveryOutcome) => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    const req = send(url, { method: 'POST', headers, lookup: guardedLookup(options.policy), timeout: options.timeoutMs }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) res.destroy(); // only the status matters
      });
      res.on('close', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) finish({ kind: 'delivered', status });
        else if (status === 410) finish({ kind: 'gone', status: 410 });
        else finish({ kind: 'failed', reason: `HTTP ${status}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (error) => {
      if (error instanceof OutboundAddressError) finish({ kind: 'refused', reason: error.message });
      else finish({ kind: 'failed', reason: error.message });
    });
    req.end(delivery.body);
  });
}
