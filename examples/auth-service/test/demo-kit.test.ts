/**
 * The demo's traffic script against a real service (SQLite + memory, in this process): every step
 * checks the statuses it expects, prints ✓ only when they all match, and otherwise prints ✗ and
 * fails, so the demo exits non-zero instead of showing a green list over broken answers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createClient } from '../src/client.ts';
import { DemoStepError, driveTraffic, expectStatus, step, traffic } from '../src/demo-kit.ts';

vi.hoisted(() => {
  process.env.LOG_LEVEL ??= 'error';
});

describe('demo traffic steps', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'authsvc-demo-kit-'));
  let app: FastifyInstance;
  let url: string;
  let printed: string[] = [];

  beforeAll(async () => {
    app = await buildApp({
      env: {},
      sqlitePath: path.join(dir, 'users.db'),
      lockout: { maxFailures: 5, windowSeconds: 60, durationSeconds: 120 },
      bruteForce: { threshold: 10, windowSeconds: 60 },
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // Capture what the steps print (they write to stdout, like the demo).
  const capture = () => {
    printed = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
  };
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('expectStatus names the answer, the status and what was expected', () => {
    expect(expectStatus('logout', 204, 204)).toBe(204);
    expect(() => expectStatus('guess 3', 500, 401, 423)).toThrow(
      new DemoStepError('guess 3 answered 500, expected 401 or 423'),
    );
  });

  it('passes every step against a fresh service', async () => {
    capture();
    await traffic(createClient(url));
    const lines = printed.join('').split('\n');
    expect(lines.filter((l) => l.startsWith('  ✓ '))).toHaveLength(9);
    expect(printed.join('')).not.toContain('✗');
  });

  it('prints ✗ with the unexpected answer and fails when a step is answered otherwise', async () => {
    capture();
    // The same script again: the users exist now, so the first step gets 409 instead of 201.
    const error = await traffic(createClient(url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoStepError);
    const text = printed.join('');
    expect(text).toMatch(
      /^ {2}✗ register alice, bob, carol, dave +register alice@example\.com answered 409, expected 201$/m,
    );
    expect(text).not.toContain('✓');
  });

  it('driveTraffic reports the failed step with the service log and resolves false', async () => {
    const logFile = path.join(dir, 'service.log');
    writeFileSync(logFile, 'first line\nlast line of the service\n');
    capture();
    const ok = await driveTraffic('authlens demo', logFile, () =>
      step('logout', async () => String(expectStatus('logout', 401, 204))),
    );
    expect(ok).toBe(false);
    const text = printed.join('');
    expect(text).toContain('authlens demo: a traffic step failed (logout answered 401, expected 204).');
    expect(text).toContain('last line of the service');
  });
});
