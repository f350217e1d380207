/**
 * Summarises V8 CPU profiles (`node --cpu-prof`) by where self time goes: the top functions and
 * the share of time by area (node:sqlite, pg, fastify, pino logging, JSON, GC, our code, idle).
 *
 *   node packages/status-api/benchmarks/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const AREAS: Array<[string, RegExp]> = [
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
  ['program (native, unattributed)', /^\(program\)$/],
  ['sqlite', /node:sqlite|StatementSync|DatabaseSync/],
  ['pg driver', /node_modules\/.*\/pg(-protocol|-pool)?\//],
  ['logging (pino)', /pino|sonic-boom/],
  ['fastify + plugins', /node_modules\/.*(fastify|find-my-way|avvio|light-my-request|@fastify)/],
  ['ajv/json schema', /ajv|fast-json-stringify|fast-uri/],
  ['opentelemetry', /@opentelemetry/],
  ['authlens status-api', /packages\/status-api\/src/],
  ['node internals', /^node:|^internal\//],
];

export function summarise(file: string, top = 25): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of p.samples.entries()) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fnTime = new Map<string, number>();
  const areaTime = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
    fnTime.set(key, (fnTime.get(key) ?? 0) + us);
    const area =
      AREAS.find(([, re]) => re.test(url) || re.test(functionName))?.[0] ?? (url ? 'other js' : 'native');
    areaTime.set(area, (areaTime.get(area) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1)} %`;
  const lines = [`${file}: ${(total / 1e6).toFixed(1)} s sampled`, '', 'by area:'];
  for (const [a, us] of [...areaTime].sort((x, y) => y[1] - x[1]))
    lines.push(`  ${pct(us).padStart(7)}  ${a}`);
  lines.push('', `top ${top} functions (self time):`);
  for (const [f, us] of [...fnTime].sort((x, y) => y[1] - x[1]).slice(0, top))
    lines.push(`  ${pct(us).padStart(7)}  ${f}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(summarise(process.argv[2] ?? '', Number(process.argv[3] ?? 25)));
}
