/**
 * The SDK hot-path comparison (primary figure: CPU per request, interleaved). For each service
 * variant — the login service with its log line and without it — all scenarios run at once as
 * idle processes: bare, the slim stock baseline (`stock-slim.ts`: sdk-node with authlens's
 * curated instrumentations, exporters and sampler), the same with `@fastify/otel`, and authlens,
 * each at 100 % and 10 % sampling. Load slices then go to one process at a time, in an order
 * rotated every round, in two modes: saturating (50 connections, as fast as it answers) and a
 * fixed total rate well below saturation (`BENCH_RATE`, default 3 000 req/s, 10 connections).
 * Each slice's CPU per request is the process's CPU time (all threads, `/proc` schedstat)
 * divided by the requests served. Per round, a row's overhead is its CPU per request minus
 * bare's in the same round and mode, and its ratio is that overhead over the slim stock
 * baseline's overhead at the same sampling; the table gives medians and the min–max spread over
 * the rounds.
 *
 *   node benchmarks/compare.ts            # from packages/sdk (or `pnpm bench:compare`)
 *   node benchmarks/compare.ts --write    # also replaces the table in docs/benchmarks.md
 *
 * Bounded: BENCH_ROUNDS (default 6) rounds, 1 s saturating and 2 s fixed-rate slices
 * (BENCH_SLICE_SECONDS, BENCH_FIXED_SECONDS), BENCH_SERVICES=log,nolog, BENCH_MODES=
 * saturating,fixed; rounds stop early once BENCH_MAX_SECONDS (default 900) have passed.
 * Loopback only; telemetry goes to an in-process OTLP sink that answers 200.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, rssMb } from './proc.ts';
import { startSink } from './sink.ts';

interface AutocannonResult {
  requests: { total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkRoot = path.resolve(here, '..');
const repoRoot = path.resolve(sdkRoot, '../..');
const env = process.env;
const rounds = Math.max(1, Number(env.BENCH_ROUNDS ?? 6));
const sliceSeconds = Number(env.BENCH_SLICE_SECONDS ?? 1);
const fixedSeconds = Number(env.BENCH_FIXED_SECONDS ?? 2);
const rate = Number(env.BENCH_RATE ?? 3000);
const maxSeconds = Number(env.BENCH_MAX_SECONDS ?? 900);
const services = (env.BENCH_SERVICES ?? 'log,nolog').split(',') as ('log' | 'nolog')[];
const modes = (env.BENCH_MODES ?? 'saturating,fixed').split(',') as ('saturating' | 'fixed')[];

interface Scenario {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** The slim stock row this row's overhead is divided by. */
  base?: string;
}

function scenarios(sink: string): Scenario[] {
  const otel = (ratio: string): Record<string, string> => ({
    OTEL_SERVICE_NAME: 'bench-login',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink,
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: ratio,
  });
  const stock = (ratio: string, fastifyOtel: boolean): Record<string, string> => ({
    ...otel(ratio),
    MONITORING_ENABLED: 'false',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp,prometheus',
    OTEL_LOGS_EXPORTER: 'otlp',
    BENCH_FASTIFY_OTEL: fastifyOtel ? '1' : '0',
  });
  const stockArgs = ['--import', path.join(here, 'stock-slim.ts')];
  const authlensArgs = ['--import', path.join(sdkRoot, 'src/register.ts')];
  const rows: Scenario[] = [{ name: 'bare', args: [], env: { MONITORING_ENABLED: 'false' } }];
  for (const [pct, ratio] of [
    ['100 %', '1'],
    ['10 %', '0.1'],
  ] as const) {
    const base = `stock slim ${pct}`;
    rows.push(
      { name: base, args: stockArgs, env: stock(ratio, false), base },
      { name: `stock + @fastify/otel ${pct}`, args: stockArgs, env: stock(ratio, true), base },
      { name: `authlens ${pct}`, args: authlensArgs, env: otel(ratio), base },
    );
  }
  return rows;
}

interface Running {
  scenario: Scenario;
  child: ChildProcess;
  port: number;
}

async function startService(s: Scenario, log: boolean): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--conditions=authlens-source', ...s.args, path.join(here, 'login-service.ts')],
    {
      cwd: sdkRoot,
      env: { PATH: env.PATH ?? '', NODE_ENV: 'production', BENCH_LOG: log ? '1' : '0', ...s.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${s.name}: no LISTENING in 60 s`)), 60_000);
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
      if (out.length > 8192) out = out.slice(-1024);
    });
    child.once('exit', (code) => reject(new Error(`${s.name}: exited (${code}) before listening: ${out}`)));
  });
  return { scenario: s, child, port };
}

const body = JSON.stringify({ username: 'alice', password: 'correct horse battery staple' });
function load(r: Running, mode: 'saturating' | 'fixed' | 'warm-up'): Promise<AutocannonResult> {
  const fixed = mode === 'fixed';
  return autocannon({
    url: `http://127.0.0.1:${r.port}/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: fixed ? 10 : 50,
    duration: mode === 'warm-up' ? 2 : fixed ? fixedSeconds : sliceSeconds,
    ...(fixed ? { overallRate: rate } : {}),
  });
}

interface Slice {
  cpuUs: number;
  rps: number;
  p99: number;
  errors: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');
const spread = (xs: number[], fmt: (n: number) => string) =>
  `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

const t0 = performance.now();
const load0 = loadavg()[0] as number;
const sink = await startSink();
const all = scenarios(sink.url);
const tables: string[] = [];
let roundsDone = rounds;
try {
  for (const service of services) {
    const running: Running[] = [];
    try {
      for (const s of all) {
        process.stderr.write(`${service}: starting ${s.name} …\n`);
        running.push(await startService(s, service === 'log'));
      }
      for (const r of running) await load(r, 'warm-up');
      // slices[mode][scenario index][round]
      const slices = new Map(modes.map((m) => [m, all.map(() => [] as Slice[])]));
      for (let round = 0; round < rounds; round++) {
        if (round > 0 && (performance.now() - t0) / 1000 > maxSeconds) {
          roundsDone = Math.min(roundsDone, round);
          break;
        }
        for (const mode of modes) {
          process.stderr.write(`${service}: round ${round + 1}/${rounds}, ${mode} …\n`);
          for (let k = 0; k < running.length; k++) {
            const i = (k + round) % running.length;
            const r = running[i] as Running;
            const pid = r.child.pid as number;
            const cpu0 = cpuSeconds(pid);
            const res = await load(r, mode);
            const cpu = cpuSeconds(pid) - cpu0;
            const seconds = mode === 'fixed' ? fixedSeconds : sliceSeconds;
            slices.get(mode)?.[i]?.push({
              cpuUs: (cpu * 1e6) / Math.max(1, res.requests.total),
              rps: res.requests.total / seconds,
              p99: res.latency.p99,
              errors: res.errors + res.non2xx,
            });
          }
        }
      }
      const rss = running.map((r) => rssMb(r.child.pid as number));
      for (const mode of modes) {
        const rows = slices.get(mode) as Slice[][];
        const n = (rows[0] as Slice[]).length;
        const bareCpu = (rows[0] as Slice[]).map((s) => s.cpuUs);
        const overhead = (i: number) => (rows[i] as Slice[]).map((s, k) => s.cpuUs - (bareCpu[k] as number));
        const lines = [
          `| ${service === 'log' ? 'with log line' : 'no log line'}, ${mode === 'fixed' ? `fixed ${rate} req/s` : 'saturating'} | CPU per request | overhead vs bare (median, min–max) | overhead ÷ slim stock's | req/s | p99 | RSS after load | errors |`,
          '|---|---|---|---|---|---|---|---|',
        ];
        all.forEach((s, i) => {
          const mine = rows[i] as Slice[];
          const over = overhead(i);
          const baseIndex = all.findIndex((b) => b.name === s.base);
          const ratio =
            baseIndex === -1
              ? []
              : over.map((o, k) => o / ((overhead(baseIndex)[k] as number) || Number.NaN));
          lines.push(
            `| ${s.name} | ${f1(median(mine.map((x) => x.cpuUs)))} µs | ${i === 0 ? '—' : `+${spread(over, f1)} µs`} | ${ratio.length ? `${spread(ratio, f2)}×` : '—'} | ${median(mine.map((x) => x.rps)).toFixed(0)} | ${median(mine.map((x) => x.p99)).toFixed(1)} ms | ${(rss[i] ?? Number.NaN).toFixed(0)} MB (${i === 0 ? '—' : `${rss[i]! - rss[0]! >= 0 ? '+' : ''}${(rss[i]! - rss[0]!).toFixed(0)}`}) | ${mine.reduce((a, x) => a + x.errors, 0)} |`,
          );
        });
        tables.push(`${lines.join('\n')}\n\n(${n} rounds)`);
      }
    } finally {
      for (const r of running) r.child.kill('SIGKILL');
    }
  }
} finally {
  sink.close();
}

const meta = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, 1-min load ${load0.toFixed(1)} → ${(loadavg()[0] as number).toFixed(1)}, up to ${roundsDone} rounds of ${sliceSeconds} s saturating (50 connections) and ${fixedSeconds} s fixed-rate (${rate} req/s, 10 connections) slices per row, ${((performance.now() - t0) / 1000).toFixed(0)} s in all; the OTLP sink received ${sink.requests()} export requests.`;
const out = `${tables.join('\n\n')}\n\n${meta}\n`;
process.stdout.write(out);

if (process.argv.includes('--write')) {
  const doc = path.join(repoRoot, 'docs/benchmarks.md');
  const start = '<!-- sdk-compare:results:start -->';
  const end = '<!-- sdk-compare:results:end -->';
  const text = readFileSync(doc, 'utf8');
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j === -1) throw new Error(`docs/benchmarks.md has no ${start} … ${end} block`);
  writeFileSync(doc, `${text.slice(0, i + start.length)}\n${out}${text.slice(j)}`);
  execFileSync(path.join(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', doc], {
    stdio: 'ignore',
  });
  process.stderr.write('updated docs/benchmarks.md\n');
}
