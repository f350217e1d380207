/**
 * The two servers of the side-by-side ingest benchmark, as subprocesses: Debian's
 * `prometheus-alertmanager` (in memory, one receiver that sends nothing) and `authlens serve`
 * (the real CLI) on a given store. CPU time and RSS are read from /proc for each.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServerUnderTest {
  name: string;
  port: number;
  pid: number;
  /** Bytes the server wrote to stdout + stderr so far (log volume). */
  logBytes(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHttp(url: string, child: ChildProcess, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} before it answered`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`);
}

function track(name: string, child: ChildProcess, port: number, cleanup: () => void): ServerUnderTest {
  let bytes = 0;
  child.stdout?.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  child.stderr?.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    port,
    pid: child.pid ?? 0,
    logBytes: () => bytes,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      cleanup();
    },
  };
}

/** Debian's Alertmanager 0.25 on a free port, state in a temp dir, clustering off. */
export async function startAlertmanager(): Promise<ServerUnderTest> {
  const bin = '/usr/bin/prometheus-alertmanager';
  if (!existsSync(bin))
    throw new Error(
      `${bin} is missing: install Debian's prometheus-alertmanager (apt-get install prometheus-alertmanager)`,
    );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-bench-am-'));
  writeFileSync(
    path.join(dir, 'alertmanager.yml'),
    'route:\n  receiver: blackhole\n  group_wait: 30s\nreceivers:\n  - name: blackhole\n',
  );
  const port = await freePort();
  const child = spawn(
    bin,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForHttp(`http://127.0.0.1:${port}/-/ready`, child, 'alertmanager');
  return track('Alertmanager 0.25', child, port, () => rmSync(dir, { recursive: true, force: true }));
}

export interface AuthlensServeOptions {
  name: string;
  storeUrl: string;
  apiKey: string;
  /** Extra Node flags (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  /**
   * `sources` (default): the TypeScript sources (`--conditions=authlens-source`, types stripped at
   * load); `dist`: the built JavaScript, as users run the package (build it first: `buildDist()`).
   */
  from?: 'sources' | 'dist';
  env?: Record<string, string>;
}

/** Builds (incrementally) the dist/ of the packages `authlens serve` runs from. */
export function buildDist(): void {
  const tsc = path.join(repoRoot, 'node_modules/.bin/tsc');
  const projects = ['packages/sdk', 'dashboards', 'packages/status-api'].map(
    (p) => `${p}/tsconfig.build.json`,
  );
  execFileSync(tsc, ['-b', ...projects], { cwd: repoRoot, stdio: 'inherit' });
}

/** `authlens serve` (the real CLI, from the sources or the built dist/) on a free port. */
export async function startAuthlens(o: AuthlensServeOptions): Promise<ServerUnderTest> {
  const node = path.join(repoRoot, 'node_modules/node/bin/node');
  const cli = path.join(repoRoot, 'packages/status-api/bin/authlens.js');
  const port = await freePort();
  const from = o.from === 'dist' ? [] : ['--conditions=authlens-source'];
  const child = spawn(node, [...(o.nodeFlags ?? []), ...from, cli, 'serve'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      ALERT_STORE_URL: o.storeUrl,
      MONITORING_API_KEYS: `bench:${o.apiKey}:write`,
      // The rate limit stays on (as in production), with a budget the load cannot reach.
      MONITORING_RATE_LIMIT_PER_MINUTE: '100000000',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForHttp(`http://127.0.0.1:${port}/monitoring/health/live/`, child, `authlens serve (${o.name})`);
  return track(o.name, child, port, () => undefined);
}

/** User + system CPU time of a process so far, in ms (Linux /proc). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: state is [0]; utime is field 14 overall → [11], stime → [12].
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Resident set size in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
