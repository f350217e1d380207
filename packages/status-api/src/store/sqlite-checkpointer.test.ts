/** WAL checkpoints happen in the worker: the database file grows without any commit checkpointing. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import { migrate } from './migrations.ts';

describe('sqlite checkpointer', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies committed pages into the database file from its own thread', async () => {
    const file = path.join(dir, 'a.db');
    const db = openDatabase(`sqlite:${file}`);
    try {
      await migrate(db);
      const [setting] = await db.query<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint');
      expect(setting?.wal_autocheckpoint).toBe(0);
      const before = statSync(file).size;
      await db.transaction(async (tx) => {
        for (let i = 0; i < 500; i++)
          await tx.query(
            'INSERT INTO alert_replicas (instance_id, started_at, heartbeat_at) VALUES ($1, 0, 0)',
            [`replica-${i}-${'x'.repeat(200)}`],
          );
      });
      const deadline = Date.now() + 10_000;
      while (statSync(file).size <= before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(statSync(file).size).toBeGreaterThan(before);
    } finally {
      await db.close();
    }
  });
});
