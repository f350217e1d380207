/**
 * The status page's state: the alert store's database with the health history and incidents on
 * it. `openStatusPage` decides where that database comes from when the plugin registers: given
 * (`statusPage.db`, e.g. `authlens serve`'s), or opened from the alert store URL and then shared
 * with the alert manager the plugin creates (one connection pool per process: on SQLite a second
 * connection to the same file could wait on itself).
 */

import { parseUrl } from '@authlens/sdk/internal';
import { resolveSettings } from '../alerts/config.ts';
import type { AlertRoutesOptions } from '../alerts/index.ts';
import { DEFAULTS } from '../defaults.ts';
import { MonitoringConfigError } from '../errors.ts';
import type { HealthReport } from '../health/types.ts';
import { createIncidents, type Incidents, type PublicMaintenanceWindow } from '../incidents/service.ts';
import { createStatusHistory, type StatusHistory } from '../status-history/history.ts';
import type { Database } from '../store/database.ts';
import { DEFAULT_STORE_URL, migrate, openDatabase, storeOver } from '../store/index.ts';
import { buildPageModel, type PageModel } from './model.ts';

export interface StatusPageOptions {
  /** The alert store's database; default: opened from the alert store URL (unless `alerts.manager` is given). */
  db?: Database;
  /** Days of the uptime bars (default 90). */
  days?: number;
  /** Public URL of the page (feeds and JSON link to it); default: derived from each request. */
  publicUrl?: string;
}

export interface StatusPageContext {
  db: Database;
  history: StatusHistory;
  incidents: Incidents;
  days: number;
  publicUrl: string | undefined;
  /** Loads the page's state for a health report. */
  model(name: string, report: HealthReport, now: Date): Promise<PageModel>;
}

/** An http(s) URL ending in `/` (the page's own URL; feeds are beside it). */
function checkedUrl(value: string): string {
  const url = parseUrl(value);
  if (!url) throw new MonitoringConfigError('statusPage.publicUrl', `'${value}' is not an http(s) URL`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

export function statusPageContext(
  db: Database,
  options: Pick<StatusPageOptions, 'days' | 'publicUrl'> & { components?: () => readonly string[] } = {},
): StatusPageContext {
  const history = createStatusHistory(db);
  const incidents = createIncidents(db, options.components ? { components: options.components } : {});
  const days = options.days ?? DEFAULTS.statusPageDays;
  if (!Number.isInteger(days) || days < 7 || days > 365)
    throw new MonitoringConfigError('statusPage.days', `${days} must be an integer from 7 to 365`);
  const publicUrl = options.publicUrl === undefined ? undefined : checkedUrl(options.publicUrl);
  return {
    db,
    history,
    incidents,
    days,
    publicUrl,
    async model(name, report, now) {
      const [h, list] = await Promise.all([
        history.history(
          report.checks.map((c) => c.name),
          days,
          now,
        ),
        incidents.list({ now }),
      ]);
      return buildPageModel({ name, checks: report.checks, history: h, incidents: list, days, now });
    },
  };
}

/** The routing file's maintenance windows that carry public text. */
export function publicMaintenanceWindows(
  alerts: Omit<AlertRoutesOptions, 'authorize'>,
  env: Record<string, string | undefined>,
): PublicMaintenanceWindow[] {
  const settings = resolveSettings(alerts.managerOptions ?? {}, alerts.managerOptions?.env ?? env);
  return (settings.routing.maintenanceWindows ?? []).flatMap((w) => {
    if (!w.statusPage) return [];
    const start = w.start instanceof Date ? w.start.getTime() : Date.parse(w.start);
    const end = w.end instanceof Date ? w.end.getTime() : Date.parse(w.end);
    if (Number.isNaN(start) || Number.isNaN(end)) return [];
    return [{ name: w.name, start, end, statusPage: w.statusPage }];
  });
}

export interface OpenedStatusPage {
  context: StatusPageContext | undefined;
  /** The alert routes' options, with the shared store and the incident hook when the plugin creates the manager. */
  alerts: Omit<AlertRoutesOptions, 'authorize'>;
  /** Closes a database opened here. */
  close(): Promise<void>;
}

export async function openStatusPage(
  options: StatusPageOptions | false | undefined,
  alerts: Omit<AlertRoutesOptions, 'authorize'>,
  env: Record<string, string | undefined>,
  components: () => readonly string[],
): Promise<OpenedStatusPage> {
  const none = { context: undefined, alerts, close: async () => undefined };
  if (options === false) return none;
  let db = options?.db;
  let owned = false;
  if (!db) {
    // A manager (or a store) given without its database: the page shows the present only.
    if (alerts.manager || alerts.managerOptions?.store) return none;
    const managerEnv = alerts.managerOptions?.env ?? env;
    db = openDatabase(alerts.managerOptions?.storeUrl ?? managerEnv.ALERT_STORE_URL ?? DEFAULT_STORE_URL);
    owned = true;
  }
  const opened = db;
  let context: StatusPageContext;
  try {
    await migrate(opened);
    context = statusPageContext(opened, {
      components,
      ...(options?.days !== undefined && { days: options.days }),
      ...(options?.publicUrl !== undefined && { publicUrl: options.publicUrl }),
    });
  } catch (err) {
    if (owned) await opened.close();
    throw err;
  }
  const shared = alerts.manager
    ? alerts
    : {
        ...alerts,
        managerOptions: {
          ...alerts.managerOptions,
          store: alerts.managerOptions?.store ?? storeOver(opened),
          statusPageHook: alerts.managerOptions?.statusPageHook ?? context.incidents.onAlert,
        },
      };
  return { context, alerts: shared, close: async () => (owned ? opened.close() : undefined) };
}
