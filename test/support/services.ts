/**
 * Where the real services started by `bash scripts/services start` live, and guards that fail
 * loudly (naming the part and the command that starts it) when one is not reachable.
 * A test that needs a part calls the guard in `beforeAll`; it never skips.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const services = {
  postgresUrl:
    process.env.AUTHLENS_TEST_POSTGRES_URL ?? 'postgres://authlens:authlens@127.0.0.1:55432/authlens',
  redisUrl: process.env.AUTHLENS_TEST_REDIS_URL ?? 'redis://127.0.0.1:56379',
  prometheusUrl: process.env.AUTHLENS_TEST_PROMETHEUS_URL ?? 'http://127.0.0.1:59090',
  alertmanagerUrl: process.env.AUTHLENS_TEST_ALERTMANAGER_URL ?? 'http://127.0.0.1:59093',
  /** Directory of the services' state: Prometheus file_sd targets and rules live below it. */
  stateDir: process.env.AUTHLENS_SERVICES_DIR ?? path.join(repoRoot, '.services'),
};

/** Prometheus scrapes every `<name>.json` file_sd target file written here (job `authlens`). */
export const prometheusTargetsDir = () => path.join(services.stateDir, 'prometheus', 'targets');
/** Prometheus loads every `*.yml` rule file here after `POST /-/reload`. */
export const prometheusRulesDir = () => path.join(services.stateDir, 'prometheus', 'rules');
export const alertmanagerDir = () => path.join(services.stateDir, 'alertmanager');

export class MissingServiceError extends Error {
  constructor(part: string, where: string, command: string, cause?: unknown) {
    super(`${part} is not reachable at ${where}. Start it with: ${command}`, { cause });
    this.name = 'MissingServiceError';
  }
}

function tcpReachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function requireTcp(part: string, url: string, service: string): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port);
  if (!(await tcpReachable(u.hostname, port))) {
    throw new MissingServiceError(part, `${u.hostname}:${port}`, `bash scripts/services start ${service}`);
  }
}

async function requireHttpReady(part: string, baseUrl: string, service: string): Promise<void> {
  try {
    const res = await fetch(new URL('/-/ready', baseUrl), { signal: AbortSignal.timeout(3000) });
    if (res.ok) return;
    throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    throw new MissingServiceError(part, baseUrl, `bash scripts/services start ${service}`, err);
  }
}

export const requirePostgres = () => requireTcp('PostgreSQL', services.postgresUrl, 'postgres');
export const requireRedis = () => requireTcp('Redis', services.redisUrl, 'redis');
export const requirePrometheus = () => requireHttpReady('Prometheus', services.prometheusUrl, 'prometheus');
export const requireAlertmanager = () =>
  requireHttpReady('Alertmanager', services.alertmanagerUrl, 'alertmanager');

/** Path of the custom collector binary built by `bash scripts/otelcol`; throws if not built. */
export function requireCollector(): string {
  const fromEnv = process.env.AUTHLENS_OTELCOL_BIN;
  const bin =
    fromEnv ??
    execFileSync('bash', [path.join(repoRoot, 'scripts/otelcol'), '--path'], { encoding: 'utf8' }).trim();
  if (!existsSync(bin)) {
    throw new MissingServiceError('The authlens collector binary', bin, 'bash scripts/otelcol');
  }
  return bin;
}

/** Finds which of the Debian binaries a test needs are missing, naming the package to install. */
export function requireBinary(binary: string, debianPackage: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new MissingServiceError(binary, 'PATH', `apt-get install ${debianPackage}`, err);
  }
}
