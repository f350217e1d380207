/**
 * `pnpm demo`: starts the example auth service with the one-line import
 * (`node --import @authlens/sdk/register src/server.ts`) on embedded defaults — users in a
 * temporary SQLite file, sessions in memory, a generated monitoring API key — drives a short,
 * realistic traffic script, prints where to look, and keeps serving until Ctrl-C.
 *
 * Environment: `PORT` (default 3000; 0 = any free port), `DEMO_KEEP_RUNNING=0` to exit right
 * after the script, and any variable of the service itself (passed through).
 * `pnpm demo:stack` (`src/demo-stack.ts`) does the same with the collector and Prometheus.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from './client.ts';
import {
  driveTraffic,
  exampleDir,
  out,
  printCurlLines,
  printServiceUrls,
  row,
  type StartedService,
  startService,
  stopChild,
  tailLog,
  traffic,
} from './demo-kit.ts';
import { demoStatusEnv } from './demo-status-env.ts';

const workDir = mkdtempSync(path.join(tmpdir(), 'authlens-demo-'));
const logFile = path.join(workDir, 'service.log');
const apiKey = `demo_${randomBytes(18).toString('base64url')}`;
let child: ChildProcess | undefined;
let stopping = false;
let stopped: Promise<never> | undefined;

/**
 * Stops the service and removes the temp directory, then exits. A second signal waits for the
 * first stop: `pnpm demo` forwards Ctrl-C, so the demo gets SIGINT twice.
 */
function stop(code: number): Promise<never> {
  stopping = true;
  stopped ??= (async () => {
    await stopChild(child, 4000);
    rmSync(workDir, { recursive: true, force: true });
    if (code === 0) out('authlens demo: stopped.');
    process.exit(code);
  })();
  return stopped;
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  out('authlens demo: starting the example auth service with `node --import @authlens/sdk/register`…');
  let listening: StartedService;
  try {
    listening = await startService({
      workDir,
      logFile,
      apiKey,
      env: demoStatusEnv(exampleDir),
      onSpawn: (c) => {
        child = c;
      },
    });
  } catch (err) {
    const log = tailLog(logFile);
    const hint = /EADDRINUSE/.test(log)
      ? ` Port ${process.env.PORT ?? '3000'} is in use: run with PORT=0 (any free port) or another port.`
      : '';
    out(`authlens demo: ${err instanceof Error ? err.message : String(err)}.${hint} Last log lines:\n${log}`);
    return stop(1);
  }
  listening.child.once('exit', (code, signal) => {
    if (stopping) return;
    out(
      `authlens demo: the service stopped unexpectedly (${signal ?? `code ${code}`}). Last log lines:\n${tailLog(logFile)}`,
    );
    void stop(1);
  });
  const { url, prometheusPort } = listening;
  out(`authlens demo: service listening on ${url}`);
  out();
  if (!(await driveTraffic('authlens demo', logFile, () => traffic(createClient(url))))) return stop(1);

  out();
  out('Where to look:');
  printServiceUrls(url, prometheusPort, 'Prometheus scrape');
  row('Service log', logFile);
  row('API key (write)', apiKey);
  out();
  out('Ready-to-paste:');
  printCurlLines(url, apiKey, logFile);
  out();
  if (process.env.DEMO_KEEP_RUNNING === '0') return stop(0);
  out('authlens demo is running. Press Ctrl-C to stop.');
}

await main();
