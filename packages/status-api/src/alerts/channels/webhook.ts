/**
 * Generic webhook: a JSON POST signed with HMAC-SHA256 over `<timestamp>.<body>`
 * (`X-Authlens-Signature: sha256=<hex>`, `X-Authlens-Timestamp: <unix seconds>`) and carrying
 * `Idempotency-Key`, stable across retries, so receivers can drop duplicates.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { alertJson } from '../json.ts';
import type { WebhookChannelConfig } from '../routing.ts';
import { postJson } from './http.ts';
import type { Channel, Notification } from './types.ts';

export function webhookBody(n: Notification): string {
  return JSON.stringify({
    version: '1',
    event: n.event,
    idempotencyKey: n.idempotencyKey,
    escalationLevel: n.escalationLevel,
    alert: alertJson(n.alert),
  });
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers: checks a signature in constant time. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function webhookChannel(config: WebhookChannelConfig): Channel {
  return {
    name: config.name,
    type: 'webhook',
    send(n, timeoutMs) {
      const body = webhookBody(n);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        'idempotency-key': n.idempotencyKey,
        'x-authlens-event': n.event,
        'x-authlens-timestamp': timestamp,
      };
      if (config.secret) headers['x-authlens-signature'] = signWebhook(config.secret, timestamp, body);
      return postJson(config.url, body, headers, timeoutMs);
    },
    close: async () => {},
  };
}
