/**
 * The pieces `pnpm demo` (`src/demo.ts`) and `pnpm demo:stack` (`src/demo-stack.ts`) share:
 * starting the service with the one-line import as a child process, the traffic script, and
 * stopping child processes within a bounded time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AuthClient, createClient } from './client.ts';
import { totp } from './crypto.ts';

export const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(exampleDir, '../..');

export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
/** One "Where to look" line: label padded to a column (`width`), then the value. */
export const row = (label: string, value: string, width = 19): void =>
  out(`  ${`${label}:`.padEnd(width)}${value}`);

export const isRunning = (child: ChildProcess | undefined): child is ChildProcess =>
  child !== undefined && child.exitCode === null && child.signalCode === null;

/**
 * Sends SIGTERM, then SIGKILL after `graceMs`, and resolves once the process has exited (and
 * been reaped), so no child outlives the demo.
 */
export async function stopChild(child: ChildProcess | undefined, graceMs = 4000): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The last lines of a log file, for error messages. */
export function tailLog(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface StartedService {
  child: ChildProcess;
  url: string;
  prometheusPort?: number | undefined;
}

/**
 * Starts `node --import @authlens/sdk/register src/server.ts` with `env` (on top of the demo's
 * embedded defaults), its output appended to `logFile`, and waits for the service's
 * "listening" message on the IPC channel. `onSpawn` gets the child at once, so a signal that
 * arrives during start-up can still stop it.
 */
export function startService(options: {
  workDir: string;
  logFile: string;
  apiKey: string;
  env?: NodeJS.ProcessEnv;
  onSpawn?: (child: ChildProcess) => void;
}): Promise<StartedService> {
  const { workDir, logFile, apiKey } = options;
  const logFd = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: process.env.PORT ?? '3000',
    SQLITE_PATH: path.join(workDir, 'users.db'),
    ALERT_STORE_URL: process.env.ALERT_STORE_URL ?? `sqlite:${path.join(workDir, 'alerts.db')}`,
    MONITORING_API_KEYS: process.env.MONITORING_API_KEYS ?? `demo:${apiKey}:write`,
    OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'auth-service-demo',
    BRUTE_FORCE_THRESHOLD: process.env.BRUTE_FORCE_THRESHOLD ?? '10',
    LOCKOUT_MAX_FAILURES: process.env.LOCKOUT_MAX_FAILURES ?? '5',
    ...options.env,
  };
  const child = spawn(
    process.execPath,
    ['--conditions=authlens-source', '--import', '@authlens/sdk/register', 'src/server.ts'],
    // Own process group: Ctrl-C reaches only the demo, which then stops the service once, cleanly.
    { cwd: exampleDir, env, stdio: ['ignore', logFd, logFd, 'ipc'], detached: true },
  );
  closeSync(logFd);
  options.onSpawn?.(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the service did not start within 30 s')), 30_000);
    child.on('message', (message: { type?: string; url?: string; prometheusPort?: number }) => {
      if (message.type === 'listening' && message.url) {
        clearTimeout(timer);
        resolve({ child, url: message.url, prometheusPort: message.prometheusPort });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the service exited during start-up (${signal ?? `code ${code}`})`));
    });
  });
}

/** A traffic step got an answer it did not expect; the demo reports it and exits non-zero. */
export class DemoStepError extends Error {
  override name = 'DemoStepError';
}

/**
 * The step's check of one HTTP answer: returns `status` when it is one of `expected`, else fails
 * the step with "<what> answered <status>, expected <expected>".
 */
export function expectStatus(what: string, status: number, ...expected: number[]): number {
  if (!expected.includes(status))
    throw new DemoStepError(`${what} answered ${status}, expected ${expected.join(' or ')}`);
  return status;
}

/**
 * Runs one traffic step: prints `✓ label  summary` when every answer was as expected, else
 * `✗ label  reason` and rethrows, so the demo stops with a non-zero exit status.
 */
export async function step(label: string, action: () => Promise<string>): Promise<void> {
  let summary: string;
  try {
    summary = await action();
  } catch (err) {
    out(`  ✗ ${label.padEnd(52)} ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
  out(`  ✓ ${label.padEnd(52)} ${summary}`);
}

/**
 * Runs the traffic (`steps`); when a step fails, prints why with the last lines of the service
 * log and resolves `false` (the caller then exits with status 1).
 */
export async function driveTraffic(
  name: string,
  logFile: string,
  steps: () => Promise<void>,
): Promise<boolean> {
  try {
    await steps();
    return true;
  } catch (err) {
    out();
    out(`${name}: a traffic step failed (${err instanceof Error ? err.message : String(err)}).`);
    out(`Last lines of the service log (${logFile}):\n${tailLog(logFile)}`);
    return false;
  }
}

/**
 * The demo's traffic script: good logins, bad passwords, a brute-force burst that raises an
 * alert, MFA, OAuth, token refresh, GDPR requests and a logout. Every answer is checked against
 * the status the step expects; the first unexpected one fails the step (see `step`).
 */
export async function traffic(client: AuthClient): Promise<void> {
  const password = 'correct horse battery staple';
  const people = ['alice', 'bob', 'carol', 'dave'].map((n) => `${n}@example.com`);
  const [alice, bob, carol, dave] = people as [string, string, string, string];
  out('Driving demo traffic:');
  await step('register alice, bob, carol, dave', async () => {
    const answers = await Promise.all(people.map((p) => client.register(p, password)));
    return answers.map((a, i) => expectStatus(`register ${people[i]}`, a.status, 201)).join(' ');
  });
  let aliceTokens = { accessToken: '', refreshToken: '' };
  await step('good logins (alice ×3, bob ×2)', async () => {
    const statuses: number[] = [];
    for (const who of [alice, alice, bob, alice, bob]) {
      const res = await client.login(who, password);
      statuses.push(expectStatus(`login ${who}`, res.status, 200));
      if (who === alice && res.body.accessToken) {
        aliceTokens = { accessToken: res.body.accessToken, refreshToken: res.body.refreshToken ?? '' };
      }
    }
    return statuses.join(' ');
  });
  await step('bad passwords (alice ×2)', async () => {
    const a = await client.login(alice, 'Password123');
    const b = await client.login(alice, 'alice2026!');
    return `${expectStatus('bad password', a.status, 401)} ${expectStatus('bad password', b.status, 401)}`;
  });
  await step('brute-force burst from 198.51.100.23 (12 tries)', async () => {
    const attacker = createClient(client.baseUrl, { 'x-forwarded-for': '198.51.100.23' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const target = i % 3 === 2 ? `user${i}@example.com` : bob;
      statuses.push(
        expectStatus(`guess ${i + 1}`, (await attacker.login(target, `guess-${i}`)).status, 401, 423),
      );
    }
    if (!statuses.includes(423))
      throw new DemoStepError(`bob was never locked (no 423 in ${statuses.join(' ')})`);
    return `${statuses.join(' ')}  (423 = bob locked)`;
  });
  await step('MFA: carol enrols TOTP, then logs in with a code', async () => {
    const first = await client.login(carol, password);
    expectStatus('login before enrolment', first.status, 200);
    const { secret } = await client.enableMfa(first.body.accessToken ?? '');
    const second = await client.login(carol, password);
    expectStatus('login after enrolment', second.status, 200);
    if (!second.body.mfaToken) throw new DemoStepError('login after enrolment gave no MFA challenge');
    const wrong = await client.verifyMfa(second.body.mfaToken, '000000');
    const ok = await client.verifyMfa(second.body.mfaToken, totp(secret));
    return `challenge, wrong code ${expectStatus('wrong code', wrong.status, 401)}, right code ${expectStatus('right code', ok.status, 200)}`;
  });
  await step('OAuth login through the local provider', async () => {
    const res = await client.oauthLogin('erin@example.com');
    return String(expectStatus('OAuth callback', res.status, 200));
  });
  await step('token refresh (alice)', async () => {
    const res = await client.refresh(aliceTokens.refreshToken);
    if (res.body.accessToken) aliceTokens.accessToken = res.body.accessToken;
    return String(expectStatus('refresh', res.status, 200));
  });
  await step('GDPR: alice exports her data, dave erases his', async () => {
    const exported = await client.gdprExport(aliceTokens.accessToken);
    const daveLogin = await client.login(dave, password);
    expectStatus('login dave', daveLogin.status, 200);
    const erased = await client.gdprErasure(daveLogin.body.accessToken ?? '');
    return `export ${expectStatus('export', exported.status, 200)}, erasure ${expectStatus('erasure', erased.status, 200)}`;
  });
  await step('logout (alice)', async () =>
    String(expectStatus('logout', (await client.logout(aliceTokens.accessToken)).status, 204)),
  );
}

/** The service's own URLs (the "Where to look" rows both demos print). */
export function printServiceUrls(
  url: string,
  prometheusPort: number | undefined,
  scrapeLabel: string,
  width = 19,
): void {
  const m = `${url}/monitoring`;
  row('Service', url, width);
  row('Status page', `${m}/status/`, width);
  row('Health', `${m}/health/`, width);
  row('Detailed health', `${m}/health/detailed/`, width);
  row('Metrics', `${m}/metrics/`, width);
  row('Security KPIs', `${m}/metrics/security/`, width);
  row('Alerts', `${m}/alerts/`, width);
  if (prometheusPort) row(scrapeLabel, `http://127.0.0.1:${prometheusPort}/metrics`, width);
}

/** The ready-to-paste `curl` lines for the service's monitoring endpoints. */
export function printCurlLines(url: string, apiKey: string, logFile: string): void {
  const auth = `-H 'Authorization: Bearer ${apiKey}'`;
  const m = `${url}/monitoring`;
  out(`  curl ${m}/status/`);
  out(`  curl ${auth} ${m}/health/detailed/`);
  out(`  curl ${auth} ${m}/metrics/ | grep -E '^(auth|security|business|compliance)_'`);
  out(`  curl ${auth} '${m}/alerts/?status=open'`);
  out(`  tail -f ${logFile}`);
}
