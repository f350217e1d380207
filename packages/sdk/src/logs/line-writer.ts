/**
 * Buffered stdout for `getLogger()`'s JSON lines. Lines logged during one event-loop turn are
 * joined and written with one write when the turn ends (`setImmediate`), or at once when 64 KB
 * are pending, instead of one `process.stdout` stream write (and one `writeSync`) per line.
 *
 * Each flush is one synchronous `fs.writeSync` to fd 1 that completes before it returns: when
 * stdout is a full non-blocking pipe (EAGAIN) it waits 1 ms and retries, as pino's sonic-boom
 * does, so what was flushed is in the pipe and bounded memory holds the rest. (`process.stdout`
 * would queue the chunk in memory instead, and `process.exit()` drops that queue: a slow log
 * reader lost lines that way.) Any other write error (EPIPE: nobody reads) drops the chunk.
 *
 * No line is lost on the way out: the pending lines are written synchronously on `exit` (which
 * `process.exit()` and an uncaught exception both emit) and on SIGTERM/SIGINT. The signal
 * listener only flushes; when it is the last listener of the signal it removes itself and
 * re-raises the signal, so the process ends exactly as it would have without it (authlens's own
 * signal handling does not count it as an application handler: {@link isLineFlushListener}).
 */
import { writeSync } from 'node:fs';

/** Pending bytes (UTF-16 code units) above which lines are written at once. */
const MAX_PENDING = 64 * 1024;

let hooked = false;

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes `data` to fd 1 completely, waiting out a full pipe. */
function writeAll(data: string): void {
  const bytes = Buffer.from(data, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

export interface LineBuffer {
  /** Queues one line (with its newline). */
  write(line: string): void;
  /** Writes the pending lines now. */
  flush(): void;
}

/** Lines joined per event-loop turn (or per 64 KB) and handed to `write` in one piece. */
export function createLineBuffer(write: (data: string) => void): LineBuffer {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    if (pending === '') return;
    const out = pending;
    pending = '';
    write(out);
  };
  const flushAtTurnEnd = () => {
    scheduled = false;
    flush();
  };
  return {
    write(line) {
      pending += line;
      if (pending.length >= MAX_PENDING) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flushAtTurnEnd);
      }
    },
    flush,
  };
}

const stdoutLines = createLineBuffer(writeAll);

/** Writes the pending stdout lines now, synchronously. */
export function flushLogLines(): void {
  stdoutLines.flush();
}

function onSignal(signal: NodeJS.Signals): void {
  flushLogLines();
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

/** True for the flush-only signal listener this module installs. */
export function isLineFlushListener(listener: unknown): boolean {
  return listener === onSignal;
}

function hookExit(): void {
  hooked = true;
  process.on('exit', flushLogLines);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Queues one line (with its newline) for stdout. */
export function writeLogLine(line: string): void {
  if (!hooked) hookExit();
  stdoutLines.write(line);
}
