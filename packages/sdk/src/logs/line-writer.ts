/**
 * Buffered stdout for `getLogger()`'s JSON lines. Lines logged during one event-loop turn are
 * joined and written with one `process.stdout.write` when the turn ends (`setImmediate`), or at
 * once when 64 KB are pending, instead of one stream write (and one `writeSync`) per line. The
 * write itself keeps Node's stdout semantics (synchronous for files and pipes on Linux).
 *
 * No line is lost on the way out: the pending lines are written synchronously on `exit` (which
 * `process.exit()` and an uncaught exception both emit) and on SIGTERM/SIGINT. The signal
 * listener only flushes; when it is the last listener of the signal it removes itself and
 * re-raises the signal, so the process ends exactly as it would have without it (authlens's own
 * signal handling does not count it as an application handler: {@link isLineFlushListener}).
 */
/** Pending bytes (UTF-16 code units) above which lines are written at once. */
const MAX_PENDING = 64 * 1024;

let pending = '';
let scheduled = false;
let hooked = false;

/** Writes the pending lines now (synchronously where stdout is: files and pipes on Linux). */
export function flushLogLines(): void {
  if (pending === '') return;
  const out = pending;
  pending = '';
  process.stdout.write(out);
}

function flushAtTurnEnd(): void {
  scheduled = false;
  flushLogLines();
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
  pending += line;
  if (pending.length >= MAX_PENDING) flushLogLines();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(flushAtTurnEnd);
  }
}
