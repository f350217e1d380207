/** The alert store (`ALERT_STORE_URL`): SQLite via `node:sqlite` by default, PostgreSQL for many replicas. */
export {
  type AlertPatch,
  type AlertRepo,
  type AlertStore,
  type CacheName,
  createAlertStore,
  DEFAULT_STORE_URL,
  type DeliveryOutcome,
  type InitialState,
  type NewAlertRow,
  type NewDelivery,
  type NewSilence,
  storeOver,
} from './alert-store.ts';
export { type Database, openDatabase, StoreUrlError } from './database.ts';
export { type Migration, migrate, migrations } from './migrations.ts';
