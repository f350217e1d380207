/**
 * Interleaved sweep of one SDK directory over several configurations (e.g. sampling ratios):
 * every configuration runs the login service at once, idle between its slices; fixed-rate
 * load slices rotate over them, and each one's CPU per request (all threads, /proc) is taken
 * per slice. It answers "how does the cost grow with X" in one run, where separate runs on a
 * shared machine differ by more than the effect.
 *
 *   node benchmarks/sweep.ts [sdk dir]
 *   BENCH_SIDES (`name:K=V,K2=V2;name2:...`; default: bare, 0 %, 10 %, 100 % sampling),
 *   BENCH_SLICES (default 12 per side), BENCH_RATE (req/s of each slice, default 3000;
 *   0 = saturating with 50 connections), BENCH_LOG (default 0: the route without its log line)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { listeningPort, loadLogin } from './login-load.ts';
import { cpuSeconds, rssMb } from './proc.ts';
import { startSink } from './sink.ts';

const dir = path.resolve(process.argv[2] ?? '.');
const slices = Number(process.env.BENCH_SLICES ?? 12);
const rate = Number(process.env.BENCH_RATE ?? 3000);
const sideSpec =
  process.env.BENCH_SIDES ??
  'bare:AUTHLENS_BARE=1;0%:OTEL_TRACES_SAMPLER_ARG=0;10%:OTEL_TRACES_SAMPLER_ARG=0.1;100%:OTEL_TRACES_SAMPLER_ARG=1';

const sink = await startSink();

interface Side {
  name: string;
  child: ChildProcess;
  port: number;
  cpuUs: number[];
}

/** `K=V,K2=V2` → an environment object (values may contain `=`, not `,`). */
function envOf(spec: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of spec.split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

async function startSide(spec: string): Promise<Side> {
  const name = spec.slice(0, spec.indexOf(':'));
  const env = envOf(spec.slice(spec.indexOf(':') + 1));
  const bare = env.AUTHLENS_BARE === '1';
  const args = ['--conditions=authlens-source'];
  if (!bare) args.push('--import', path.join(dir, 'src/register.ts'));
  if (env.NODE_FLAGS) args.push(...env.NODE_FLAGS.split(' '));
  args.push(path.join(dir, 'benchmarks/login-service.ts'));
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      OTEL_SERVICE_NAME: 'bench-login',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      BENCH_LOG: process.env.BENCH_LOG ?? '0',
      ...(bare ? { OTEL_SDK_DISABLED: 'true' } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await listeningPort(child, name);
  return { name, child, port, cpuUs: [] };
}

const load = (side: Side, duration: number) =>
  loadLogin(side.port, duration, rate > 0 ? { connections: 10, rate } : { connections: 50 });

const sides: Side[] = [];
for (const spec of sideSpec.split(';').filter(Boolean)) sides.push(await startSide(spec));
try {
  for (const s of sides) await load(s, 2);
  for (let i = 0; i < slices; i++) {
    // Rotate the order each round, so no side always follows the same one.
    const order = sides.map((_, k) => sides[(k + i) % sides.length] as Side);
    for (const s of order) {
      const pid = s.child.pid as number;
      const cpu0 = cpuSeconds(pid);
      const r = await load(s, rate > 0 ? 2 : 1);
      s.cpuUs.push(((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, r.requests.total));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const base = sides[0] as Side;
  for (const s of sides) {
    // Per-round difference to the first side, then the median: a busy round hits both alike.
    const diffs = s.cpuUs.map((v, k) => v - (base.cpuUs[k] ?? Number.NaN));
    process.stdout.write(
      `${s.name.padEnd(12)} CPU/request median ${median(s.cpuUs).toFixed(1)} µs; ` +
        `vs ${base.name} ${median(diffs) >= 0 ? '+' : ''}${median(diffs).toFixed(1)} µs ` +
        `(${Math.min(...diffs).toFixed(1)} to ${Math.max(...diffs).toFixed(1)}); ` +
        `RSS ${rssMb(s.child.pid as number).toFixed(0)} MB\n`,
    );
  }
  process.stdout.write(
    `${slices} slices per side, ${rate > 0 ? `${rate} req/s, 2 s` : 'saturating, 1 s'}, log line ${process.env.BENCH_LOG === '1' ? 'on' : 'off'}\n`,
  );
} finally {
  for (const s of sides) s.child.kill('SIGKILL');
  sink.close();
}
