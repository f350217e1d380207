/**
 * Issue 13, part 1: the ReDoS attack replayed against the real standalone server
 * (`authlens serve`, SQLite, a real write key). A silence `name=~"(a+)+$"` is accepted (it is
 * valid RE2), then alerts whose `name` label is `a`×N + `!` (N up to 1,000) are raised; an
 * alert suppressed by another silence is released when that silence is expired; another one's
 * silence ends while the server is down, and the server restarts on the same database. A probe
 * polls liveness all along: every answer comes within 100 ms, SIGTERM stops the server
 * promptly, and it listens again after the restart. A silence stored (by an older version) with
 * a lookahead is expired at that start and logged, never run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../src/store/index.ts';
import { eventually, sleep } from './support/alerts-support.ts';

const bin = fileURLToPath(new URL('../bin/authlens.js', import.meta.url));
const key = 'redos-write-key-0123456789';
const LIVENESS_BUDGET_MS = 100;

interface Serve {
  child: ChildProcess;
  url: string;
  output: string;
}

/** What every server here runs with, besides the test's own settings: nothing from this shell. */
const isolated = {
  PATH: process.env.PATH ?? '',
  HOME: os.tmpdir(),
  PORT: '0',
  OTEL_EXPORTER_PROMETHEUS_PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};
const serveArgs = ['--conditions=authlens-source', '--no-warnings', bin, 'serve', '--no-scheduler'];

/** Starts `authlens serve --no-scheduler`; resolves once it logs that it listens. */
function startServe(env: Record<string, string>): Promise<Serve> {
  const child = spawn(process.execPath, serveArgs, {
    env: { ...isolated, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s: Serve = { child, url: '', output: '' };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not listen within 30 s:\n${s.output}`)),
      30_000,
    );
    const take = (chunk: Buffer) => {
      s.output += chunk.toString();
      const m = /"message":"authlens serve listening","address":"([^"]+)"/.exec(s.output);
      if (m?.[1] && !s.url) {
        s.url = m[1];
        clearTimeout(timer);
        resolve(s);
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${s.output}`));
    });
  });
}

/** SIGTERM; resolves with the exit code and how long the process took to exit. */
async function stopServe(s: Serve): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  const exited = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
  s.child.kill('SIGTERM');
  const code = await exited;
  return { code, ms: Date.now() - t0 };
}

/**
 * Polls `/health/live/` every 20 ms; each answer's time goes into `latencies`. One request is
 * made first and not counted: the first request a fresh process serves pays for lazy start-up
 * work (connection, route compilation), not for anything the attack does.
 */
async function probeLiveness(url: string) {
  await (await fetch(`${url}/monitoring/health/live/`)).arrayBuffer();
  const latencies: number[] = [];
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}/monitoring/health/live/`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) failures.push(`HTTP ${res.status}`);
      } catch (err) {
        failures.push(String(err));
      }
      await sleep(20);
    }
  })();
  return {
    latencies,
    failures,
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe('ReDoS replay against authlens serve (SQLite)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-redos-'));
  const env = {
    ALERT_STORE_URL: `sqlite:${path.join(dir, 'authlens.db')}`,
    MONITORING_API_KEYS: `attacker:${key}:write`,
    MONITORING_RATE_LIMIT_PER_MINUTE: 'false',
  };
  const running: Serve[] = [];
  afterAll(() => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps liveness under 100 ms through the attack, a released silence and a restart', async () => {
    let server = await startServe(env);
    running.push(server);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const api = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${server.url}/monitoring/alerts/${route}`, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const raise = (name: string, labelValue: string) =>
      api('POST', 'create/', { name, severity: 'high', message: 'm', labels: { name: labelValue } });
    let probe = await probeLiveness(server.url);
    const allLatencies: number[] = [];
    const allFailures: string[] = [];

    // The attacker's silence is valid RE2, so it is accepted; a backreference is not.
    const evil = await api('POST', 'silences/', { matchers: ['name=~"(a+)+$"'], durationSeconds: 3600 });
    expect(evil.status).toBe(201);
    const backref = await api('POST', 'silences/', { matchers: ['name=~"(a)\\1"'], durationSeconds: 60 });
    expect(backref.status).toBe(400);
    expect(backref.json).toMatchObject({ code: 'invalid_field', field: 'matchers[0]' });
    // Nor may a silence outlive any wait.
    const forever = await api('POST', 'silences/', { matchers: ['a=b'], endsAt: '9999-12-31T00:00:00Z' });
    expect(forever.status).toBe(400);
    expect(forever.json).toMatchObject({ code: 'invalid_field', field: 'endsAt' });

    for (const n of [24, 26, 28, 30, 40, 64, 1000]) {
      const res = await raise(`redos_n${n}`, `${'a'.repeat(n)}!`);
      expect(res.status, `N=${n}`).toBe(201);
      expect(res.json.status, `N=${n}`).toBe('firing'); // (a+)+$ does not match a…a!
    }
    // Control: the silence does match what it should.
    const muted = await raise('redos_control', 'aaaa');
    expect(muted.json).toMatchObject({ status: 'suppressed', suppressedReason: `silence:${evil.json.id}` });

    // An alert suppressed by another silence; expiring that silence makes the worker evaluate
    // the alert against the attacker's silence.
    const other = await api('POST', 'silences/', {
      matchers: ['alertname=redos_victim'],
      durationSeconds: 3600,
    });
    const victim = await raise('redos_victim', `${'a'.repeat(40)}!`);
    expect(victim.json).toMatchObject({ status: 'suppressed', suppressedReason: `silence:${other.json.id}` });
    expect((await api('DELETE', `silences/${other.json.id}/`)).status).toBe(200);
    await eventually(
      async () => (await api('GET', `${victim.json.id}/`)).json.status === 'firing' || undefined,
    );

    // The restart sequence: a suppressed alert whose silence ends while the server is down.
    const brief = await api('POST', 'silences/', {
      matchers: ['alertname=redos_restart'],
      durationSeconds: 2,
    });
    const sleeper = await raise('redos_restart', `${'a'.repeat(40)}!`);
    expect(sleeper.json).toMatchObject({
      status: 'suppressed',
      suppressedReason: `silence:${brief.json.id}`,
    });
    await probe.stop();
    allLatencies.push(...probe.latencies);
    allFailures.push(...probe.failures);
    const stopped = await stopServe(server);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    // A silence stored by an older version that accepted lookahead: it must never run.
    const stale = await createAlertStore(env.ALERT_STORE_URL);
    const legacy = await stale.insertSilence({
      id: randomUUID(),
      matchers: ['name=~"(?=a)(a+)+$"'],
      startsAt: Date.now(),
      endsAt: Date.now() + 3_600_000,
      createdBy: 'older-version',
      comment: '',
      now: Date.now(),
    });
    await stale.close();
    await sleep(2100); // the short silence has ended

    server = await startServe(env);
    running.push(server);
    probe = await probeLiveness(server.url);
    await eventually(
      async () => (await api('GET', `${sleeper.json.id}/`)).json.status === 'firing' || undefined,
      15_000,
    );
    for (const n of [30, 40]) expect((await raise(`redos_after_${n}`, `${'a'.repeat(n)}!`)).status).toBe(201);
    // The legacy silence was expired at start and logged, not run.
    const legacyNow = await api('GET', `silences/${legacy.id}/`);
    expect(legacyNow.json.status).toBe('expired');
    expect(server.output).toContain('stored silence expired at start');
    expect(server.output).toContain(legacy.id);
    await sleep(300);
    await probe.stop();
    allLatencies.push(...probe.latencies);
    allFailures.push(...probe.failures);
    expect((await stopServe(server)).code).toBe(0);

    expect(allFailures).toEqual([]);
    expect(allLatencies.length).toBeGreaterThan(10);
    const worst = Math.max(...allLatencies);
    expect(worst, `liveness answers: ${allLatencies.length}, worst ${worst.toFixed(1)} ms`).toBeLessThan(
      LIVENESS_BUDGET_MS,
    );
  }, 90_000);
});
