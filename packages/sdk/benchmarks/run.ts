/**
 * SDK request hot path: bare vs `@opentelemetry/auto-instrumentations-node/register` vs
 * authlens (100 % and 10 % trace sampling), side by side in one run. For each scenario it
 * reports time to first listen, throughput (ratio to bare), p99 latency and RSS after load.
 *
 *   pnpm --filter @authlens/sdk bench            # prints the table
 *   pnpm --filter @authlens/sdk bench -- --write # also updates docs/benchmarks.md
 *
 * Bounded: 1 s warm-up + 5 s (BENCH_SECONDS) per scenario and round, BENCH_ROUNDS (default 2)
 * rounds run in turn (bare, stock, authlens 100 %, authlens 10 %, bare, …) so that a busy
 * moment on the shared machine hits every scenario alike; ratios are taken within a round and
 * averaged. 50 connections, loopback only. Time to first listen is the median of three starts.
 * CPU per request is the service process's user + system CPU time (all its threads, from
 * /proc) during the measured load divided by the requests served: unlike throughput, it does
 * not depend on how much of the two cores the load generator takes.
 * Telemetry goes to an in-process OTLP sink that answers 200 and discards the body.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSink } from './sink.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; p50: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkRoot = path.resolve(here, '..');
const repoRoot = path.resolve(sdkRoot, '../..');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const startupSamples = 3;
const connections = 50;

interface Scenario {
  name: string;
  args: string[];
  env: Record<string, string>;
}

function scenarios(sink: string): Scenario[] {
  const authlens = (ratio: string): Record<string, string> => ({
    OTEL_SERVICE_NAME: 'bench-login',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink,
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: ratio,
  });
  // `BENCH_RATIOS=0,0.01,0.1`: bare against authlens at each trace sampling ratio (a sweep).
  if (process.env.BENCH_RATIOS) {
    return [
      { name: 'bare', args: [], env: { MONITORING_ENABLED: 'false' } },
      ...process.env.BENCH_RATIOS.split(',').map((r) => ({
        name: `authlens ${Number(r) * 100} %`,
        args: ['--import', path.join(sdkRoot, 'src/register.ts')],
        env: authlens(r),
      })),
    ];
  }
  return [
    { name: 'bare', args: [], env: { MONITORING_ENABLED: 'false' } },
    {
      name: 'auto-instrumentations-node',
      args: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
      env: {
        MONITORING_ENABLED: 'false',
        OTEL_SERVICE_NAME: 'bench-login',
        OTEL_EXPORTER_OTLP_ENDPOINT: sink,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_LOGS_EXPORTER: 'otlp',
      },
    },
    { name: 'authlens 100 %', args: ['--import', path.join(sdkRoot, 'src/register.ts')], env: authlens('1') },
    {
      name: 'authlens 10 %',
      args: ['--import', path.join(sdkRoot, 'src/register.ts')],
      env: authlens('0.1'),
    },
  ];
}

/** User + system CPU seconds of a process (all threads). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

interface Row {
  name: string;
  startupMs: number;
  rps: number;
  p99: number;
  rss: number;
  cpuUs: number;
  errors: number;
}

async function runScenario(s: Scenario, load: boolean): Promise<Row> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ['--conditions=authlens-source', ...s.args, path.join(here, 'login-service.ts')],
    {
      cwd: sdkRoot,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...s.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${s.name}: no LISTENING in 30 s`)), 30_000);
      child.stderr?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /LISTENING (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          out = '';
          resolve(Number(m[1]));
        }
        if (out.length > 4096) out = out.slice(-256);
      });
      child.once('exit', (code) => reject(new Error(`${s.name}: exited (${code}) before listening`)));
    });
    const startupMs = performance.now() - t0;
    if (!load) return { name: s.name, startupMs, rps: 0, p99: 0, rss: 0, cpuUs: 0, errors: 0 };
    const request = {
      url: `http://127.0.0.1:${port}/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse battery staple' }),
      connections,
    };
    await autocannon({ ...request, duration: 1 });
    const cpu0 = cpuSeconds(child.pid as number);
    const result = await autocannon({ ...request, duration: seconds });
    const cpu = cpuSeconds(child.pid as number) - cpu0;
    return {
      name: s.name,
      startupMs,
      rps: result.requests.average,
      p99: result.latency.p99,
      rss: rssMb(child.pid as number),
      cpuUs: (cpu * 1e6) / Math.max(1, result.requests.total),
      errors: result.errors + result.non2xx,
    };
  } finally {
    child.kill('SIGKILL');
    child.stderr?.destroy();
  }
}

const sink = await startSink();
const all = scenarios(sink.url);
const perRound: Row[][] = [];
const startups = new Map<string, number[]>();
try {
  for (let round = 0; round < rounds; round++) {
    const rows: Row[] = [];
    for (const s of all) {
      process.stderr.write(`round ${round + 1}/${rounds}: ${s.name} …\n`);
      const row = await runScenario(s, true);
      rows.push(row);
      startups.set(s.name, [...(startups.get(s.name) ?? []), row.startupMs]);
    }
    perRound.push(rows);
  }
  // Extra starts (no load) until each scenario has `startupSamples` start-up times.
  for (const s of all) {
    while ((startups.get(s.name)?.length ?? 0) < startupSamples) {
      const row = await runScenario(s, false);
      startups.get(s.name)?.push(row.startupMs);
    }
  }
} finally {
  sink.close();
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
interface Summary extends Row {
  ratio: number;
}
const summary: Summary[] = all.map((s, i) => {
  const mine = perRound.map((r) => r[i] as Row);
  return {
    name: s.name,
    startupMs: median(startups.get(s.name) ?? [Number.NaN]),
    rps: mean(mine.map((r) => r.rps)),
    ratio: mean(perRound.map((r) => (r[i] as Row).rps / (r[0] as Row).rps)),
    p99: mean(mine.map((r) => r.p99)),
    rss: mean(mine.map((r) => r.rss)),
    cpuUs: mean(mine.map((r) => r.cpuUs)),
    errors: mine.reduce((a, r) => a + r.errors, 0),
  };
});

const bare = summary[0] as Summary;
const fmt = (n: number, d = 0) => n.toFixed(d);
const delta = (v: number, base: number, unit: string, d = 0) =>
  `${v >= base ? '+' : ''}${fmt(v - base, d)} ${unit}`;
const lines = [
  `| scenario | time to first listen | throughput (req/s) | vs bare | p99 latency | RSS after load | CPU per request | errors |`,
  `|---|---|---|---|---|---|---|---|`,
  ...summary.map(
    (r) =>
      `| ${r.name} | ${fmt(r.startupMs)} ms (${r === bare ? '—' : delta(r.startupMs, bare.startupMs, 'ms')}) | ${fmt(r.rps)} | ${fmt(r.ratio, 2)}× | ${fmt(r.p99, 1)} ms | ${fmt(r.rss)} MB (${r === bare ? '—' : delta(r.rss, bare.rss, 'MB')}) | ${fmt(r.cpuUs, 1)} µs (${r === bare ? '—' : delta(r.cpuUs, bare.cpuUs, 'µs', 1)}) | ${r.errors} |`,
  ),
];
const table = lines.join('\n');
const meta = `Node ${process.version}, ${connections} connections, ${rounds} round(s) of ${seconds} s per scenario after a 1 s warm-up (throughput, p99, RSS and CPU averaged over the rounds; ratios taken within each round), start-up the median of ${startupSamples} starts, ${new Date().toISOString().slice(0, 10)}; the OTLP sink received ${sink.requests()} export requests.`;
process.stdout.write(`${table}\n\n${meta}\n`);

if (process.argv.includes('--write')) {
  const doc = path.join(repoRoot, 'docs/benchmarks.md');
  const start = '<!-- sdk-hot-path:results:start -->';
  const end = '<!-- sdk-hot-path:results:end -->';
  const text = readFileSync(doc, 'utf8');
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j === -1) throw new Error(`docs/benchmarks.md has no ${start} … ${end} block`);
  writeFileSync(doc, `${text.slice(0, i + start.length)}\n${table}\n\n${meta}\n${text.slice(j)}`);
  // Pad the table the way the repo's formatter does, so `pnpm lint` stays clean.
  execFileSync(path.join(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', doc], {
    stdio: 'ignore',
  });
  process.stderr.write('updated docs/benchmarks.md\n');
}
