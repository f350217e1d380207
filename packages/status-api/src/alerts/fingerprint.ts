/** The identity of an alert across repeats: name + labels, like Alertmanager's fingerprint. */
import { createHash } from 'node:crypto';
import type { Labels } from './types.ts';

/** Stable fingerprint of name + labels (order-independent). */
export function fingerprint(name: string, labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([name, entries]))
    .digest('hex')
    .slice(0, 32);
}
