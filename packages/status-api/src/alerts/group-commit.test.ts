/** Group commit: concurrent items share batches up to the weight cap; a failing item fails alone. */
import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.ts';

describe('group commit', () => {
  it('coalesces concurrent items into batches within the cap, answering each in order', async () => {
    const batches: number[][] = [];
    const submit = groupCommit<number, string>({
      maxBatch: 10,
      weight: (n) => n,
      async commit(items) {
        batches.push(items);
        return items.map((n) => `done ${n}`);
      },
    });
    const items = [3, 3, 3, 3, 12, 1, 1];
    const answers = await Promise.all(items.map((n) => submit(n)));
    expect(answers).toEqual(items.map((n) => `done ${n}`));
    expect(batches).toEqual([[3, 3, 3], [3], [12], [1, 1]]);
  });

  it('retries the items of a failed batch one by one, so only the bad one fails', async () => {
    let calls = 0;
    const submit = groupCommit<string, string>({
      async commit(items) {
        calls++;
        if (items.includes('bad')) throw new Error(`batch of ${items.length} failed`);
        return items.map((s) => s.toUpperCase());
      },
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((s) => submit(s)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'A',
      'batch of 1 failed',
      'C',
    ]);
    expect(calls).toBe(4);
  });

  it('runs up to `concurrency` batches at once', async () => {
    let active = 0;
    let peak = 0;
    const submit = groupCommit<number, number>({
      maxBatch: 1,
      concurrency: 3,
      async commit(items) {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        return items;
      },
    });
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => submit(n)))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });
});
