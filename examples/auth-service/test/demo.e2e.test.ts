/**
 * `pnpm demo` (= `node src/demo.ts`) as a user runs it: it must print where to look, those URLs
 * must answer, and Ctrl-C (SIGINT) must end it — service included — within 5 s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('pnpm demo', () => {
  let demo: ChildProcess;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const field = (label: string) => output.match(new RegExp(`^\\s+${label}:\\s+(\\S+)`, 'm'))?.[1] ?? '';

  beforeAll(async () => {
    demo = spawn(process.execPath, ['src/demo.ts'], {
      cwd: exampleDir,
      env: { ...process.env, PORT: '0', OTEL_EXPORTER_PROMETHEUS_PORT: '0', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exit = new Promise((resolve) => demo.once('exit', (code, signal) => resolve({ code, signal })));
    demo.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    demo.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`demo not ready after 45 s; output:\n${output}`)),
        45_000,
      );
      const check = () => {
        if (output.includes('Press Ctrl-C to stop.')) {
          clearTimeout(timer);
          resolve();
        }
      };
      demo.stdout!.on('data', check);
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`demo exited before it was ready; output:\n${output}`));
      });
    });
  }, 60_000);

  afterAll(async () => {
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGKILL');
      await exit;
    }
  });

  it('drives every step of the traffic script successfully', () => {
    expect(output).not.toContain('✗');
    for (const step of ['brute-force burst', 'MFA', 'OAuth login', 'GDPR', 'token refresh']) {
      expect(output).toContain(step);
    }
  });

  it('prints URLs that answer', async () => {
    const key = field('API key \\(write\\)');
    expect(key).toMatch(/^demo_/);
    const status = await fetch(field('Status page'));
    expect(status.status).toBe(200);
    const health = await fetch(field('Health'));
    expect(health.status).toBe(200);
    const protectedUrls = [field('Detailed health'), field('Metrics'), field('Alerts')];
    for (const url of protectedUrls) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/monitoring\//);
      const anonymous = await fetch(url);
      expect(anonymous.status, url).toBe(401);
      const withKey = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
      expect(withKey.status, url).toBe(200);
    }
  });

  it('shows the traffic in the metrics, the brute-force alert, and a Prometheus scrape port', async () => {
    const auth = { authorization: `Bearer ${field('API key \\(write\\)')}` };
    const metrics = await (await fetch(field('Metrics'), { headers: auth })).text();
    expect(metrics).toMatch(/^auth_login_attempts_total\{[^}]*auth_outcome="failure"[^}]*\} ([1-9]\d*)/m);
    expect(metrics).toMatch(/^security_account_lockouts_total\{[^}]*\} [1-9]/m);
    const alerts = (await (await fetch(field('Alerts'), { headers: auth })).json()) as {
      items: { name: string; labels: Record<string, string> }[];
    };
    expect(alerts.items).toContainEqual(
      expect.objectContaining({
        name: 'security_brute_force',
        labels: expect.objectContaining({ scope: 'ip', subject: '198.51.100.23' }),
      }),
    );
    const scrape = await fetch(field('Prometheus scrape'));
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('auth_login_attempts_total');
  });

  it('exits cleanly within 5 s of SIGINT, stopping the service and removing its temp files', async () => {
    const service = field('Service');
    const logFile = field('Service log');
    expect(existsSync(logFile)).toBe(true);
    const started = Date.now();
    demo.kill('SIGINT');
    const result = await exit;
    const elapsed = Date.now() - started;
    expect(result).toEqual({ code: 0, signal: null });
    expect(elapsed).toBeLessThan(5000);
    expect(existsSync(logFile)).toBe(false);
    await expect(fetch(service, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });
});
