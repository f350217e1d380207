/**
 * The example's status page store: the alert store's database (`ALERT_STORE_URL`) shared by the
 * alert manager (whose public routing rules open incidents) and the status page (history and
 * incidents), and the demo's seeded history (`AUTHLENS_DEMO_STATUS_DAYS`, labelled demo data).
 */

import {
  createIncidents,
  createStatusHistory,
  type Database,
  migrate,
  openDatabase,
  seedDemoHistory,
  storeOver,
} from '@authlens/status-api';
import { envReader } from './config.ts';

export interface StatusStore {
  db: Database;
  /** Pass to `createAlertManager`: the shared store and the incident hook. */
  managerOptions: {
    store: ReturnType<typeof storeOver>;
    statusPageHook: ReturnType<typeof createIncidents>['onAlert'];
  };
  close(): Promise<void>;
}

export async function openStatusStore(env: Record<string, string | undefined>): Promise<StatusStore> {
  const db = openDatabase(env.ALERT_STORE_URL ?? 'sqlite:./data/authlens.db');
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    db,
    managerOptions: { store: storeOver(db), statusPageHook: createIncidents(db).onAlert },
    close: () => db.close(),
  };
}

/** Seeds `AUTHLENS_DEMO_STATUS_DAYS` days of demo history for these checks (the demo sets 7). */
export async function seedDemoStatus(
  db: Database,
  checkNames: readonly string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const days = envReader(env).integer('AUTHLENS_DEMO_STATUS_DAYS', { default: 0, min: 1, max: 89 });
  if (days === 0) return 0;
  return seedDemoHistory(createStatusHistory(db), checkNames, days);
}
