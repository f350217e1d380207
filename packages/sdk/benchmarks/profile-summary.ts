/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per
 * package (node_modules package, authlens source file, or Node internals), as shares of the
 * non-idle samples and, given the requests served while profiling, in µs per request (sample
 * time from the profile's time deltas).
 *
 *   node benchmarks/profile-summary.ts <file.cpuprofile> [top N] [requests]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const [file, topArg, requestsArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node benchmarks/profile-summary.ts <file.cpuprofile> [top N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const fn = new Map<string, number>();
const pkg = new Map<string, number>();
let busy = 0;
let busyUs = 0;
for (const [k, id] of profile.samples.entries()) {
  const n = byId.get(id);
  if (n === undefined) continue;
  const { functionName, url, lineNumber } = n.callFrame;
  if (functionName === '(idle)' || functionName === '(program)') continue;
  busy++;
  busyUs += profile.timeDeltas[k + 1] ?? 0;
  const where = url.includes('/node_modules/')
    ? (/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url)?.[1] ?? 'node_modules')
    : url.includes('/packages/sdk/src/')
      ? `authlens ${url.slice(url.indexOf('/packages/sdk/src/') + 18)}`
      : url === ''
        ? functionName.startsWith('(')
          ? functionName
          : 'native'
        : url.startsWith('node:')
          ? url
          : 'app';
  const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + 1);
  pkg.set(where, (pkg.get(where) ?? 0) + 1);
}
const top = Number(topArg ?? 25);
const requests = Number(requestsArg ?? Number.NaN);
const perRequest = (v: number) =>
  Number.isFinite(requests) ? `${((busyUs * v) / busy / requests).toFixed(2).padStart(6)} µs  ` : '';
const show = (title: string, m: Map<string, number>) => {
  process.stdout.write(
    `${title} (share of ${busy} busy samples${Number.isFinite(requests) ? `, ${(busyUs / requests).toFixed(1)} µs busy per request` : ''})\n`,
  );
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`${((100 * v) / busy).toFixed(1).padStart(5)} %  ${perRequest(v)}${k}\n`);
};
show('by package / file', pkg);
show('by function', fn);
