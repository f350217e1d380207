/** `src/server.ts` refuses bad configuration with one line naming the variable and exit status 2. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('server start-up', () => {
  it.each([
    [{ PORT: 'eighty' }, /^auth-service: PORT must be an integer from 0 to 65535, got "eighty"\n$/],
    [
      { LOCKOUT_MAX_FAILURES: '-1' },
      /^auth-service: LOCKOUT_MAX_FAILURES must be an integer ≥ 1, got "-1"\n$/,
    ],
    [
      { DATABASE_URL: 'mysql://db/auth' },
      /^auth-service: DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\/\n$/,
    ],
  ])('exits 2 on %o', (env, message) => {
    const result = spawnSync(process.execPath, ['--conditions=authlens-source', 'src/server.ts'], {
      cwd: exampleDir,
      env: { PATH: process.env.PATH ?? '', MONITORING_ENABLED: 'false', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
