/**
 * The CLI's exit status and the HTTP problem types follow the error's `code`, never its class:
 * an error from a second copy of a package (installed twice) — here a plain Error or object
 * with the same `code` — is classified and answered exactly as ours.
 */
import { buildDashboard, exportDashboards } from '@authlens/dashboards';
import { AuthlensConfigError, AuthlensError } from '@authlens/sdk';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { configError, invalidField } from '../src/alerts/errors.ts';
import { classify } from '../src/cli.ts';
import { MetricsSourceError, MonitoringConfigError, replyError } from '../src/errors.ts';
import { IncidentError } from '../src/incidents/service.ts';
import { MissingSettingError } from '../src/jobs/config.ts';
import { normalizeOptions } from '../src/options.ts';
import { openDatabase } from '../src/store/index.ts';

const thrown = async (fn: () => unknown): Promise<unknown> => {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
};

/** What a second copy of the package would throw: same message and fields, another class. */
const secondCopy = (err: Error & { setting?: string; field?: string }) =>
  Object.assign(new Error(err.message), {
    code: (err as { code?: string }).code,
    setting: err.setting,
    field: err.field,
    cause: err.cause,
  });

describe('every error carries its code and the setting it is about', async () => {
  const cases: Array<[string, unknown, string, string | undefined, 1 | 2]> = [
    [
      'SDK setting',
      new AuthlensConfigError('OTEL_EXPORTER_PROMETHEUS_PORT', 'abc', 'an integer from 0 to 65535'),
      'invalid_config',
      'OTEL_EXPORTER_PROMETHEUS_PORT',
      2,
    ],
    [
      'plugin setting',
      await thrown(() => normalizeOptions({ env: { HEALTH_CHECK_TIMEOUT_SECONDS: 'five' } })),
      'invalid_config',
      'HEALTH_CHECK_TIMEOUT_SECONDS',
      2,
    ],
    ['store URL', await thrown(() => openDatabase('mysql://x')), 'invalid_config', 'ALERT_STORE_URL', 2],
    [
      'routing field',
      configError('routes[0].match', 'must be an object'),
      'invalid_config',
      'routes[0].match',
      2,
    ],
    [
      'export option',
      await thrown(() => exportDashboards({ all: true, outputDir: '' })),
      'invalid_config',
      'outputDir',
      2,
    ],
    [
      'missing setting',
      new MissingSettingError('PROMETHEUS_URL', 'is not set'),
      'missing_setting',
      'PROMETHEUS_URL',
      1,
    ],
    ['unknown dashboard', await thrown(() => buildDashboard('nope')), 'unknown_dashboard', undefined, 2],
    ['request field', invalidField('severity', 'must be one of …'), 'invalid_field', undefined, 1],
    ['incident', new IncidentError('not_found', 'no incident 9', 'id'), 'not_found', undefined, 1],
  ];

  it.each(cases)('%s', (_, err, code, setting, exit) => {
    expect(err).toBeInstanceOf(AuthlensError);
    expect((err as AuthlensError).code).toBe(code);
    expect((err as AuthlensError).setting).toBe(setting);
    expect(classify(err)).toEqual({ code: exit, reason: (err as Error).message });
    expect(classify(secondCopy(err as Error))).toEqual(classify(err));
  });
});

describe('classify()', () => {
  it('maps by code alone, whatever carries it', () => {
    expect(classify({ code: 'usage', message: 'unknown flag --x' })).toEqual({
      code: 2,
      reason: 'unknown flag --x',
    });
    expect(classify({ code: 'invalid_config', message: 'PORT: bad' })).toEqual({
      code: 2,
      reason: 'PORT: bad',
    });
    expect(classify({ code: 'missing_setting', message: 'SMTP_URL: is not set' }).code).toBe(1);
    expect(
      classify(Object.assign(new Error('bad option'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })).code,
    ).toBe(2);
  });

  it('does not read a code it does not know as ours', () => {
    expect(classify(Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }))).toEqual({
      code: 1,
      reason: 'connect refused',
    });
    expect(classify({ code: 'toString', message: 'x' }).code).toBe(1);
    expect(classify('plain string')).toEqual({ code: 1, reason: 'plain string' });
  });

  it('says which source failed for metrics errors, from either copy', () => {
    const failed = new MetricsSourceError('query failed', { cause: new Error('HTTP 500') });
    expect(classify(failed)).toEqual({ code: 1, reason: 'PROMETHEUS_URL: query failed (HTTP 500)' });
    expect(classify(secondCopy(failed))).toEqual(classify(failed));
    const none = new MetricsSourceError('no source', { unavailable: true });
    expect(none.code).toBe('metrics_unavailable');
    expect(classify({ code: 'metrics_unavailable', message: 'x' })).toEqual(classify(none));
    expect(classify(none).reason).toMatch(/^PROMETHEUS_URL: is not set/);
  });
});

describe('replyError() answers by code', () => {
  const app = Fastify({ logger: false });
  const throwing = new Map<string, () => unknown>([
    ['ours', () => invalidField('labels.team', 'must be a string')],
    ['copy', () => secondCopy(invalidField('labels.team', 'must be a string'))],
    ['conflict', () => ({ code: 'conflict', message: 'already resolved' })],
    ['incident', () => new IncidentError('not_found', 'no incident 9', 'id')],
    ['config', () => new MonitoringConfigError('PROMETHEUS_URL', "'secret-value' is not an http(s) URL")],
    ['config-copy', () => ({ code: 'invalid_config', message: 'X: secret-value' })],
    ['unavailable', () => ({ code: 'metrics_unavailable', message: 'internal detail' })],
    ['failed', () => new MetricsSourceError('internal detail')],
    ['server-code', () => ({ code: 'internal_error', message: 'internal detail' })],
  ]);
  app.setErrorHandler(replyError);
  app.get('/:case', async (request) => {
    throw (throwing.get((request.params as { case: string }).case) as () => unknown)();
  });
  afterAll(() => app.close());

  const answer = async (name: string) => {
    const res = await app.inject({ url: `/${name}` });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  it('a coded client error becomes its problem, naming the field, from either copy', async () => {
    const ours = await answer('ours');
    expect(ours).toMatchObject({ status: 400, body: { code: 'invalid_field', field: 'labels.team' } });
    expect(ours.body.detail).toBe('labels.team: must be a string');
    expect(await answer('copy')).toEqual(ours);
    expect(await answer('conflict')).toMatchObject({
      status: 409,
      body: { code: 'conflict', detail: 'already resolved' },
    });
    expect(await answer('incident')).toMatchObject({ status: 404, body: { code: 'not_found', field: 'id' } });
  });

  it('metrics codes become 503 and 502 without the internal message', async () => {
    const unavailable = await answer('unavailable');
    expect(unavailable).toMatchObject({ status: 503, body: { code: 'metrics_unavailable' } });
    expect(JSON.stringify(unavailable.body)).not.toContain('internal detail');
    const failed = await answer('failed');
    expect(failed).toMatchObject({ status: 502, body: { code: 'metrics_source_failed' } });
    expect(JSON.stringify(failed.body)).not.toContain('internal detail');
  });

  it('configuration and server-side codes are internal errors that echo nothing', async () => {
    for (const name of ['config', 'config-copy', 'server-code']) {
      const res = await answer(name);
      expect(res).toMatchObject({ status: 500, body: { code: 'internal_error' } });
      expect(JSON.stringify(res.body)).not.toMatch(/secret-value|internal detail/);
    }
  });
});
