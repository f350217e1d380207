/**
 * What the job files share: day arithmetic, sums of series, and raise-or-resolve of an alert.
 */
import { type AlertManager, fingerprint } from '../alerts/index.ts';
import type { CreateAlertInput } from '../alerts/types.ts';
import type { Series } from '../metrics/source.ts';

export const DAY = 86_400_000;
export const sum = (series: Series[]) => series.reduce((a, s) => a + s.value, 0);
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Raises the alert while `active`, else resolves the open one with the same fingerprint. */
export async function condition(
  alerts: AlertManager,
  active: boolean,
  input: CreateAlertInput,
): Promise<'raised' | 'repeated' | 'resolved' | 'none'> {
  if (active) return (await alerts.raise({ source: 'jobs', ...input })).created ? 'raised' : 'repeated';
  const open = await alerts.listAlerts({
    fingerprint: fingerprint(input.name, input.labels ?? {}),
    status: ['firing', 'acknowledged', 'suppressed'],
    limit: 10,
  });
  for (const a of open.items) await alerts.resolve(a.id, 'jobs');
  return open.items.length > 0 ? 'resolved' : 'none';
}
