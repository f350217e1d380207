/**
 * SDK start-up cost as users pay it, side by side: the benchmark's login service
 * (`login-service.ts`, Fastify) started bare against the same service started with
 * `node --import @authlens/sdk/register` resolving to the built `dist/` (the package's `default`
 * export condition, what an installed package runs), alternating within each round. For every
 * start it takes the wall time from spawn to the first successful HTTP response (a correct
 * `POST /login` answered 200: time-to-ready) and the CPU time the process has used by then
 * (all threads, `/proc/<pid>/task/*\/schedstat`), then stops the process. CPU time is the figure
 * to compare on a busy machine; wall time moves with the load.
 *
 *   pnpm --filter @authlens/sdk bench:startup     # builds dist/ first; STARTUP_RUNS rounds (default 15)
 *
 * `STARTUP_DISABLED='pg,ioredis;undici'` adds one row per `;`-separated list: the dist start with
 * `OTEL_NODE_DISABLED_INSTRUMENTATIONS` set to it (what skipping those instrumentations would buy).
 * `STARTUP_MODULES=1` adds one untimed start per row that counts the modules loaded (`count-modules.ts`).
 * `STARTUP_COMPILE_CACHE=1` runs every row with Node's compile cache (`NODE_COMPILE_CACHE`, warm).
 * `STARTUP_SOURCE=1` adds a third row: the TypeScript sources (`--conditions=authlens-source`,
 * Node's type stripping), as the repo's own tests run them. `STARTUP_BASELINE=/path/to/other/
 * packages/sdk` adds the dist of another checkout (its own built `dist/` and dependencies).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './proc.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkRoot = path.resolve(here, '..');
const runs = Math.max(3, Number(process.env.STARTUP_RUNS ?? 15));
const targetMs = 150;
// The real binary (node_modules/.bin/node is a wrapper that does not exec: its CPU would not count).
const nodeBin = process.execPath;

interface Sample {
  readyMs: number;
  cpuMs: number;
}

interface Scenario {
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

const body = JSON.stringify({ username: 'alice', password: 'correct horse battery staple' });

function postLogin(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/login',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function waitForPort(child: ChildProcess): Promise<{ port: number; modules?: number }> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      err += chunk;
      const m = /LISTENING (\d+)/.exec(err);
      const n = /MODULES (\d+)/.exec(err);
      if (m) resolve({ port: Number(m[1]), ...(n ? { modules: Number(n[1]) } : {}) });
    });
    child.once('exit', (code) =>
      reject(new Error(`service exited (${code}) before listening: ${err.slice(-500)}`)),
    );
  });
}

async function once(s: Scenario, countModules = false): Promise<Sample & { modules?: number }> {
  const t0 = performance.now();
  const preload = countModules ? ['--import', path.join(here, 'count-modules.ts')] : [];
  const child = spawn(nodeBin, [...preload, ...s.args, path.join(here, 'login-service.ts')], {
    cwd: s.cwd,
    env: { ...process.env, BENCH_LOG: '1', ...s.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    const { port, modules } = await waitForPort(child);
    const status = await postLogin(port);
    const readyMs = performance.now() - t0;
    const cpuMs = cpuSeconds(child.pid as number) * 1000;
    if (status !== 200) throw new Error(`first POST /login answered ${status}, expected 200`);
    return { readyMs, cpuMs, ...(modules === undefined ? {} : { modules }) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

function assertDistFresh(root: string): void {
  const dist = path.join(root, 'dist', 'register.js');
  if (!existsSync(dist))
    throw new Error(`${dist} is missing: run \`pnpm --filter @authlens/sdk build\` first`);
  const src = path.join(root, 'src', 'register.ts');
  if (existsSync(src) && statSync(src).mtimeMs > statSync(dist).mtimeMs + 1000) {
    console.warn(`note: ${src} is newer than ${dist}; rebuild for a current figure`);
  }
}

const authlensEnv = {
  OTEL_SERVICE_NAME: 'bench-startup',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
  OTEL_EXPORTER_PROMETHEUS_PORT: '0',
};
const register = ['--import', '@authlens/sdk/register'];
// The service is TypeScript in every row (Node strips its types), so only the SDK differs.
const scenarios: Record<string, Scenario> = {
  bare: { args: [], env: { MONITORING_ENABLED: 'false' }, cwd: sdkRoot },
  'authlens (dist)': { args: register, env: authlensEnv, cwd: sdkRoot },
};
assertDistFresh(sdkRoot);
if (process.env.STARTUP_SOURCE === '1') {
  scenarios['authlens (TypeScript sources)'] = {
    args: ['--conditions=authlens-source', ...register],
    env: authlensEnv,
    cwd: sdkRoot,
  };
}
// What a cut would buy: the same start with these instrumentations switched off by configuration.
for (const disabled of (process.env.STARTUP_DISABLED ?? '').split(';').filter(Boolean)) {
  scenarios[`authlens (dist), without ${disabled}`] = {
    args: register,
    env: { ...authlensEnv, OTEL_NODE_DISABLED_INSTRUMENTATIONS: disabled },
    cwd: sdkRoot,
  };
}
const baseline = process.env.STARTUP_BASELINE;
if (baseline) {
  assertDistFresh(baseline);
  scenarios['authlens (dist, baseline)'] = { args: register, env: authlensEnv, cwd: baseline };
}

// Node's own compile cache (`NODE_COMPILE_CACHE`), one directory per row, filled by the untimed start.
if (process.env.STARTUP_COMPILE_CACHE === '1') {
  const root = mkdtempSync(path.join(os.tmpdir(), 'authlens-startup-cache-'));
  for (const [i, s] of Object.values(scenarios).entries())
    s.env = { ...s.env, NODE_COMPILE_CACHE: path.join(root, String(i)) };
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
}
const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
const load0 = os.loadavg()[0] ?? 0;
// One untimed start of each first (disk cache, compile cache).
for (const s of Object.values(scenarios)) await once(s);
for (let i = 0; i < runs; i++) {
  // Alternate the order every round so neither row always follows the other.
  const names = Object.keys(scenarios);
  if (i % 2 === 1) names.reverse();
  for (const name of names) samples[name]?.push(await once(scenarios[name] as Scenario));
}
const load1 = os.loadavg()[0] ?? 0;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};
const stat = (xs: number[]) => ({
  p25: quantile(xs, 0.25),
  median: quantile(xs, 0.5),
  p75: quantile(xs, 0.75),
});
const fmt = (st: ReturnType<typeof stat>) =>
  `${st.median.toFixed(0)} ms (${st.p25.toFixed(0)}–${st.p75.toFixed(0)})`;
const bare = samples.bare as Sample[];
// Difference per round (each authlens start against the bare start of the same round), then the median.
const paired = (name: string, key: keyof Sample) =>
  stat((samples[name] as Sample[]).map((x, i) => x[key] - (bare[i] as Sample)[key]));

console.log(
  '| process | time-to-ready, median (p25–p75) | vs bare, paired median (p25–p75) | CPU until ready | vs bare | target bare + 150 ms |',
);
console.log('|---|---|---|---|---|---|');
for (const name of Object.keys(scenarios)) {
  const xs = samples[name] as Sample[];
  const ready = fmt(stat(xs.map((x) => x.readyMs)));
  const cpu = fmt(stat(xs.map((x) => x.cpuMs)));
  if (name === 'bare') {
    console.log(`| bare | ${ready} | — | ${cpu} | — | — |`);
    continue;
  }
  const dReady = paired(name, 'readyMs');
  const dCpu = paired(name, 'cpuMs');
  const verdict = dReady.median <= targetMs ? 'met' : 'missed';
  const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(0)}`;
  const d = (st: ReturnType<typeof stat>) => `${sign(st.median)} ms (${sign(st.p25)}–${sign(st.p75)})`;
  console.log(
    `| ${name}${name.endsWith('baseline)') ? `: ${baseline}` : ''} | ${ready} | ${d(dReady)} | ${cpu} | ${d(dCpu)} | ${verdict} (${sign(dReady.median - targetMs)} ms) |`,
  );
}
if (process.env.STARTUP_MODULES === '1') {
  // One extra, untimed start per row with a counting preload: modules loaded until the port is printed.
  const counts: string[] = [];
  for (const [name, s] of Object.entries(scenarios)) counts.push(`${name} ${(await once(s, true)).modules}`);
  console.log(`\nModules loaded until listening: ${counts.join(', ')}.`);
}
console.log(
  `\nNode ${process.version}, login service (Fastify, one log line)${process.env.STARTUP_COMPILE_CACHE === '1' ? ', NODE_COMPILE_CACHE warm in every row' : ''}, ${runs} alternating rounds after one untimed start each, ${new Date().toISOString().slice(0, 16)}Z, 1-min load ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${os.cpus().length} cores.`,
);
