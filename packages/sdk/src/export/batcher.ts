/**
 * A bounded batching queue in front of an OTLP exporter, shared by spans and log records.
 * The request path only pushes onto an array; exports run one at a time on a timer. When the
 * collector is down or slow, the queue stops growing at `maxQueueSize`, extra items are
 * dropped and counted (`authlens.telemetry.dropped`), and one warning is written per outage.
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { diagLine } from '../diag.ts';

export type Signal = 'traces' | 'metrics' | 'logs';

export interface ItemExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

export interface OutageTracker {
  /** Counts `count` dropped items; warns once when an outage starts. */
  failed(count: number, reason: unknown): void;
  /** Marks a successful export: ends an outage (logs once), or reports queue overflow. */
  succeeded(): void;
  /** Counts items dropped because the queue was full. */
  dropped(count: number): void;
}

/** At most one queue-overflow warning per signal in this period while the collector accepts exports. */
const OVERFLOW_REPORT_INTERVAL_MS = 60_000;

/**
 * One tracker per signal: counts drops and turns a stream of failures into two log lines.
 *
 * An outage starts with a failed export (a warning) and ends with a successful one (an info
 * line with the number dropped). A full queue alone is not an outage: while an export is in
 * flight a burst can overflow the queue of a healthy collector. Such drops are counted at once;
 * if the outcome of the export is a failure they belong to the outage, and if it is a success
 * they are reported as an overflow, at most once a minute.
 */
export function createOutageTracker(
  signal: Signal,
  endpoint: string,
  count: (signal: Signal, n: number) => void,
  now: () => number = Date.now,
): OutageTracker {
  let down = false;
  let droppedDuringOutage = 0;
  /** Queue-full drops since the last export outcome (they belong to whatever it turns out to be). */
  let pending = 0;
  /** Overflow drops with a healthy collector, not yet reported. */
  let overflow = 0;
  let lastOverflowReport = Number.NEGATIVE_INFINITY;
  const begin = (reason: unknown) => {
    if (down) return;
    down = true;
    droppedDuringOutage = pending;
    pending = 0;
    const why = reason instanceof Error ? reason.message : String(reason);
    diagLine(
      'warn',
      `OTLP ${signal} export to ${endpoint} is failing (${why}); dropping ${signal} until it recovers`,
      {
        'authlens.signal': signal,
      },
    );
  };
  return {
    failed(n, reason) {
      begin(reason);
      droppedDuringOutage += n;
      count(signal, n);
    },
    dropped(n) {
      if (n <= 0) return;
      if (down) droppedDuringOutage += n;
      else pending += n;
      count(signal, n);
    },
    succeeded() {
      if (down) {
        down = false;
        diagLine(
          'info',
          `OTLP ${signal} export to ${endpoint} recovered after dropping ${droppedDuringOutage} items`,
          {
            'authlens.signal': signal,
          },
        );
        return;
      }
      overflow += pending;
      pending = 0;
      if (overflow === 0 || now() - lastOverflowReport < OVERFLOW_REPORT_INTERVAL_MS) return;
      lastOverflowReport = now();
      diagLine(
        'warn',
        `${signal} export queue full: dropped ${overflow} items while the collector accepts exports (more telemetry than one export at a time delivers; raise the queue size or the batch size)`,
        { 'authlens.signal': signal },
      );
      overflow = 0;
    },
  };
}

export interface BatcherOptions<T> {
  exporter: ItemExporter<T>;
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  exportTimeoutMs: number;
  outage: OutageTracker;
  /** Runs on each batch just before export (off the request path): redaction. */
  prepare?: (items: T[]) => void;
}

export interface Batcher<T> {
  add(item: T): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  /**
   * Stops without waiting for anything (the collector cannot be reached): queued items are
   * dropped and counted as one failed export (one warning per outage), an export in flight
   * is not awaited, and later `flush`/`shutdown` calls return at once.
   */
  abandon(reason: string): void;
}

export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const { exporter, maxQueueSize, maxExportBatchSize, scheduledDelayMs, exportTimeoutMs, outage, prepare } =
    options;
  let queue: T[] = [];
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let abandoned = false;

  function schedule(delay: number) {
    if (timer !== undefined || stopped) return;
    timer = setTimeout(onTimer, delay);
    // Telemetry never keeps the process alive.
    timer.unref();
  }

  function onTimer() {
    timer = undefined;
    void exportNext();
  }

  function exportOnce(batch: T[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const guard = setTimeout(
        () => finish({ code: ExportResultCode.FAILED, error: new Error('export timed out') }),
        exportTimeoutMs,
      );
      guard.unref();
      function finish(result: ExportResult) {
        if (done) return;
        done = true;
        clearTimeout(guard);
        if (result.code === ExportResultCode.SUCCESS) outage.succeeded();
        else outage.failed(batch.length, result.error ?? 'export failed');
        resolve();
      }
      try {
        prepare?.(batch);
        exporter.export(batch, finish);
      } catch (err) {
        finish({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      }
    });
  }

  async function exportNext(): Promise<void> {
    if (inFlight) return inFlight;
    if (queue.length === 0) return;
    const batch = queue.length <= maxExportBatchSize ? queue : queue.slice(0, maxExportBatchSize);
    queue = queue.length <= maxExportBatchSize ? [] : queue.slice(maxExportBatchSize);
    inFlight = exportOnce(batch).finally(() => {
      inFlight = undefined;
      if (queue.length >= maxExportBatchSize) setImmediate(() => void exportNext());
      else if (queue.length > 0) schedule(scheduledDelayMs);
    });
    return inFlight;
  }

  return {
    add(item) {
      if (stopped) return;
      if (queue.length >= maxQueueSize) {
        // Counted at once (one counter add; the warning is written once per outage).
        outage.dropped(1);
        return;
      }
      queue.push(item);
      if (queue.length >= maxExportBatchSize && inFlight === undefined) {
        if (timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
        setImmediate(() => void exportNext());
      } else schedule(scheduledDelayMs);
    },
    async flush() {
      if (abandoned) return;
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      // Bounded: at most the queue's worth of batches, each bounded by exportTimeoutMs.
      let rounds = Math.ceil(maxQueueSize / maxExportBatchSize) + 2;
      while (!abandoned && (queue.length > 0 || inFlight) && rounds-- > 0) {
        if (inFlight) await inFlight;
        else await exportNext();
      }
    },
    async shutdown() {
      if (stopped) return;
      await this.flush();
      stopped = true;
      queue = [];
      if (!abandoned) await exporter.shutdown().catch(() => {});
    },
    abandon(reason) {
      if (abandoned) return;
      abandoned = true;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const n = queue.length;
      queue = [];
      if (n > 0) outage.failed(n, reason);
      // The exporter's own shutdown would wait for the export in flight: let it go.
      void exporter.shutdown().catch(() => {});
    },
  };
}

/**
 * An exporter whose module is loaded on first use, not at start-up: the OTLP exporters and
 * their protobuf serializers cost tens of milliseconds to load, and the first export runs
 * only after the first batch delay.
 */
export function lazyExporter<T>(load: () => Promise<ItemExporter<T>>): ItemExporter<T> {
  let exporter: ItemExporter<T> | undefined;
  let loading: Promise<ItemExporter<T>> | undefined;
  const loaded = () => {
    loading ??= load().then((e) => {
      exporter = e;
      return e;
    });
    return loading;
  };
  return {
    export(items, resultCallback) {
      if (exporter !== undefined) {
        exporter.export(items, resultCallback);
        return;
      }
      loaded().then(
        (e) => e.export(items, resultCallback),
        (err: unknown) =>
          resultCallback({
            code: ExportResultCode.FAILED,
            error: err instanceof Error ? err : new Error(String(err)),
          }),
      );
    },
    async shutdown() {
      if (loading === undefined) return;
      const e = await loading.catch(() => undefined);
      await e?.shutdown();
    },
  };
}
