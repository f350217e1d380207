/**
 * End to end, as in production: the example runs as a subprocess started with the one-line import
 * (`node --import @authlens/sdk/register src/server.ts`), users in the real PostgreSQL, sessions and
 * counters in the real Redis, OTLP to the real authlens Collector. Every flow is driven over HTTP,
 * then the test checks what an operator would see: one trace from the HTTP request down to
 * PostgreSQL, log lines carrying that trace ID, metric values, the alert raised by the brute-force
 * burst — and that no password, TOTP code, OAuth code, state, client secret or token (the
 * service's own or the OAuth provider's) appears in any output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCollector, requirePostgres, requireRedis, services } from '../../../test/support/services.ts';
import { type AuthClient, createClient } from '../src/client.ts';
import { totp } from '../src/crypto.ts';
import { type FakeOAuthProvider, startFakeOAuthProvider } from '../src/oauth-provider.ts';
import { type CollectorProcess, type JsonReceiver, startCollector, startJsonReceiver } from './otlp.ts';
import { createTestDatabase, PASSWORD, randomEmail } from './support.ts';

const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const apiKey = `e2e_${randomBytes(18).toString('base64url')}`;
const redisPrefix = `authsvc-e2e:${randomBytes(4).toString('hex')}:`;
const ATTACKER = '198.51.100.42';
const OAUTH_CLIENT_ID = 'authlens-e2e';
const oauthClientSecret = `cs_${randomBytes(18).toString('base64url')}`;

/** Sum of the samples of `name` whose labels include `labels` in Prometheus text. */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('example auth service end to end (one-line import, PostgreSQL, Redis, Collector)', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let receiver: JsonReceiver;
  let collector: CollectorProcess;
  let service: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let stdout = '';
  let stderr = '';
  let baseUrl: string;
  let client: AuthClient;
  let provider: FakeOAuthProvider;
  /** Every secret the flows handle; none may appear in any output. */
  const secrets = new Map<string, string>([
    [PASSWORD, 'password'],
    [apiKey, 'monitoring API key'],
    [oauthClientSecret, 'OAuth client secret'],
  ]);
  /** The access tokens the OAuth provider issued to the service (server to server). */
  const providerTokens: string[] = [];
  /** Every secret found in an output, by the SIGTERM test. */
  const keep = (kind: string, ...values: (string | undefined)[]) => {
    for (const v of values) if (v) secrets.set(v, kind);
  };
  const monitoringGet = (p: string) =>
    fetch(`${baseUrl}/monitoring${p}`, { headers: { authorization: `Bearer ${apiKey}` } });

  beforeAll(async () => {
    await requirePostgres();
    await requireRedis();
    const collectorBin = requireCollector();
    dir = mkdtempSync(path.join(tmpdir(), 'authsvc-e2e-'));
    db = await createTestDatabase('authsvc_e2e');
    receiver = await startJsonReceiver();
    collector = await startCollector(collectorBin, dir, receiver.url);
    // The OAuth provider runs here, so the test knows its client secret and the access tokens
    // it issues to the service.
    provider = await startFakeOAuthProvider({
      clientId: OAUTH_CLIENT_ID,
      clientSecret: oauthClientSecret,
      onAccessToken: (token) => {
        providerTokens.push(token);
        secrets.set(token, 'OAuth provider access token');
      },
    });

    service = spawn(
      process.execPath,
      ['--conditions=authlens-source', '--import', '@authlens/sdk/register', 'src/server.ts'],
      {
        cwd: exampleDir,
        env: {
          PATH: process.env.PATH ?? '',
          PORT: '0',
          DATABASE_URL: db.url,
          REDIS_URL: services.redisUrl,
          REDIS_KEY_PREFIX: redisPrefix,
          OTEL_SERVICE_NAME: 'auth-service-e2e',
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
          OTEL_EXPORTER_PROMETHEUS_PORT: '0',
          OTEL_BSP_SCHEDULE_DELAY: '200',
          OTEL_BLRP_SCHEDULE_DELAY: '200',
          MONITORING_API_KEYS: `e2e:${apiKey}:write`,
          ALERT_STORE_URL: `sqlite:${path.join(dir, 'alerts.db')}`,
          LOCKOUT_MAX_FAILURES: '3',
          BRUTE_FORCE_THRESHOLD: '5',
          OAUTH_PROVIDER_URL: provider.url,
          OAUTH_CLIENT_ID,
          OAUTH_CLIENT_SECRET: oauthClientSecret,
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    service.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    service.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    exited = new Promise((resolve) => service.once('exit', (code, signal) => resolve({ code, signal })));
    baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`service not listening after 30 s\n${stdout}\n${stderr}`)),
        30_000,
      );
      service.on('message', (m: { type?: string; url?: string }) => {
        if (m.type === 'listening' && m.url) {
          clearTimeout(timer);
          resolve(m.url);
        }
      });
      void exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`service exited with ${code} during start-up\n${stdout}\n${stderr}`));
      });
    });
    client = createClient(baseUrl);
  }, 90_000);

  afterAll(async () => {
    if (service && service.exitCode === null && service.signalCode === null) {
      service.kill('SIGKILL');
      await exited;
    }
    await collector?.stop();
    await provider?.close();
    await receiver?.close();
    await db?.drop();
    const redis = new Redis(services.redisUrl);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const alice = randomEmail('alice');
  const bob = randomEmail('bob');
  const carol = randomEmail('carol');

  it('drives every flow over HTTP', async () => {
    for (const who of [alice, bob, carol]) expect((await client.register(who, PASSWORD)).status).toBe(201);
    expect((await client.register('nope', PASSWORD)).body).toMatchObject({
      code: 'invalid_field',
      field: 'email',
    });

    const login = await client.login(alice, PASSWORD);
    expect(login.status).toBe(200);
    keep('token', login.body.accessToken, login.body.refreshToken);
    expect((await client.me(login.body.accessToken!)).status).toBe(200);
    const wrongPassword = 'Tr0ub4dor&3-wrong';
    keep('wrong password', wrongPassword);
    expect((await client.login(alice, wrongPassword)).status).toBe(401);

    // MFA: enrol, then log in with a code.
    const carolLogin = await client.login(carol, PASSWORD);
    keep('token', carolLogin.body.accessToken, carolLogin.body.refreshToken);
    const { secret, confirmCode } = await client.enableMfa(carolLogin.body.accessToken!);
    keep('TOTP secret', secret);
    keep('TOTP confirm code', confirmCode);
    const challenge = await client.login(carol, PASSWORD);
    expect(challenge.body.mfaRequired).toBe(true);
    keep('MFA token', challenge.body.mfaToken);
    const code = totp(secret);
    keep('TOTP code', code);
    const verified = await client.verifyMfa(challenge.body.mfaToken!, code);
    expect(verified.status).toBe(200);
    keep('token', verified.body.accessToken, verified.body.refreshToken);

    // OAuth through the local provider (real HTTP round trip).
    const oauth = await client.oauthLogin(randomEmail('erin'));
    expect(oauth.status).toBe(200);
    expect(oauth.oauth?.code).toMatch(/^[\w-]{16,}$/);
    expect(oauth.oauth?.state).toMatch(/^[\w-]{16,}$/);
    keep('token', oauth.body.accessToken, oauth.body.refreshToken);
    keep('OAuth code', oauth.oauth?.code);
    keep('OAuth state', oauth.oauth?.state);
    expect(providerTokens).toHaveLength(1);

    // Refresh and logout.
    const refreshed = await client.refresh(login.body.refreshToken!);
    expect(refreshed.status).toBe(200);
    keep('token', refreshed.body.accessToken, refreshed.body.refreshToken);
    expect((await client.logout(refreshed.body.accessToken!)).status).toBe(204);
    expect((await client.me(refreshed.body.accessToken!)).status).toBe(401);

    // Refresh-token reuse: bob's rotated-out refresh token presented again revokes his session.
    const bobLogin = await client.login(bob, PASSWORD);
    keep('token', bobLogin.body.accessToken, bobLogin.body.refreshToken);
    const bobRefreshed = await client.refresh(bobLogin.body.refreshToken!);
    expect(bobRefreshed.status).toBe(200);
    keep('token', bobRefreshed.body.accessToken, bobRefreshed.body.refreshToken);
    const reused = await client.refresh(bobLogin.body.refreshToken!);
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ code: 'invalid_refresh_token', field: 'refreshToken' });
    expect((await client.me(bobRefreshed.body.accessToken!)).status).toBe(401);
    expect((await client.refresh(bobRefreshed.body.refreshToken!)).status).toBe(401);

    // GDPR export and erasure.
    const exported = await client.gdprExport(verified.body.accessToken!);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ request: { type: 'access', status: 'completed' } });
    expect((await client.gdprErasure(verified.body.accessToken!)).status).toBe(200);
    expect((await client.login(carol, PASSWORD)).status).toBe(401);

    // Brute-force burst from one address: bob gets locked, the address raises an alert.
    const attacker = createClient(baseUrl, { 'x-forwarded-for': ATTACKER });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const guess = `guess-${i}-${randomBytes(3).toString('hex')}`;
      keep('guessed password', guess);
      statuses.push((await attacker.login(i % 2 ? randomEmail('guess') : bob, guess)).status);
    }
    expect(statuses).toContain(423);
  });

  it('shows the flows as metric values on the metrics endpoint', async () => {
    const text = await (await monitoringGet('/metrics/')).text();
    expect(
      metricValue(text, 'auth_login_attempts_total', { auth_method: 'password', auth_outcome: 'success' }),
    ).toBe(4); // alice, carol before MFA, carol with her TOTP code, bob
    expect(
      metricValue(text, 'auth_login_attempts_total', {
        auth_outcome: 'failure',
        auth_failure_reason: 'invalid_credentials',
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      metricValue(text, 'auth_login_attempts_total', { auth_method: 'oauth', auth_outcome: 'success' }),
    ).toBe(1);
    expect(metricValue(text, 'auth_mfa_verifications_total', { auth_outcome: 'success' })).toBe(2);
    expect(metricValue(text, 'auth_mfa_enrollments_total', { auth_mfa_action: 'enrolled' })).toBe(1);
    expect(metricValue(text, 'security_account_lockouts_total')).toBe(1);
    expect(metricValue(text, 'security_events_total', { security_event_type: 'token_reuse' })).toBe(1);
    expect(
      metricValue(text, 'security_events_total', { security_event_type: 'brute_force' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'business_registrations_total')).toBe(4);
    // Declared funnel and features: the MFA enrolment is a signup step and a feature use.
    expect(
      metricValue(text, 'business_funnel_steps_total', {
        business_funnel: 'signup',
        business_funnel_step: 'mfa_enabled',
      }),
    ).toBe(1);
    expect(
      metricValue(text, 'business_feature_usage_total', {
        business_feature: 'mfa_totp',
        business_action: 'enrolled',
      }),
    ).toBe(1);
    expect(metricValue(text, 'business_feature_usage_total', { business_feature: 'other' })).toBe(0);
    expect(
      metricValue(text, 'compliance_dsr_requests_total', {
        compliance_request_type: 'erasure',
        compliance_request_status: 'completed',
      }),
    ).toBe(1);
    // The oldest account kept in this fresh database was registered by this test, moments ago;
    // its age is computed at scrape time, so it is above zero.
    const oldestAccount = metricValue(text, 'compliance_retention_oldest_record_age_seconds', {
      compliance_data_category: 'account',
    });
    expect(oldestAccount).toBeGreaterThan(0);
    expect(oldestAccount).toBeLessThan(300);
    // The OTel JS Prometheus exporter appends the unit to histogram names (`_seconds`).
    const loginRequests = ['http_server_request_duration_seconds_count', 'http_server_request_duration_count']
      .map((name) => metricValue(text, name, { http_route: '/auth/login' }))
      .reduce((a, b) => a + b);
    expect(loginRequests).toBeGreaterThanOrEqual(10); // 11 logins; the last may still be finishing
  });

  it('raises an alert for the brute-force burst', async () => {
    const res = await monitoringGet('/alerts/');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as {
      items: { name: string; severity: string; labels: Record<string, string> }[];
    };
    const alert = items.find((a) => a.name === 'security_brute_force' && a.labels.subject === ATTACKER);
    expect(alert, JSON.stringify(items)).toMatchObject({ severity: 'high', labels: { scope: 'ip' } });
  });

  it('reports its own health checks', async () => {
    const res = await monitoringGet('/health/detailed/');
    expect(res.status).toBe(200);
    const body = JSON.stringify(await res.json());
    for (const check of ['user-store', 'session-store', 'oauth-provider']) expect(body).toContain(check);
    expect(body).toContain('"backend":"postgres"');
    expect(body).toContain('"backend":"redis"');
  });

  it('exports one trace from the HTTP request down to PostgreSQL, and logs carrying its trace ID', async () => {
    const server = await until('the /auth/register server span', () =>
      receiver.spans.find((s) => s.kind === 2 && s.attributes['http.route'] === '/auth/register'),
    );
    expect(server.service).toBe('auth-service-e2e');
    const pgSpan = await until('a PostgreSQL span in the register trace', () =>
      receiver.spans.find(
        (s) =>
          s.traceId === server.traceId &&
          (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'postgresql' &&
          String(s.attributes['db.query.text']).startsWith('INSERT INTO users'),
      ),
    );
    expect(pgSpan.kind).toBe(3);
    // Not only the same trace: the PostgreSQL span's parents lead up to that HTTP server span.
    const byId = new Map(
      receiver.spans.filter((s) => s.traceId === server.traceId).map((s) => [s.spanId, s]),
    );
    const chain = [pgSpan.name];
    let parentId = pgSpan.parentSpanId;
    while (parentId && parentId !== server.spanId) {
      const parent = byId.get(parentId);
      expect(parent, `parent ${parentId} of ${chain.join(' < ')} was exported`).toBeDefined();
      chain.push(parent!.name);
      parentId = parent!.parentSpanId;
      expect(chain.length).toBeLessThan(20);
    }
    expect(parentId, `${chain.join(' < ')} does not lead to the server span`).toBe(server.spanId);
    const traceLines = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.trace_id === server.traceId);
    expect(traceLines.length).toBeGreaterThan(0);
    expect(traceLines.some((l) => l.message === 'request completed')).toBe(true);
    // The security log line of the failed login carries a trace ID that the collector received too.
    const failed = stdout
      .split('\n')
      .filter((l) => l.includes('"Authentication failed"'))
      .map((l) => JSON.parse(l) as { trace_id?: string });
    expect(failed.length).toBeGreaterThan(0);
    const failedTrace = failed[0]!.trace_id!;
    expect(failedTrace).toMatch(/^[0-9a-f]{32}$/);
    await until('the failed login trace', () => receiver.spans.find((s) => s.traceId === failedTrace));
    await until('OTLP log records with trace IDs', () =>
      receiver.logs.find((l) => l.traceId === failedTrace) ? true : undefined,
    );
  });

  it('echoes the correlation ID and puts it, with the user ID, on the log lines of that request', async () => {
    const correlationId = `e2e-${randomBytes(6).toString('hex')}`;
    const login = await client.login(alice, PASSWORD);
    keep('token', login.body.accessToken, login.body.refreshToken);
    const res = await fetch(`${baseUrl}/auth/me`, {
      headers: { authorization: `Bearer ${login.body.accessToken}`, 'x-correlation-id': correlationId },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-correlation-id')).toBe(correlationId);
    const line = await until('the log line of the correlated request', () =>
      stdout
        .split('\n')
        .filter((l) => l.includes(correlationId))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.message === 'request completed'),
    );
    const me = (await res.json()) as { id: string };
    expect(line).toMatchObject({
      correlation_id: correlationId,
      'http.route': '/auth/me',
      'enduser.id': me.id,
    });
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('stops on SIGTERM within 5 s, and no secret appears in any output', async () => {
    const started = Date.now();
    service.kill('SIGTERM');
    const result = await exited;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.code).toBe(0);
    const outputs = { stdout, stderr, otlp: receiver.raw.join('\n'), collector: collector.output() };
    expect(secrets.size).toBeGreaterThan(15);
    const findings: string[] = [];
    for (const [secret, kind] of secrets) {
      // A 6-digit TOTP code only counts when it stands alone (not inside a longer number or hash).
      const pattern = /^\d+$/.test(secret)
        ? new RegExp(`(?<![0-9a-f])${secret}(?![0-9a-f])`)
        : new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      for (const [where, text] of Object.entries(outputs)) {
        const at = pattern.exec(text)?.index;
        if (at === undefined) continue;
        // Where it was found, with the secret itself masked.
        const context = `${text.slice(Math.max(0, at - 80), at)}<${kind}>${text.slice(at + secret.length, at + secret.length + 40)}`;
        findings.push(`${kind} (${secret.slice(0, 4)}…) in ${where}: …${context.replaceAll('\n', ' ')}…`);
      }
    }
    expect(findings).toEqual([]);
  });
});
