import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStructuredLogger } from '../../test/support/metrics-harness.ts';
import { createPerformanceLogger, redactSql } from './performance-logger.ts';
import { createSecurityLogger } from './security-logger.ts';

describe('getStructuredLogger', () => {
  it('writes one JSON line with the key-value fields (real subprocess, real stdout)', () => {
    const module = new URL('./structured-logger.ts', import.meta.url).href;
    const code = `
      const { getStructuredLogger } = await import(${JSON.stringify(module)});
      const logger = getStructuredLogger('app.users');
      logger.info('User action completed', { user_id: '12345', action: 'password_change', success: true, duration_ms: 150 });
      logger.child({ request: 'r1' }).warn('careful', { n: 1 });
    `;
    const run = spawnSync(
      process.execPath,
      ['--conditions=authlens-source', '--input-type=module', '-e', code],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'User action completed',
      logger: 'app.users',
      user_id: '12345',
      action: 'password_change',
      success: true,
      duration_ms: 150,
    });
    expect(lines[1]).toMatchObject({
      level: 'warn',
      message: 'careful',
      request: 'r1',
      n: 1,
      logger: 'app.users',
    });
  });
});

describe('securityLogger', () => {
  it('logs authentication attempts with their documented fields', () => {
    const { logger, lines } = captureStructuredLogger();
    const security = createSecurityLogger({ logger });
    security.logAuthenticationAttempt({
      userId: '12345',
      ipAddress: '192.168.1.1',
      userAgent: 'Mozilla/5.0',
      success: true,
      method: 'password',
      riskScore: 0.2,
    });
    security.logAuthenticationAttempt({
      userId: '9',
      success: false,
      method: 'password',
      failureReason: 'invalid_credentials',
    });
    security.logMfa({ userId: '12345', method: 'totp', action: 'verification', success: false });
    security.logSecurityEvent({
      type: 'suspicious_ip',
      severity: 'medium',
      ipAddress: '203.0.113.1',
      details: { country: 'XX' },
    });
    expect(lines[0]).toMatchObject({
      level: 'info',
      'event.name': 'authentication_attempt',
      'event.outcome': 'success',
      'user.id': '12345',
      'client.address': '192.168.1.1',
      'user_agent.original': 'Mozilla/5.0',
      'auth.method': 'password',
      'security.risk_score': 0.2,
    });
    expect(lines[1]).toMatchObject({
      level: 'warn',
      'event.outcome': 'failure',
      'auth.failure_reason': 'invalid_credentials',
    });
    expect(lines[1]).not.toHaveProperty('client.address');
    expect(lines[2]).toMatchObject({
      level: 'warn',
      'event.name': 'mfa_verification',
      'auth.mfa.method': 'totp',
    });
    expect(lines[3]).toMatchObject({ level: 'warn', 'security.event.type': 'suspicious_ip', country: 'XX' });
  });
});

describe('performanceLogger', () => {
  it('redacts SQL literals but keeps its shape', () => {
    expect(
      redactSql(
        `SELECT * FROM users WHERE email = 'a@b.c' AND id IN (1, 2, 3) -- secret\n  AND token = E'x''y' LIMIT 10`,
      ),
    ).toBe('SELECT * FROM users WHERE email = ? AND id IN (?) AND token = ? LIMIT ?');
    expect(redactSql('UPDATE "t1" SET v = $$pw$$, n = -4.5e3 WHERE c2 = $1 /* hint */')).toBe(
      'UPDATE "t1" SET v = ?, n = ? WHERE c2 = $1',
    );
    expect(redactSql('x'.repeat(50), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  // A context manager, as the running SDK has: without one `context.with` is a no-op and no
  // line could carry a trace ID.
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('logs slow requests and queries over the thresholds, with the trace ID', () => {
    const { logger, lines } = captureStructuredLogger();
    const perf = createPerformanceLogger({ logger, slowRequestMs: 500, slowQueryMs: 50 });
    expect(perf.logRequest({ method: 'POST', route: '/login', statusCode: 200, durationMs: 499 })).toBe(
      false,
    );
    expect(perf.logQuery({ sql: 'SELECT 1', durationMs: 10 })).toBe(false);
    expect(lines).toHaveLength(0);

    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    };
    context.with(trace.setSpanContext(context.active(), spanContext), () => {
      expect(perf.logRequest({ method: 'POST', route: '/login', statusCode: 401, durationMs: 812.5 })).toBe(
        true,
      );
      expect(
        perf.logQuery({
          sql: "SELECT * FROM users WHERE email = 'alice@example.com'",
          durationMs: 75,
          system: 'postgresql',
          rows: 1,
        }),
      ).toBe(true);
    });
    expect(lines[0]).toMatchObject({
      level: 'warn',
      trace_id: spanContext.traceId,
      span_id: spanContext.spanId,
      'event.name': 'slow_request',
      'http.route': '/login',
      'http.response.status_code': 401,
      duration_ms: 812.5,
      threshold_ms: 500,
    });
    expect(lines[1]).toMatchObject({
      trace_id: spanContext.traceId,
      'event.name': 'slow_query',
      'db.query.text': 'SELECT * FROM users WHERE email = ?',
      'db.system': 'postgresql',
      duration_ms: 75,
    });
    expect(JSON.stringify(lines)).not.toContain('alice@example.com');
    expect(() => createPerformanceLogger({ slowQueryMs: -1 })).toThrow(/slowQueryMs/);
  });
});
