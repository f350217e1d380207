/**
 * Ingest (Alertmanager's `dispatch/` entry): a create either opens a new alert or counts a repeat of
 * the open one with the same fingerprint. A new alert is suppressed or fired; a repeat of a firing
 * alert is re-notified once its route's repeat interval has passed.
 *
 * Work is group-committed: concurrent creates (and whole Alertmanager payloads) share one
 * transaction, and each caller is answered after it commits. Inside it, the creates of a batch
 * are one multi-row upsert (repeats of one fingerprint coalesced into one row that counts them
 * all) whose new rows already carry their state (suppressed, or firing with timers), decided from
 * the per-replica silence and inhibition caches; the outbox rows follow in one insert. A repeat
 * inside its repeat interval therefore costs one row update, a new alert one insert plus its
 * notifications. The matchers run before the transaction opens (`findOutside`); inside it they run
 * again only if the caches changed in between, or for what the batch itself changes.
 */
import { randomUUIDv7 } from 'node:crypto';
import type { AlertRepo, AlertStore, InitialState, NewAlertRow, NewDelivery } from '../store/index.ts';
import { fingerprint } from './fingerprint.ts';
import { groupCommit } from './group-commit.ts';
import type { Outbox } from './notify/outbox.ts';
import type { RoutePlan, Routing } from './routing.ts';
import type { Suppression, Suppressor } from './suppression.ts';
import type { Transitions } from './transitions.ts';
import type { Alert, CreateAlertInput, CreateAlertResult } from './types.ts';
import { validateInput } from './validate.ts';

/** One step of an ingest: raise a (validated) alert, or resolve the open alert with a fingerprint. */
export type IngestOp =
  | { kind: 'raise'; input: Required<CreateAlertInput> }
  | {
      kind: 'resolve';
      fingerprint: string;
      by: string;
      /** The resolved alert's labels when known (lets its source check run before the transaction). */
      alert?: Pick<Alert, 'name' | 'severity' | 'source' | 'labels'>;
    };

export type IngestResult = CreateAlertResult | { resolved: Alert | null };

export interface IngestOptions {
  store: AlertStore;
  routing: Routing;
  suppressor: Suppressor;
  outbox: Outbox;
  transitions: Transitions;
  /** Wakes the delivery workers (called after a commit that queued a notification). */
  kick: () => void;
}

export interface Ingest {
  raise(input: CreateAlertInput): Promise<CreateAlertResult>;
  /** Applies `ops` in order and atomically (all or nothing), group-committed with concurrent work. */
  apply(ops: IngestOp[]): Promise<IngestResult[]>;
}

/** What a create's matchers found before its transaction: its suppression and its route. */
interface Found {
  suppression: Suppression | null;
  plan: RoutePlan;
}

interface Prepared {
  /** The caches' version the matches were made against (`Suppressor.version`). */
  version: string;
  /** By op index; missing entries are matched inside the transaction. */
  found: Array<Found | undefined>;
}

interface Outcome {
  results: IngestResult[];
  queued: boolean;
}

export function ingest(o: IngestOptions): Ingest {
  const { routing, suppressor, outbox } = o;

  /** The repeat of an open alert (already counted by the upsert); repeat notices go to `deliveries`. */
  async function repeat(
    repo: AlertRepo,
    alert: Alert,
    now: number,
    deliveries: NewDelivery[],
    found: Found | undefined,
  ): Promise<{ alert: Alert; queued: boolean }> {
    if (alert.status === 'suppressed') {
      const suppression = found ? found.suppression : suppressor.find(alert, now);
      if (suppression) {
        if (alert.suppressedReason === suppression.reason) return { alert, queued: false };
        return { alert: (await suppressor.apply(repo, alert, suppression, now)) ?? alert, queued: false };
      }
      // A suppressed alert whose suppression ended: notify now.
      const fired = await outbox.fire(repo, alert, now, `trigger:${alert.occurrences}`, found?.plan);
      await suppressor.changed(repo, fired.alert);
      return fired;
    }
    if (alert.status === 'firing') {
      const plan = found ? found.plan : routing.route(alert);
      const last = alert.lastNotifiedAt?.getTime() ?? alert.createdAt.getTime();
      if (plan.channels.length && now - last >= plan.repeatIntervalMs) {
        const updated = (await repo.updateAlert(alert.id, { lastNotifiedAt: now, updatedAt: now })) ?? alert;
        deliveries.push(
          ...outbox.rows(
            updated,
            plan.channels,
            'repeat',
            `repeat:${alert.occurrences}`,
            alert.escalationLevel,
            now,
          ),
        );
        return { alert: updated, queued: true };
      }
    }
    return { alert, queued: false };
  }

  /** Upserts one round of creates (distinct fingerprints) and queues their notifications. */
  async function round(
    repo: AlertRepo,
    groups: Map<string, number[]>,
    ops: IngestOp[],
    results: IngestResult[],
    now: number,
    found: ReadonlyArray<Found | undefined>,
  ): Promise<boolean> {
    const rows: NewAlertRow[] = [];
    const plans: Array<{ channels: string[] }> = [];
    // Fingerprint order: concurrent batches lock the same rows in the same order.
    const ordered = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [fp, indexes] of ordered) {
      const first = (ops[indexes[0]!] as { input: Required<CreateAlertInput> }).input;
      const last = (ops[indexes[indexes.length - 1]!] as { input: Required<CreateAlertInput> }).input;
      // Time-ordered ids append to the primary-key index instead of touching a random page each.
      const id = randomUUIDv7();
      const pre = found[indexes[0]!];
      const suppression = pre ? pre.suppression : suppressor.find({ id, ...first }, now);
      let initial: InitialState;
      let channels: string[] = [];
      if (suppression) {
        initial = { status: 'suppressed', ...suppressor.state(suppression, now) };
      } else {
        const plan = pre ? pre.plan : routing.route(first);
        channels = plan.channels;
        const step = plan.escalation[0];
        initial = {
          status: 'firing',
          lastNotifiedAt: outbox.routable(channels) ? now : null,
          nextEscalationAt: step ? now + step.afterMs : null,
        };
      }
      plans.push({ channels });
      rows.push({
        id,
        fingerprint: fp,
        name: first.name,
        severity: first.severity,
        source: first.source,
        labels: first.labels,
        message: last.message,
        annotations: last.annotations,
        now,
        initial,
        occurrences: indexes.length,
      });
    }
    const upserted = await repo.upsertAlerts(rows);
    const deliveries: NewDelivery[] = [];
    let queued = false;
    let i = 0;
    for (const [, indexes] of ordered) {
      const { alert: row, created } = upserted[i]!;
      const plan = plans[i++]!;
      let alert = row;
      if (created) {
        if (alert.status === 'firing') {
          deliveries.push(...outbox.rows(alert, plan.channels, 'trigger', 'trigger', 0, now));
          await suppressor.changed(repo, alert);
        }
      } else {
        // A repeat keeps the severity and source it was opened with: what was found for the
        // create holds only if the create says the same.
        const first = (ops[indexes[0]!] as { input: Required<CreateAlertInput> }).input;
        const pre = found[indexes[0]!];
        const same = alert.severity === first.severity && alert.source === first.source;
        const repeated = await repeat(repo, alert, now, deliveries, same ? pre : undefined);
        alert = repeated.alert;
        if (repeated.queued) queued = true;
      }
      indexes.forEach((opIndex, k) => {
        results[opIndex] = { alert, created: created && k === 0 };
      });
    }
    if (deliveries.length && (await repo.enqueueDeliveries(deliveries, now)) > 0) queued = true;
    return queued;
  }

  /**
   * Runs the matchers for a batch before its transaction opens: brings the caches up to date
   * through the store, then finds each create's suppression and route (and whether it is an
   * inhibition source, remembered by the cache). Creates after the first resolve or new source
   * are left to the transaction, since those change the caches as the batch goes.
   */
  async function findOutside(ops: IngestOp[], now: number): Promise<Prepared> {
    await suppressor.refresh(o.store, now);
    const found: Array<Found | undefined> = new Array(ops.length);
    for (const [index, op] of ops.entries()) {
      if (op.kind === 'resolve') {
        if (op.alert) suppressor.isSource(op.alert);
        break;
      }
      found[index] = {
        suppression: suppressor.find({ id: '', ...op.input }, now),
        plan: routing.route(op.input),
      };
      if (suppressor.isSource(op.input)) break;
    }
    return { version: suppressor.version(), found };
  }

  /** Applies a batch's ops in order inside one transaction. */
  async function applyAll(
    repo: AlertRepo,
    ops: IngestOp[],
    now: number,
    prepared: Prepared,
  ): Promise<Outcome> {
    await suppressor.refresh(repo, now);
    // Another transaction changed the caches since: match again here (the rare slow path).
    const found = suppressor.version() === prepared.version ? prepared.found : [];
    const results: IngestResult[] = new Array(ops.length);
    let queued = false;
    let groups = new Map<string, number[]>();
    const flush = async () => {
      if (groups.size === 0) return;
      if (await round(repo, groups, ops, results, now, found)) queued = true;
      groups = new Map();
    };
    for (const [index, op] of ops.entries()) {
      if (op.kind === 'resolve') {
        await flush();
        const open = await repo.findOpenByFingerprint(op.fingerprint);
        if (!open) {
          results[index] = { resolved: null };
          continue;
        }
        const t = await o.transitions.apply(repo, open.id, 'resolve', op.by, now);
        if (t.notify || t.released > 0) queued = true;
        results[index] = { resolved: t.alert };
        continue;
      }
      const fp = fingerprint(op.input.name, op.input.labels);
      const group = groups.get(fp);
      if (group) group.push(index);
      else groups.set(fp, [index]);
      // A new inhibition source must be in the cache before the creates after it are judged.
      if (suppressor.isSource(op.input)) await flush();
    }
    await flush();
    return { results, queued };
  }

  const enqueue = groupCommit<IngestOp[], IngestResult[]>({
    // A transaction of at most ~512 alerts: on SQLite it runs on the request thread, so a bigger
    // one would hold every other request (and the answers of its own batch) for longer.
    maxBatch: 512,
    weight: (ops) => ops.length,
    // SQLite runs one transaction at a time anyway; on PostgreSQL a few batches overlap their
    // round trips (rows are locked in fingerprint order, so they cannot deadlock on creates).
    concurrency: o.store.dialect === 'postgres' ? 4 : 1,
    async commit(items) {
      const flat = items.flat();
      const now = Date.now();
      const prepared = await findOutside(flat, now);
      const { results, queued } = await o.store.transaction((repo) => applyAll(repo, flat, now, prepared));
      if (queued) o.kick();
      const out: IngestResult[][] = [];
      let offset = 0;
      for (const ops of items) {
        out.push(results.slice(offset, offset + ops.length));
        offset += ops.length;
      }
      return out;
    },
  });

  return {
    async raise(input) {
      const [result] = await enqueue([{ kind: 'raise', input: validateInput(input) }]);
      return result as CreateAlertResult;
    },
    apply: (ops) => enqueue(ops),
  };
}
