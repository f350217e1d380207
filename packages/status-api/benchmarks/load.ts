/**
 * A small closed-loop HTTP/1.1 load generator for the side-by-side ingest benchmark: `connections`
 * keep-alive sockets, each sending one request, reading the whole answer, and sending the next.
 * Requests are pre-rendered bytes and answers are parsed only as far as the status line and the
 * body length, so the generator costs little CPU next to the servers it measures; both servers
 * get the same generator and the same connections.
 */
import net from 'node:net';

export interface LoadOptions {
  port: number;
  path: string;
  headers: Record<string, string>;
  /** The body of request number `i` (a counter shared by all connections). */
  body: (i: number) => string;
  connections: number;
  durationMs: number;
  /** Answers in this first stretch are not counted. */
  warmupMs: number;
}

export interface LoadResult {
  /** Counted answers with a 2xx status. */
  ok: number;
  /** Counted answers with another status (or a broken connection). */
  errors: number;
  /** First non-2xx status seen, for the report. */
  firstError?: string;
  latenciesMs: number[];
  measuredMs: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Reads HTTP/1.1 answers off one socket; resolves each with its status. */
function answerReader(socket: net.Socket) {
  let buffer: Buffer = Buffer.alloc(0);
  let waiting: ((status: number) => void) | null = null;
  let failed: ((err: Error) => void) | null = null;
  const tryParse = () => {
    if (!waiting) return;
    const end = buffer.indexOf(HEADER_END);
    if (end < 0) return;
    const head = buffer.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let total: number;
    if (lengthMatch) {
      total = end + 4 + Number(lengthMatch[1]);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = buffer.indexOf('0\r\n\r\n', end + 4);
      if (last < 0) return;
      total = last + 5;
    } else total = end + 4;
    if (buffer.length < total) return;
    buffer = buffer.subarray(total);
    const done = waiting;
    waiting = null;
    failed = null;
    done(status);
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    tryParse();
  });
  const fail = (err: Error) => {
    const f = failed;
    waiting = null;
    failed = null;
    f?.(err);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('connection closed')));
  return (): Promise<number> =>
    new Promise((resolve, reject) => {
      waiting = resolve;
      failed = reject;
      tryParse();
    });
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  let counter = 0;
  const latenciesMs: number[] = [];
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const measureFrom = started + o.warmupMs;
  const end = measureFrom + o.durationMs;
  const extra = Object.entries(o.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const render = (body: string) => {
    const bytes = Buffer.from(body);
    return Buffer.concat([
      Buffer.from(
        `POST ${o.path} HTTP/1.1\r\nhost: 127.0.0.1:${o.port}\r\ncontent-type: application/json\r\ncontent-length: ${bytes.length}\r\n${extra}\r\n`,
      ),
      bytes,
    ]);
  };
  const connection = async () => {
    const socket = net.connect({ port: o.port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const next = answerReader(socket);
    try {
      while (performance.now() < end) {
        const request = render(o.body(counter++));
        const t0 = performance.now();
        socket.write(request);
        const status = await next();
        const t1 = performance.now();
        if (t0 < measureFrom) continue;
        if (status >= 200 && status < 300) {
          ok++;
          latenciesMs.push(t1 - t0);
        } else {
          errors++;
          firstError ??= String(status);
        }
      }
    } catch (err) {
      errors++;
      firstError ??= (err as Error).message;
    } finally {
      socket.destroy();
    }
  };
  await Promise.all(Array.from({ length: o.connections }, connection));
  return { ok, errors, firstError, latenciesMs, measuredMs: Math.min(performance.now(), end) - measureFrom };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}
