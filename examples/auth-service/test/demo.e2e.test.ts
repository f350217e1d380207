/**
 * `bash scripts/demo` as a user runs it (README's first command) — at the repository root, in its
 * own process group: every traffic step must get the answers it expects, it must print
 * where to look, those URLs must answer, and Ctrl-C (SIGINT to the whole group, as a terminal
 * sends it) must end it — service included — within 5 s, closing its port.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoProcess, demoScript, repoRoot, startDemo } from './demo-process.ts';

describe('bash scripts/demo', () => {
  let demo: DemoProcess;
  const field = (label: string) => demo.field(label);

  beforeAll(async () => {
    demo = await startDemo(
      demoScript(),
      { ...process.env, PORT: '0', OTEL_EXPORTER_PROMETHEUS_PORT: '0', NODE_OPTIONS: '' },
      60_000,
    );
  }, 60_000);

  afterAll(async () => {
    await demo?.kill();
  });

  it('drives every step of the traffic script, each answered as it expects', () => {
    expect(demo.output).not.toContain('✗');
    const passed = demo.output.split('\n').filter((l) => l.startsWith('  ✓ '));
    expect(passed).toHaveLength(9);
    for (const step of ['brute-force burst', 'MFA', 'OAuth login', 'GDPR', 'token refresh', 'logout']) {
      expect(
        passed.some((l) => l.includes(step)),
        step,
      ).toBe(true);
    }
  });

  it('prints the same "Where to look" rows as the docs show', () => {
    const labels = (text: string) => {
      const block = text.slice(text.indexOf('Where to look:\n')).split('\n\n')[0]!;
      return [...block.matchAll(/^ {2}([A-Za-z][^:]*):/gm)].map((m) => m[1]);
    };
    const printed = labels(demo.output);
    expect(printed).toContain('Security KPIs');
    for (const doc of ['docs/getting-started.md', 'examples/auth-service/README.md']) {
      const text = readFileSync(path.join(repoRoot, doc), 'utf8');
      expect(text, doc).toContain('Where to look:\n');
      expect(labels(text), doc).toEqual(printed);
    }
  });

  it('prints URLs that answer', async () => {
    const key = field('API key \\(write\\)');
    expect(key).toMatch(/^demo_/);
    // The first URL it prints, the service's root, says what the service is.
    const root = await fetch(field('Service'));
    expect(root.status).toBe(200);
    expect(await root.json()).toMatchObject({ service: 'authlens example auth service' });
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

  it('stops cleanly within 5 s of Ctrl-C, stopping the service, closing its port and removing its temp files', async () => {
    const service = field('Service');
    const logFile = field('Service log');
    expect(existsSync(logFile)).toBe(true);
    const started = Date.now();
    demo.signalGroup('SIGINT');
    // scripts/demo execs Node on the demo: no pnpm or shim in front of it, so the demo itself
    // gets the signal, stops the service, removes its temp files and exits 0.
    const result = await demo.exit;
    await demo.closed;
    // An exited process stays visible to kill(pid, 0) until it is reaped (orphans are reaped by
    // init, a moment later): wait for the group to be gone, inside the same 5 s budget.
    while (demo.groupAlive() && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 20));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(5000);
    expect(result).toEqual({ code: 0, signal: null });
    expect(demo.output).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
    expect(demo.groupAlive()).toBe(false);
    expect(demo.output).toMatch(/authlens demo: stopped\.\n/);
    expect(existsSync(logFile)).toBe(false);
    await expect(fetch(service, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });
});
