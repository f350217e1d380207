/**
 * `pnpm demo` (= `node src/demo.ts`) as a user runs it: it must print where to look, those URLs
 * must answer, and Ctrl-C (SIGINT) must end it — service included — within 5 s.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from './demo-process.ts';

describe('pnpm demo', () => {
  let demo: DemoProcess;
  const field = (label: string) => demo.field(label);

  beforeAll(async () => {
    demo = await startDemo(
      'src/demo.ts',
      { ...process.env, PORT: '0', OTEL_EXPORTER_PROMETHEUS_PORT: '0', NODE_OPTIONS: '' },
      45_000,
    );
  }, 60_000);

  afterAll(async () => {
    await demo?.kill();
  });

  it('drives every step of the traffic script successfully', () => {
    expect(demo.output).not.toContain('✗');
    for (const step of ['brute-force burst', 'MFA', 'OAuth login', 'GDPR', 'token refresh']) {
      expect(demo.output).toContain(step);
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
    demo.child.kill('SIGINT');
    const result = await demo.exit;
    const elapsed = Date.now() - started;
    expect(result).toEqual({ code: 0, signal: null });
    expect(elapsed).toBeLessThan(5000);
    expect(existsSync(logFile)).toBe(false);
    await expect(fetch(service, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });
});
