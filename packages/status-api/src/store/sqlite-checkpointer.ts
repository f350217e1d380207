/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses the threshold, copying the WAL back into the database file and syncing it: a 10–25 ms
 * stall of the one thread that serves every request. Instead the store's connection turns
 * automatic checkpoints off and a worker thread with its own connection runs a PASSIVE checkpoint
 * every `intervalMs` (PASSIVE never waits for or blocks the writer). Durability is unchanged: a
 * commit is in the WAL either way. If the worker stops, automatic checkpoints are switched back on.
 */
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file);
const timer = setInterval(() => {
  try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker (its connection closed) before the store's own connection closes. */
  close(): Promise<void>;
}

/**
 * Starts the checkpoint worker for `file`; `fallback` re-enables automatic checkpoints on the
 * store's connection if the worker cannot run.
 */
export function startCheckpointer(file: string, fallback: () => void, intervalMs = 1000): Checkpointer {
  const worker = new Worker(WORKER, { eval: true, workerData: { file, intervalMs } });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  void exited.then(() => {
    if (!stopping) fallback();
  });
  return {
    async close() {
      stopping = true;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
