/** The worker loop: passes run in stage order, never overlap, and a kick during a pass runs one more. */
import { describe, expect, it } from 'vitest';
import { type WorkerOptions, workers } from './workers.ts';

/** Workers without timers over these stages. */
const manual = (
  stages: Pick<WorkerOptions, 'suppression' | 'escalation' | 'delivery'> & Partial<WorkerOptions>,
) =>
  workers({
    enabled: false,
    pollIntervalMs: 1000,
    purgeIntervalMs: 1000,
    purge: async () => undefined,
    onError: () => undefined,
    ...stages,
  });

function stages() {
  const log: string[] = [];
  let active = 0;
  let maxActive = 0;
  let release: (() => void) | null = null;
  const stage =
    (name: string, hold = false) =>
    async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      log.push(name);
      if (hold) await new Promise<void>((r) => (release = r));
      active--;
      return 1;
    };
  return { log, stage, maxActive: () => maxActive, release: () => release?.() };
}

describe('workers', () => {
  it('runs suppression, escalation, delivery in order and totals them', async () => {
    const s = stages();
    const w = manual({
      suppression: s.stage('suppression'),
      escalation: s.stage('escalation'),
      delivery: s.stage('delivery'),
    });
    expect(await w.runDue()).toEqual({ unsuppressed: 1, escalated: 1, delivered: 1 });
    expect(s.log).toEqual(['suppression', 'escalation', 'delivery']);
    await w.close();
  });

  it('joins a running pass and runs once more after it, never two at once', async () => {
    const s = stages();
    const w = manual({
      suppression: s.stage('suppression'),
      escalation: s.stage('escalation'),
      delivery: s.stage('delivery', true),
    });
    const first = w.runDue();
    await new Promise((r) => setImmediate(r));
    const second = w.runDue();
    s.release();
    await new Promise((r) => setImmediate(r));
    s.release();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a.delivered).toBe(2);
    expect(s.maxActive()).toBe(1);
    await w.close();
  });

  it('reports a failing pass to onError and keeps going', async () => {
    const errors: string[] = [];
    const w = manual({
      suppression: async () => {
        throw new Error('boom');
      },
      escalation: async () => 0,
      delivery: async () => 0,
      onError: (err, context) => errors.push(`${context}: ${(err as Error).message}`),
    });
    expect(await w.runDue()).toEqual({ unsuppressed: 0, escalated: 0, delivered: 0 });
    expect(errors).toEqual(['worker pass: boom']);
    await w.close();
    expect(w.isClosed()).toBe(true);
  });
});
