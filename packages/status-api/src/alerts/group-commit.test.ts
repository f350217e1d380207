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
});
