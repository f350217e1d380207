#!/usr/bin/env node
// The `authlens` CLI. Runs the built code (dist/) when present, else the TypeScript sources
// (Node >= 22.18 strips types; workspaces and tests use this).
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
const { main } = await import(
  existsSync(built) ? built.href : new URL('../src/cli.ts', import.meta.url).href
);
process.exitCode = await main(process.argv.slice(2));
