/**
 * A throwaway PostgreSQL cluster of the tests' own (initdb + pg_ctl on a free port), so a test
 * can stop a real server without touching the shared one from `scripts/services`. As in
 * `scripts/services`, PostgreSQL refuses to run as root: under root it runs as `postgres`.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../../../../test/support/ports.ts';

export { freePort };

/** Newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), else fail naming the package. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  const newest = versions.at(-1);
  if (!newest) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) are missing. Install them with: bash scripts/services install postgres',
    );
  }
  return path.join(root, newest, 'bin');
}

export interface PostgresCluster {
  /** `postgres://authlens@127.0.0.1:<port>/postgres` (trust auth on loopback). */
  url: string;
  port: number;
  /** `pg_ctl stop -m immediate`: the server exits at once, without a clean shutdown. */
  stop(): Promise<void>;
  /** Stops it if running and removes its data directory. */
  destroy(): Promise<void>;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-pg-'));
  const data = path.join(dir, 'data');
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]]
      : [path.join(bin, tool), args];
    return execFileSync(cmd as string, argv as string[], {
      stdio: 'pipe',
      encoding: 'utf8',
      timeout: 60_000,
    });
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  let running = false;
  const stop = async () => {
    if (!running) return;
    running = false;
    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  const destroy = async () => {
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-U', 'authlens', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const port = await freePort();
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'postgres.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
    running = true;
    return { url: `postgres://authlens@127.0.0.1:${port}/postgres`, port, stop, destroy };
  } catch (err) {
    await destroy();
    const e = err as { stderr?: string; message: string };
    throw new Error(`throwaway PostgreSQL did not start: ${e.stderr || e.message}`);
  }
}
