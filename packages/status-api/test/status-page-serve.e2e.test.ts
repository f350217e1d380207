/**
 * The status page across real `authlens serve` processes on one PostgreSQL: two replicas and a
 * restart (SIGTERM, start again) show one history and one set of incidents; the scheduled
 * health job (every minute here) runs once per slot and feeds the same history.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusHistory, type Database, migrate, openDatabase } from '../src/index.ts';
import { eventually, type TempDb, tempPostgres } from './support/jobs-support.ts';
import { pastDayCells } from './support/status-support.ts';

const bin = fileURLToPath(new URL('../bin/authlens.js', import.meta.url));
const writeKey = 'serve-write-key-0123456789';

interface Replica {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<number | null>;
}

function startServe(storeUrl: string): Replica {
  const child = spawn(process.execPath, ['--conditions=authlens-source', '--no-warnings', bin, 'serve'], {
    env: {
      ALERT_STORE_URL: storeUrl,
      OTEL_SERVICE_NAME: 'Replicated Auth',
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      MONITORING_API_KEYS: `ops:${writeKey}:write`,
      AUTHLENS_JOBS_SCHEDULE: '*=off,run_system_health_checks=1m',
      AUTHLENS_JOBS_TICK_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { message?: string; address?: string };
      if (entry.message === 'authlens serve listening') resolve(String(entry.address));
    });
    void exit.then((code) => reject(new Error(`authlens serve exited ${code} before listening`)));
  });
  url.catch(() => undefined);
  return { child, url, exit };
}

async function stop(r: Replica): Promise<number | null> {
  r.child.kill('SIGTERM');
  return r.exit;
}

let temp: TempDb;
let db: Database;
const running: Replica[] = [];
const yesterday = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;

beforeAll(async () => {
  temp = await tempPostgres('authlens_status_serve');
  db = openDatabase(temp.url);
  await migrate(db);
  // History from before these replicas started: the store was unreachable for 30 minutes.
  const states = Array.from({ length: 24 }, (_, i) => ({
    component: 'alert_store',
    state: i >= 10 && i < 16 ? ('major_outage' as const) : ('operational' as const),
    at: yesterday + 8 * 3_600_000 + i * 300_000,
  }));
  await createStatusHistory(db).recordStates(states, 'job');
}, 30_000);

afterAll(async () => {
  for (const r of running) if (r.child.exitCode === null) await stop(r);
  await db?.close();
  await temp?.drop();
});

/** The page's day cells (today's left out). */
const pastDays = async (url: string) =>
  pastDayCells(await (await fetch(`${url}/monitoring/status/`, { headers: { accept: 'text/html' } })).text());
const incidentNames = async (url: string) =>
  (
    (await (await fetch(`${url}/monitoring/status/summary.json`)).json()) as {
      incidents: Array<{ name: string }>;
    }
  ).incidents.map((i) => i.name);

describe('status page on two `authlens serve` replicas (PostgreSQL)', () => {
  it('both show one history; the health job runs once per slot; a restart keeps history and incidents', async () => {
    const a = startServe(temp.url);
    const b = startServe(temp.url);
    running.push(a, b);
    const [urlA, urlB] = await Promise.all([a.url, b.url]);

    // The scheduled health job ran (once for its slot, by one replica) and wrote today's samples.
    const runs = await eventually(async () => {
      const rows = await db.query<{ slot: string | number; n: string | number }>(
        `SELECT slot, COUNT(*) AS n FROM job_runs WHERE job = 'run_system_health_checks' AND status = 'succeeded' GROUP BY slot`,
      );
      return rows.length > 0 && rows;
    }, 20_000);
    expect(runs.every((r) => Number(r.n) === 1)).toBe(true);
    const dupes = await db.query(
      'SELECT component, slot FROM status_samples GROUP BY component, slot HAVING COUNT(*) > 1',
    );
    expect(dupes).toEqual([]);

    const fromA = await pastDays(urlA);
    expect(fromA).toHaveLength(89 * 3); // process, alert_store and jobs, 89 past days each
    expect(fromA.filter((t) => /Major outage, major outage 30 min/.test(t))).toHaveLength(1);
    expect(await pastDays(urlB)).toEqual(fromA);

    const created = await fetch(`${urlA}/monitoring/incidents/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Slow sign-in',
        impact: 'minor',
        components: ['alert_store'],
        body: 'Looking.',
      }),
    });
    expect(created.status).toBe(201);
    expect(await incidentNames(urlB)).toEqual(['Slow sign-in']);

    expect(await stop(a)).toBe(0);
    const again = startServe(temp.url);
    running.push(again);
    const urlAgain = await again.url;
    expect(await pastDays(urlAgain)).toEqual(fromA);
    expect(await incidentNames(urlAgain)).toEqual(['Slow sign-in']);
    expect(await stop(b)).toBe(0);
    expect(await stop(again)).toBe(0);
  }, 60_000);
});
