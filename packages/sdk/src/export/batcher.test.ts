import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBatcher, createOutageTracker, type Signal } from './batcher.ts';

/** The SDK's own stderr lines written while a test runs. */
let lines: Array<{ level: string; message: string; 'authlens.signal': string }>;
const write = process.stderr.write.bind(process.stderr);

beforeEach(() => {
  lines = [];
  process.stderr.write = ((chunk: string | Uint8Array) => {
    for (const l of String(chunk).split('\n')) if (l.includes('"authlens.sdk"')) lines.push(JSON.parse(l));
    return true;
  }) as typeof process.stderr.write;
});
afterEach(() => {
  process.stderr.write = write;
});

function tracker() {
  const counted: Record<string, number> = {};
  let clock = 0;
  const t = createOutageTracker(
    'traces',
    'http://collector:4318/v1/traces',
    (s: Signal, n: number) => {
      counted[s] = (counted[s] ?? 0) + n;
    },
    () => clock,
  );
  return { t, counted, advance: (ms: number) => (clock += ms) };
}

describe('outage tracker', () => {
  it('warns once per outage, whatever the number of failed batches, and logs the recovery once', () => {
    const { t, counted } = tracker();
    t.succeeded();
    expect(lines).toEqual([]);
    for (let i = 0; i < 20; i++) t.failed(16, new Error('connect ECONNREFUSED'));
    t.dropped(5);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', 'authlens.signal': 'traces' });
    expect(lines[0]?.message).toMatch(/OTLP traces export .* is failing \(connect ECONNREFUSED\)/);
    t.succeeded();
    t.succeeded();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 'info' });
    expect(lines[1]?.message).toMatch(/recovered after dropping 325 items/);
    t.failed(1, 'export timed out');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info', 'warn']);
    expect(counted).toEqual({ traces: 326 });
  });

  it('does not call a full queue with a healthy collector an outage; reports it at most once a minute', () => {
    const { t, counted, advance } = tracker();
    t.dropped(3);
    expect(lines).toEqual([]);
    t.succeeded();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.message).toMatch(
      /^authlens: traces export queue full: dropped 3 items while the collector/,
    );
    expect(lines[0]?.message).not.toMatch(/is failing|recovered/);
    for (let i = 0; i < 5; i++) {
      t.dropped(2);
      t.succeeded();
    }
    expect(lines).toHaveLength(1);
    advance(60_000);
    t.succeeded();
    expect(lines).toHaveLength(2);
    expect(lines[1]?.message).toMatch(/dropped 10 items/);
    expect(counted).toEqual({ traces: 13 });
  });

  it('counts queue drops before a failed export into that outage', () => {
    const { t } = tracker();
    t.dropped(7);
    t.failed(16, 'export timed out');
    t.succeeded();
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(lines[1]?.message).toMatch(/recovered after dropping 23 items/);
  });
});

describe('batcher.abandon (shutdown with an unreachable collector)', () => {
  it('drops and counts what is queued at once, warns once, and waits for no export in flight', async () => {
    const { t, counted } = tracker();
    const exported: number[][] = [];
    let shutdowns = 0;
    const batcher = createBatcher<number>({
      // An export that never finishes (a collector that stopped answering mid-export).
      exporter: {
        export: (items) => {
          exported.push(items);
        },
        shutdown: async () => {
          shutdowns++;
          await new Promise(() => {});
        },
      },
      maxQueueSize: 100,
      maxExportBatchSize: 4,
      scheduledDelayMs: 60_000,
      exportTimeoutMs: 60_000,
      outage: t,
    });
    for (let i = 0; i < 4; i++) batcher.add(i); // a full batch: exported now, never answered
    await new Promise((resolve) => setImmediate(resolve));
    expect(exported).toEqual([[0, 1, 2, 3]]);
    for (let i = 4; i < 7; i++) batcher.add(i); // queued behind it
    batcher.abandon('collector unreachable at shutdown (ECONNREFUSED)');
    // flush and shutdown return at once: nothing waits for the hung export or exporter.
    await batcher.flush();
    await batcher.shutdown();
    batcher.add(99);
    expect(counted).toEqual({ traces: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.message).toMatch(/is failing \(collector unreachable at shutdown \(ECONNREFUSED\)\)/);
    expect(shutdowns).toBe(1);
    expect(exported).toHaveLength(1);
  });
});
