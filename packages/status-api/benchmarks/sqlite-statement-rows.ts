/**
 * How the rows per statement change SQLite's cost per upserted alert: the store's create upsert
 * (`INSERT … ON CONFLICT (fingerprint) … RETURNING *` into the migrated `alerts` table), 128 new
 * alerts per transaction, sent as statements of 1, 4, 8, … 128 rows. Prints CPU µs per alert (this
 * process, in which SQLite runs). It chose the SQLite chunk size in `store/alert-store.ts`.
 *
 *   node --conditions=authlens-source packages/status-api/benchmarks/sqlite-statement-rows.ts
 *
 * BENCH_TRANSACTIONS (default 80 per size and round), two rounds.
 */
import { randomUUIDv7 } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { createAlertStore } from '../src/store/index.ts';
import { tempSqlite } from '../test/support/alerts-support.ts';

const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 80);
const PER_TRANSACTION = 128;
const temp = await tempSqlite();
await (await createAlertStore(temp.url)).close(); // the migrated schema
const db = new DatabaseSync(temp.url.slice('sqlite:'.length));
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');

const annotations = JSON.stringify({ summary: 'benchmark alert', runbook: 'https://runbooks.example/bench' });
let next = 0;
/** The 15 parameters of one new alert, as the store binds them. */
const alertParams = (): Array<string | number | null> => {
  const i = next++;
  const name = `bench_${i}`;
  const labels = JSON.stringify({ alertname: name, severity: 'warning', service: 'auth' });
  const fp = `fp${String(i).padStart(30, '0')}`;
  const params: Array<string | number | null> = [randomUUIDv7(), fp, name, 'medium', 'm', 'bench', labels];
  params.push(annotations, 'firing', null, null, null, null, 1, Date.now());
  return params;
};
const upsert = (rows: number) => {
  const values = Array.from({ length: rows }, (_, r) => {
    const p = (k: number) => `?${r * 15 + k}`;
    return `(${Array.from({ length: 14 }, (_, k) => p(k + 1)).join(', ')}, ${p(15)}, ${p(15)}, ${p(15)}, 0)`;
  });
  return db.prepare(
    `INSERT INTO alerts (id, fingerprint, name, severity, message, source, labels, annotations, status,
       suppressed_reason, suppression_check_at, last_notified_at, next_escalation_at, occurrences,
       created_at, updated_at, last_seen_at, escalation_level)
     VALUES ${values.join(', ')}
     ON CONFLICT (fingerprint) WHERE status <> 'resolved' DO UPDATE SET
       occurrences = alerts.occurrences + excluded.occurrences, last_seen_at = excluded.last_seen_at
     RETURNING *`,
  );
};

try {
  console.log('| rows per statement | CPU µs per alert (round 1 / 2) |\n|---:|---:|');
  for (const rows of [1, 4, 8, 16, 32, 64, 128]) {
    const statement = upsert(rows);
    const rounds: string[] = [];
    for (let round = 0; round < 2; round++) {
      const before = process.cpuUsage();
      for (let t = 0; t < TRANSACTIONS; t++) {
        const params = Array.from({ length: PER_TRANSACTION }, alertParams).flat();
        db.exec('BEGIN IMMEDIATE');
        for (let start = 0; start < PER_TRANSACTION; start += rows)
          statement.all(...params.slice(start * 15, (start + rows) * 15));
        db.exec('COMMIT');
      }
      const cpu = process.cpuUsage(before);
      rounds.push(((cpu.user + cpu.system) / (TRANSACTIONS * PER_TRANSACTION)).toFixed(1));
    }
    console.log(`| ${rows} | ${rounds.join(' / ')} |`);
  }
} finally {
  db.close();
  await temp.drop();
}
