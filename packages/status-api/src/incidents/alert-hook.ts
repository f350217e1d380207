/**
 * The alert manager's only touchpoint with incidents: on raise and on resolve it calls
 * `statusPageEvent(...)`, which asks routing whether the alert's rule is public (`statusPage`
 * block) and, if so, hands the rule's text — never the alert's labels or message — to the hook.
 * A failing hook is reported through `onError` and never fails the alert change.
 */
import type { Routing } from '../alerts/routing.ts';
import type { Alert } from '../alerts/types.ts';
import type { PublicAlertEvent } from './service.ts';

export type StatusPageHook = (event: PublicAlertEvent) => Promise<unknown>;

export async function statusPageEvent(
  hook: StatusPageHook | undefined,
  routing: Pick<Routing, 'route'>,
  event: PublicAlertEvent['event'],
  alert: Alert,
  onError: (err: unknown, context: string) => void,
): Promise<void> {
  if (!hook) return;
  const template = routing.route(alert).statusPage;
  if (!template) return;
  try {
    await hook({ event, alertId: alert.id, template });
  } catch (err) {
    onError(err, 'status page incident');
  }
}
