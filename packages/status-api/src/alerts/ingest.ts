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
 * notifications. Every matcher runs before the transaction opens (`matchedTransaction`); inside
 * it the batch is judged from those matches alone, and if the caches moved in between (or a
 * repeat turned out to be stored with another severity or source) it rolls back and is matched
 * and applied again.
 */
import { randomUUIDv7 } from 'node:crypto';
import type { AlertRepo, AlertStore, InitialState, NewAlertRow, NewDelivery } from '../store/index.ts';
import { fingerprint } from './fingerprint.ts';
import { groupCommit } from './group-commit.ts';
import { matchedTransaction } from './matched-transaction.ts';
import type { Outbox } from './notify/outbox.ts';
import type { MatchInput, SuppressionView, Suppressor } from './suppression.ts';
import type { Transitions } from './transitions.ts';
import type { Alert, CreateAlertInput, CreateAlertResult } from './types.ts';
import { validateInput } from './validate.ts';

/** One step of an ingest: raise a (validated) alert, or resolve the open alert with a fingerprint. */
export type IngestOp =
  | { kind: 'raise'; input: Required<CreateAlertInput> }
  | { kind: 'resolve'; fingerprint: string; by: string };

export type IngestResult = CreateAlertResult | { resolved: Alert | null };

export interface IngestOptions {
  store: AlertStore;
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

interface Outcome {
  results: IngestResult[];
  queued: boolean;
}

export function ingest(o: IngestOptions): Ingest {
  const { suppressor, outbox } = o;

  /** The repeat of an open alert (already counted by the upsert); repeat notices go to `deliveries`. */
  async function repeat(
    repo: AlertRepo,
    view: SuppressionView,
    alert: Alert,
    now: number,
    deliveries: NewDelivery[],
  ): Promise<{ alert: Alert; queued: boolean }> {
    // A repeat keeps the severity and source it was opened with: it is judged by the matches of
    // the alert as stored (a create that says otherwise rolls back and is matched again).
    if (alert.status === 'suppressed') {
      const matched = view.matched(alert);
      const suppression = view.find(alert.id, matched, now);
      if (suppression) {
        if (alert.suppressedReason === suppression.reason) return { alert, queued: false };
        return { alert: (await suppressor.apply(repo, alert, suppression, now)) ?? alert, queued: false };
      }
      // A suppressed alert whose suppression ended: notify now.
      const fired = await outbox.fire(repo, alert, matched.plan, now, `trigger:${alert.occurrences}`);
      await view.changed(fired.alert);
      return fired;
    }
    if (alert.status === 'firing') {
      const { plan } = view.matched(alert);
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
    view: SuppressionView,
    groups: Map<string, number[]>,
    creates: ReadonlyArray<MatchInput | undefined>,
    ops: IngestOp[],
    results: IngestResult[],
    now: number,
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
      const matched = view.matched(creates[indexes[0]!]!);
      const suppression = view.find(id, matched, now);
      let initial: InitialState;
      let channels: string[] = [];
      if (suppression) {
        initial = { status: 'suppressed', ...suppressor.state(suppression, now) };
      } else {
        const plan = matched.plan;
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
          await view.changed(alert);
        }
      } else {
        const repeated = await repeat(repo, view, alert, now, deliveries);
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

  /** Applies a batch's ops in order inside one transaction, judged from `creates`' matches. */
  async function applyAll(
    repo: AlertRepo,
    view: SuppressionView,
    ops: IngestOp[],
    creates: ReadonlyArray<MatchInput | undefined>,
    now: number,
  ): Promise<Outcome> {
    const results: IngestResult[] = new Array(ops.length);
    let queued = false;
    let groups = new Map<string, number[]>();
    const flush = async () => {
      if (groups.size === 0) return;
      if (await round(repo, view, groups, creates, ops, results, now)) queued = true;
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
        const t = await o.transitions.apply(repo, view, open.id, 'resolve', op.by, now);
        if (t.notify || t.released > 0) queued = true;
        results[index] = { resolved: t.alert };
        continue;
      }
      const create = creates[index]!;
      const group = groups.get(create.fingerprint);
      if (group) group.push(index);
      else groups.set(create.fingerprint, [index]);
      // A new inhibition source must be in the view before the creates after it are judged.
      if (view.matched(create).sources.length) await flush();
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
      // What each create's matches depend on (resolves need none: leaving the set needs no matcher).
      const creates = flat.map((op) =>
        op.kind === 'raise'
          ? { fingerprint: fingerprint(op.input.name, op.input.labels), ...op.input }
          : undefined,
      );
      const { results, queued } = await matchedTransaction(
        o.store,
        suppressor,
        creates.filter((c) => c !== undefined),
        (repo, view, now) => applyAll(repo, view, flat, creates, now),
      );
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
