/**
 * SDK request hot path: bare vs `@opentelemetry/auto-instrumentations-node/register` vs
 * authlens (100 % and 10 % trace sampling), side by side in one run. For each scenario it
 * reports time to first listen, throughput (ratio to bare), p99 latency and RSS after load.
 *
 *   pnpm --filter @authlens/sdk bench            # prints the table
 *   pnpm --filter @authlens/sdk bench -- --write # also updates docs/benchmarks.md
 *
 * Bounded: 1 s warm-up + 5 s (BENCH_SECONDS) per scenario, 50 connections, loopback only.
 * Telemetry goes to an in-process OTLP sink that answers 200 and discards the body.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface AutocannonResult {
  requests: { average: number };
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

function startSink(): Promise<{ url: string; close: () => void; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/x-protobuf');
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
        requests: () => requests,
      }),
    ),
  );
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
  errors: number;
}

async function runScenario(s: Scenario): Promise<Row> {
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
    const request = {
      url: `http://127.0.0.1:${port}/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse battery staple' }),
      connections,
    };
    await autocannon({ ...request, duration: 1 });
    const result = await autocannon({ ...request, duration: seconds });
    return {
      name: s.name,
      startupMs,
      rps: result.requests.average,
      p99: result.latency.p99,
      rss: rssMb(child.pid as number),
      errors: result.errors + result.non2xx,
    };
  } finally {
    child.kill('SIGKILL');
    child.stderr?.destroy();
  }
}

const sink = await startSink();
const rows: Row[] = [];
try {
  for (const s of scenarios(sink.url)) {
    process.stderr.write(`running ${s.name} …\n`);
    rows.push(await runScenario(s));
  }
} finally {
  sink.close();
}

const bare = rows[0] as Row;
const fmt = (n: number, d = 0) => n.toFixed(d);
const lines = [
  `| scenario | time to first listen | throughput (req/s) | vs bare | p99 latency | RSS after load | errors |`,
  `|---|---|---|---|---|---|---|`,
  ...rows.map(
    (r) =>
      `| ${r.name} | ${fmt(r.startupMs)} ms (${r === bare ? '—' : `${r.startupMs >= bare.startupMs ? '+' : ''}${fmt(r.startupMs - bare.startupMs)} ms`}) | ${fmt(r.rps)} | ${fmt(r.rps / bare.rps, 2)}× | ${fmt(r.p99)} ms | ${fmt(r.rss)} MB (${r === bare ? '—' : `${r.rss >= bare.rss ? '+' : ''}${fmt(r.rss - bare.rss)} MB`}) | ${r.errors} |`,
  ),
];
const table = lines.join('\n');
const meta = `Node ${process.version}, ${connections} connections, ${seconds} s per scenario after a 1 s warm-up, ${new Date().toISOString().slice(0, 10)}; the OTLP sink received ${sink.requests()} export requests.`;
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
  process.stderr.write('updated docs/benchmarks.md\n');
}
