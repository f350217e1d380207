/** The identity of an alert across repeats: name + labels, like Alertmanager's fingerprint. */
import { hash } from 'node:crypto';
import type { Labels } from './types.ts';

/** Stable fingerprint of name + labels (order-independent). */
export function fingerprint(name: string, labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // One-shot: no Hash object per create (the same digest as createHash().update().digest()).
  return hash('sha256', JSON.stringify([name, entries]), 'hex').slice(0, 32);
}
