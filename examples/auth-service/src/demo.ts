/**
 * `pnpm demo`: starts the example auth service with the one-line import
 * (`node --import @authlens/sdk/register src/server.ts`) on embedded defaults — users in a
 * temporary SQLite file, sessions in memory, a generated monitoring API key — drives a short,
 * realistic traffic script, prints where to look, and keeps serving until Ctrl-C.
 *
 * Environment: `PORT` (default 3000; 0 = any free port), `DEMO_KEEP_RUNNING=0` to exit right
 * after the script, and any variable of the service itself (passed through).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AuthClient, createClient } from './client.ts';
import { totp } from './crypto.ts';

const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = (line = '') => process.stdout.write(`${line}\n`);
const row = (label: string, value: string) => out(`  ${`${label}:`.padEnd(19)}${value}`);

const workDir = mkdtempSync(path.join(tmpdir(), 'authlens-demo-'));
const logFile = path.join(workDir, 'service.log');
const apiKey = `demo_${randomBytes(18).toString('base64url')}`;
let child: ChildProcess | undefined;
let stopping = false;

function cleanup(): void {
  rmSync(workDir, { recursive: true, force: true });
}

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const running = child;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 4000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  }
  process.exit(code);
}

function tailLog(lines = 15): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Listening {
  url: string;
  prometheusPort?: number;
}

async function startService(): Promise<Listening> {
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
  };
  child = spawn(
    process.execPath,
    ['--conditions=authlens-source', '--import', '@authlens/sdk/register', 'src/server.ts'],
    // Own process group: Ctrl-C reaches only the demo, which then stops the service once, cleanly.
    { cwd: exampleDir, env, stdio: ['ignore', logFd, logFd, 'ipc'], detached: true },
  );
  closeSync(logFd);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the service did not start within 30 s')), 30_000);
    child!.on('message', (message: { type?: string; url?: string; prometheusPort?: number }) => {
      if (message.type === 'listening' && message.url) {
        clearTimeout(timer);
        resolve({ url: message.url, prometheusPort: message.prometheusPort });
      }
    });
    child!.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the service exited during start-up (${signal ?? `code ${code}`})`));
    });
  });
}

async function step(label: string, action: () => Promise<string>): Promise<void> {
  try {
    out(`  ✓ ${label.padEnd(52)} ${await action()}`);
  } catch (err) {
    out(`  ✗ ${label.padEnd(52)} ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function traffic(client: AuthClient): Promise<void> {
  const password = 'correct horse battery staple';
  const people = ['alice', 'bob', 'carol', 'dave'].map((n) => `${n}@example.com`);
  const [alice, bob, carol, dave] = people as [string, string, string, string];
  out('Driving demo traffic:');
  await step('register alice, bob, carol, dave', async () => {
    const statuses = await Promise.all(people.map((p) => client.register(p, password)));
    return statuses.map((s) => s.status).join(' ');
  });
  let aliceTokens = { accessToken: '', refreshToken: '' };
  await step('good logins (alice ×3, bob ×2)', async () => {
    const statuses: number[] = [];
    for (const who of [alice, alice, bob, alice, bob]) {
      const res = await client.login(who, password);
      statuses.push(res.status);
      if (who === alice && res.body.accessToken) {
        aliceTokens = { accessToken: res.body.accessToken, refreshToken: res.body.refreshToken ?? '' };
      }
    }
    return statuses.join(' ');
  });
  await step('bad passwords (alice ×2)', async () => {
    const a = await client.login(alice, 'Password123');
    const b = await client.login(alice, 'alice2026!');
    return `${a.status} ${b.status}`;
  });
  await step('brute-force burst from 198.51.100.23 (12 tries)', async () => {
    const attacker = createClient(client.baseUrl, { 'x-forwarded-for': '198.51.100.23' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const target = i % 3 === 2 ? `user${i}@example.com` : bob;
      statuses.push((await attacker.login(target, `guess-${i}`)).status);
    }
    return `${statuses.join(' ')}  (423 = bob locked)`;
  });
  await step('MFA: carol enrols TOTP, then logs in with a code', async () => {
    const first = await client.login(carol, password);
    if (!first.body.accessToken) throw new Error(`login answered ${first.status}`);
    const secret = await client.enableMfa(first.body.accessToken);
    const second = await client.login(carol, password);
    if (!second.body.mfaToken) throw new Error('no MFA challenge');
    const wrong = await client.verifyMfa(second.body.mfaToken, '000000');
    const ok = await client.verifyMfa(second.body.mfaToken, totp(secret));
    return `challenge, wrong code ${wrong.status}, right code ${ok.status}`;
  });
  await step('OAuth login through the local provider', async () => {
    const res = await client.oauthLogin('erin@example.com');
    return String(res.status);
  });
  await step('token refresh (alice)', async () => {
    const res = await client.refresh(aliceTokens.refreshToken);
    if (res.body.accessToken) aliceTokens.accessToken = res.body.accessToken;
    return String(res.status);
  });
  await step('GDPR: alice exports her data, dave erases his', async () => {
    const exported = await client.gdprExport(aliceTokens.accessToken);
    const daveLogin = await client.login(dave, password);
    const erased = await client.gdprErasure(daveLogin.body.accessToken ?? '');
    return `export ${exported.status}, erasure ${erased.status}`;
  });
  await step('logout (alice)', async () => String((await client.logout(aliceTokens.accessToken)).status));
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  out('authlens demo: starting the example auth service with `node --import @authlens/sdk/register`…');
  let listening: Listening;
  try {
    listening = await startService();
  } catch (err) {
    const log = tailLog();
    const hint = /EADDRINUSE/.test(log)
      ? ` Port ${process.env.PORT ?? '3000'} is in use: run with PORT=0 (any free port) or another port.`
      : '';
    out(`authlens demo: ${err instanceof Error ? err.message : String(err)}.${hint} Last log lines:\n${log}`);
    return stop(1);
  }
  child!.once('exit', (code, signal) => {
    if (stopping) return;
    out(
      `authlens demo: the service stopped unexpectedly (${signal ?? `code ${code}`}). Last log lines:\n${tailLog()}`,
    );
    void stop(1);
  });
  const { url, prometheusPort } = listening;
  out(`authlens demo: service listening on ${url}`);
  out();
  const client = createClient(url);
  await traffic(client);

  const auth = `-H 'Authorization: Bearer ${apiKey}'`;
  const m = `${url}/monitoring`;
  out();
  out('Where to look:');
  row('Service', url);
  row('Status page', `${m}/status/`);
  row('Health', `${m}/health/`);
  row('Detailed health', `${m}/health/detailed/`);
  row('Metrics', `${m}/metrics/`);
  row('Security KPIs', `${m}/metrics/security/`);
  row('Alerts', `${m}/alerts/`);
  if (prometheusPort) row('Prometheus scrape', `http://127.0.0.1:${prometheusPort}/metrics`);
  row('Service log', logFile);
  row('API key (write)', apiKey);
  out();
  out('Ready-to-paste:');
  out(`  curl ${m}/status/`);
  out(`  curl ${auth} ${m}/health/detailed/`);
  out(`  curl ${auth} ${m}/metrics/ | grep -E '^(auth|security|business|compliance)_'`);
  out(`  curl ${auth} '${m}/alerts/?status=open'`);
  out(`  tail -f ${logFile}`);
  out();
  if (process.env.DEMO_KEEP_RUNNING === '0') return stop(0);
  out('authlens demo is running. Press Ctrl-C to stop.');
}

await main();
