/**
 * SDK start-up cost, side by side: a bare `node` process against one started with
 * `--import @authlens/sdk/register` (OTLP endpoint set, scrape port 0), alternating, each
 * process reporting its own CPU time (user + system, all threads: `process.cpuUsage()`) and
 * the wall time from process start to the first line of the app, then exiting. CPU time per
 * start is the figure to compare on a busy machine; wall time moves with the load.
 *
 *   pnpm --filter @authlens/sdk bench:startup        # STARTUP_RUNS pairs (default 15)
 *
 * `STARTUP_BASELINE=/path/to/other/packages/sdk` adds a third process in each round: the same
 * register from another checkout (with its own installed dependencies), e.g. the main branch.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sdkRoot = path.resolve(here, '..');
const runs = Math.max(3, Number(process.env.STARTUP_RUNS ?? 15));
const probe =
  'const u = process.cpuUsage(); console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, wallMs: performance.now() }))';

interface Sample {
  cpuMs: number;
  wallMs: number;
}

function once(args: string[], env: Record<string, string>, cwd: string): Sample {
  const out = execFileSync(process.execPath, [...args, '--input-type=module', '-e', probe], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const last = out.trim().split('\n').pop() as string;
  return JSON.parse(last) as Sample;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const authlensEnv = {
  OTEL_SERVICE_NAME: 'bench-startup',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
  OTEL_EXPORTER_PROMETHEUS_PORT: '0',
};
// The TypeScript sources, as the repo's own benchmarks and tests run them (`dist/` may be stale or absent).
const register = ['--conditions=authlens-source', '--import', '@authlens/sdk/register'];
const scenarios: Record<string, { args: string[]; env: Record<string, string>; cwd: string }> = {
  bare: { args: [], env: {}, cwd: sdkRoot },
  'authlens register': { args: register, env: authlensEnv, cwd: sdkRoot },
};
const baseline = process.env.STARTUP_BASELINE;
if (baseline) scenarios['authlens register (baseline)'] = { args: register, env: authlensEnv, cwd: baseline };
const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
const load0 = os.loadavg()[0] ?? 0;
for (let i = 0; i < runs; i++) {
  for (const [name, s] of Object.entries(scenarios)) samples[name]?.push(once(s.args, s.env, s.cwd));
}
const load1 = os.loadavg()[0] ?? 0;
const row = (name: string) => {
  const xs = samples[name] as Sample[];
  return { cpuMs: median(xs.map((x) => x.cpuMs)), wallMs: median(xs.map((x) => x.wallMs)) };
};
const bare = row('bare');
console.log('| process | CPU per start (median) | wall to first line (median) |');
console.log('|---|---|---|');
for (const name of Object.keys(scenarios)) {
  const r = row(name);
  const d = (a: number, b: number) => (name === 'bare' ? '' : ` (+${(a - b).toFixed(0)} ms)`);
  console.log(
    `| ${name}${name.endsWith('(baseline)') ? `: ${baseline}` : ''} | ${r.cpuMs.toFixed(0)} ms${d(r.cpuMs, bare.cpuMs)} | ${r.wallMs.toFixed(0)} ms${d(r.wallMs, bare.wallMs)} |`,
  );
}
console.log(
  `\nNode ${process.version}, ${runs} alternating pairs, ${new Date().toISOString().slice(0, 16)}Z, 1-min load ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${os.cpus().length} cores.`,
);
