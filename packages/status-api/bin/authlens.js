#!/usr/bin/env node
// The `authlens` CLI. Runs the built code (dist/) when present, else the TypeScript sources
// (Node >= 22.18 strips types). Node's `authlens-source` condition (workspaces, tests, the
// benchmarks' source mode) asks for the sources even when dist/ is built.
import { existsSync } from 'node:fs';
import { serveHeapFlags } from './heap-flags.js';

// `serve` is a long-lived process of ours: restart this same process (same pid, stdio and
// environment) with V8 heap limits that keep its memory near its live set, unless the operator
// set them (docs/cli.md, `authlens serve`, "Memory").
const heap = process.argv[2] === 'serve' ? serveHeapFlags(process.execArgv, process.env.NODE_OPTIONS) : [];
if (heap.length > 0 && typeof process.execve === 'function') {
  process.execve(process.execPath, [
    process.execPath,
    ...heap,
    ...process.execArgv,
    ...process.argv.slice(1),
  ]);
}

const built = new URL('../dist/cli.js', import.meta.url);
const sourcesAsked = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some(
  (a) => a === 'authlens-source' || a.endsWith('=authlens-source'),
);
const { main } = await import(
  existsSync(built) && !sourcesAsked ? built.href : new URL('../src/cli.ts', import.meta.url).href
);
process.exitCode = await main(process.argv.slice(2));
