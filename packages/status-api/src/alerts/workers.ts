/**
 * The in-process workers: one pass runs the suppression re-checks, escalations and deliveries in
 * that order; passes never overlap, and a `kick` during a pass runs another right after it. A poll
 * timer runs a pass every `pollIntervalMs` and the retention purge every `purgeIntervalMs`.
 */
import type { AlertRepo, AlertStore } from '../store/index.ts';
import { matchedTransaction } from './matched-transaction.ts';
import type { Matched, SuppressionView, Suppressor } from './suppression.ts';
import type { Alert } from './types.ts';

export interface RunDueResult {
  /** Suppressed alerts whose suppression ended and that were moved to firing and notified. */
  unsuppressed: number;
  escalated: number;
  delivered: number;
}

/**
 * Handles one claimed alert inside the claiming transaction, with the matches found for it before
 * the transaction opened (it runs no matcher); true counts it.
 */
export type DueHandler = (
  repo: AlertRepo,
  view: SuppressionView,
  alert: Alert,
  matched: Matched,
  now: number,
) => Promise<boolean>;

/** Due alerts, oldest first, at most `limit` (row-locked when `repo` is a transaction's). */
export type DueClaim = (repo: AlertRepo, now: number, limit: number) => Promise<Alert[]>;

/**
 * Drains due alerts in rounds of up to 50 (ten rounds a call). Each round first reads the due
 * alerts outside any transaction and runs their matchers, then claims the due rows (row-locked)
 * in one transaction and handles each with its matches, so one replica handles each alert once
 * and no matcher runs while rows are locked. A row that became due after the read was not matched:
 * it stays due for the next round. Returns how many alerts `handle` counted.
 */
export async function drainDue(
  store: AlertStore,
  suppressor: Suppressor,
  claim: DueClaim,
  handle: DueHandler,
): Promise<number> {
  const batch = 50;
  let total = 0;
  for (let round = 0; round < 10; round++) {
    // Read, not held: the transaction below claims the rows again.
    const due = await claim(store, Date.now(), batch);
    if (due.length === 0) break;
    total += await matchedTransaction(store, suppressor, due, async (repo, view, now) => {
      let counted = 0;
      for (const alert of await claim(repo, now, batch)) {
        const matched = view.lookup(alert);
        if (matched && (await handle(repo, view, alert, matched, now))) counted++;
      }
      return counted;
    });
    if (due.length < batch) break;
  }
  return total;
}

export interface WorkerOptions {
  /** Start the timers (false: passes run only through `runDue`). */
  enabled: boolean;
  pollIntervalMs: number;
  purgeIntervalMs: number;
  suppression: () => Promise<number>;
  escalation: () => Promise<number>;
  delivery: () => Promise<number>;
  purge: () => Promise<unknown>;
  onError: (err: unknown, context: string) => void;
}

export interface Workers {
  /** Runs a pass soon (after the current one, if any). No-op when disabled or closed. */
  kick(): void;
  /** Runs a pass now (joins the current one, and runs again after it). */
  runDue(): Promise<RunDueResult>;
  isClosed(): boolean;
  /** Stops the timers and waits for the current pass. */
  close(): Promise<void>;
}

export function workers(o: WorkerOptions): Workers {
  let closed = false;
  let running: Promise<RunDueResult> | null = null;
  let again = false;

  async function runDue(): Promise<RunDueResult> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      const total = { unsuppressed: 0, escalated: 0, delivered: 0 };
      do {
        again = false;
        try {
          total.unsuppressed += await o.suppression();
          total.escalated += await o.escalation();
          total.delivered += await o.delivery();
        } catch (err) {
          if (!closed) o.onError(err, 'worker pass');
        }
      } while (again && !closed);
      return total;
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  }

  const kick = () => {
    if (closed || !o.enabled) return;
    if (running) {
      again = true;
      return;
    }
    setImmediate(() => {
      void runDue();
    });
  };

  const timers: NodeJS.Timeout[] = [];
  if (o.enabled) {
    timers.push(setInterval(() => void runDue(), o.pollIntervalMs));
    timers.push(
      setInterval(() => void o.purge().catch((err) => o.onError(err, 'retention purge')), o.purgeIntervalMs),
    );
    for (const t of timers) t.unref();
    kick();
  }

  return {
    kick,
    runDue,
    isClosed: () => closed,
    async close() {
      closed = true;
      for (const t of timers) clearInterval(t);
      await running?.catch(() => undefined);
    },
  };
}
