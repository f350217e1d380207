/**
 * Shared by the interleaved scripts (`ab.ts`, `sweep.ts`): the port a spawned login service
 * reports, and one autocannon slice of login requests against it.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

type Autocannon = (opts: Record<string, unknown>) => Promise<{ requests: { total: number } }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** The port of the service's `LISTENING <port>` line on stderr; rejects if it exits first. */
export function listeningPort(child: ChildProcess, name: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${out}`)));
  });
}

const body = JSON.stringify({ username: 'alice', password: 'correct horse battery staple' });

/** One slice of `POST /login`: saturating with `connections`, or at `rate` req/s overall. */
export function loadLogin(
  port: number,
  duration: number,
  options: { connections: number; rate?: number | undefined },
): Promise<{ requests: { total: number } }> {
  return autocannon({
    url: `http://127.0.0.1:${port}/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: options.connections,
    duration,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
}
