/** Retention: resolved alerts (with their notification history) and ended silences are deleted after N days. */
import type { AlertStore } from '../store/index.ts';
import { invalidField } from './errors.ts';

export async function purgeResolved(
  store: AlertStore,
  olderThanDays: number,
): Promise<{ alerts: number; silences: number }> {
  if (!(olderThanDays >= 0)) throw invalidField('olderThanDays', 'must be a non-negative number');
  return store.transaction((repo) => repo.purgeResolved(Date.now() - olderThanDays * 86_400_000));
}
