/**
 * Interleaved A/B of the request hot path: two copies of the SDK (two package directories, e.g.
 * a `git archive` of the last commit and the working tree) each run the login service at once;
 * 1 s autocannon slices alternate between them, and each side's CPU per request (user + system,
 * from /proc) is taken per slice. On a shared machine this is steadier than throughput: a busy
 * moment hits both sides alike.
 *
 *   node benchmarks/ab.ts <sdk dir A> <sdk dir B>
 *   BENCH_SLICES (default 16 per side), BENCH_RATIO (trace sampling, default 0.1),
 *   BENCH_LOG=0 (the login route without its log line), BENCH_STDOUT=pipe (the service's stdout
 *   a pipe this script drains, as under a container runtime, instead of /dev/null),
 *   BENCH_ENV_A / BENCH_ENV_B (`K=V,K2=V2`: extra environment for one side, e.g. the same
 *   directory twice with one part switched off by configuration)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { listeningPort, loadLogin } from './login-load.ts';
import { cpuSeconds, rssMb } from './proc.ts';

const [dirA, dirB] = process.argv.slice(2).map((d) => path.resolve(d));
if (dirA === undefined || dirB === undefined) {
  process.stderr.write('usage: node benchmarks/ab.ts <sdk dir A> <sdk dir B>\n');
  process.exit(2);
}
const slices = Number(process.env.BENCH_SLICES ?? 16);
const ratio = process.env.BENCH_RATIO ?? '0.1';

const sink = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end());
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

interface Side {
  name: string;
  child: ChildProcess;
  port: number;
  cpuUs: number[];
  rps: number[];
}

/** `K=V,K2=V2` → an environment object. */
const envOf = (spec: string | undefined): Record<string, string> =>
  Object.fromEntries(
    (spec ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

async function startSide(name: string, dir: string): Promise<Side> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=authlens-source',
      '--import',
      path.join(dir, 'src/register.ts'),
      path.join(dir, 'benchmarks/login-service.ts'),
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        OTEL_SERVICE_NAME: 'bench-login',
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: ratio,
        BENCH_LOG: process.env.BENCH_LOG ?? '1',
        ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
        ...envOf(process.env[`BENCH_ENV_${name}`]),
      },
      stdio: ['ignore', process.env.BENCH_STDOUT === 'pipe' ? 'pipe' : 'ignore', 'pipe'],
    },
  );
  child.stdout?.resume();
  const port = await listeningPort(child, name);
  return { name, child, port, cpuUs: [], rps: [] };
}

const load = (side: Side, duration: number) => loadLogin(side.port, duration, { connections: 50 });

const sides = [await startSide('A', dirA), await startSide('B', dirB)];
try {
  for (const s of sides) await load(s, 2);
  for (let i = 0; i < slices; i++) {
    // Alternate which side goes first, so neither always follows the other.
    for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
      const pid = s.child.pid as number;
      const cpu0 = cpuSeconds(pid);
      const r = await load(s, 1);
      s.cpuUs.push(((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, r.requests.total));
      s.rps.push(r.requests.total);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const s of sides) {
    process.stdout.write(
      `${s.name}: CPU/request median ${median(s.cpuUs).toFixed(1)} µs, mean ${mean(s.cpuUs).toFixed(1)} µs; ` +
        `req/s median ${median(s.rps).toFixed(0)}; RSS ${rssMb(s.child.pid as number).toFixed(0)} MB ` +
        `(${slices} slices, sampling ${ratio})\n`,
    );
  }
} finally {
  for (const s of sides) s.child.kill('SIGKILL');
  sink.close();
}
