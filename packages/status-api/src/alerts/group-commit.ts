/**
 * Group commit: concurrent callers' work is coalesced into one transaction, and every caller is
 * answered after that transaction commits (so an answer still means "committed"). While the
 * batches allowed at once are in their transactions, new work queues for the next one, so batches
 * grow with the load. If a
 * batch fails, each of its items is retried in a transaction of its own, so one bad item fails
 * alone.
 */
export interface GroupCommitOptions<I, O> {
  /** Applies `items` in one transaction; returns one result per item, in order. */
  commit(items: I[]): Promise<O[]>;
  /** Largest batch, in `weight` units (default 256). A heavier item still goes alone. */
  maxBatch?: number;
  /** How much of a batch an item takes (default 1), e.g. the alerts of a webhook payload. */
  weight?: (item: I) => number;
  /**
   * Batches in their transactions at once (default 1). More than one suits a store whose
   * transactions wait on the network (PostgreSQL); the caller must take row locks in a fixed
   * order so concurrent batches cannot deadlock.
   */
  concurrency?: number;
}

export function groupCommit<I, O>(o: GroupCommitOptions<I, O>): (item: I) => Promise<O> {
  const maxBatch = o.maxBatch ?? 256;
  const weight = o.weight ?? (() => 1);
  const concurrency = o.concurrency ?? 1;
  let queue: Array<{ item: I; resolve: (v: O) => void; reject: (e: unknown) => void }> = [];
  let running = 0;
  let scheduled = false;

  /** Takes the next batch off the queue: items up to the weight cap (at least one). */
  function take() {
    let size = 0;
    let count = 0;
    while (count < queue.length) {
      const w = weight(queue[count]!.item);
      if (count > 0 && size + w > maxBatch) break;
      size += w;
      count++;
    }
    const batch = queue.slice(0, count);
    queue = queue.slice(count);
    return batch;
  }

  async function run(batch: typeof queue) {
    try {
      const results = await o.commit(batch.map((b) => b.item));
      for (const [i, b] of batch.entries()) b.resolve(results[i] as O);
    } catch (err) {
      if (batch.length === 1) batch[0]?.reject(err);
      else
        for (const b of batch) {
          try {
            b.resolve((await o.commit([b.item]))[0] as O);
          } catch (e) {
            b.reject(e);
          }
        }
    }
  }

  /** Starts batches while a transaction slot is free; each finished batch starts the next. */
  function pump() {
    scheduled = false;
    while (running < concurrency && queue.length > 0) {
      const batch = take();
      running++;
      void run(batch).finally(() => {
        running--;
        pump();
      });
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (scheduled || running >= concurrency) return;
      scheduled = true;
      // Let the requests that arrived in this turn of the event loop join the batch.
      setImmediate(pump);
    });
}
