/** Every flow on the embedded defaults: users in SQLite, sessions and counters in memory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineFlowSuite } from './flows.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'authsvc-sqlite-'));

defineFlowSuite('auth service on SQLite + memory', {
  options: async () => ({ sqlitePath: path.join(dir, 'users.db') }),
  cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  expectKinds: { users: 'sqlite', kv: 'memory' },
});
