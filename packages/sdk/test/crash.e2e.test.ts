/**
 * Uncaught exceptions and unhandled rejections reach Sentry (a local envelope receiver) with
 * the process's own crash behaviour unchanged: it still ends with exit code 1, as Node ends it
 * without authlens (the default `--unhandled-rejections=throw` makes a rejection an uncaught
 * exception).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, requireRedis, services } from '../../../test/support/services.ts';
import { startFixture, waitFor } from './support/fixture-process.ts';
import { type SentryReceiver, startSentryReceiver } from './support/sentry-receiver.ts';

let sentry: SentryReceiver;

beforeAll(async () => {
  await requirePostgres();
  await requireRedis();
  sentry = await startSentryReceiver();
});
afterAll(async () => {
  await sentry?.close();
});

const env = (crash: string, withSentry: boolean) => ({
  OTEL_SERVICE_NAME: 'fixture-crash',
  OTEL_EXPORTER_PROMETHEUS_PORT: '0',
  FIXTURE_PG_URL: services.postgresUrl,
  FIXTURE_REDIS_URL: services.redisUrl,
  FIXTURE_CRASH: crash,
  ...(withSentry ? { SENTRY_DSN: sentry.dsn } : { MONITORING_ENABLED: 'false' }),
});

describe('crashes with Sentry on', () => {
  it.each([
    ['an uncaught exception', 'uncaught', 'fixture uncaught crash'],
    ['an unhandled rejection', 'rejection', 'fixture unhandled rejection'],
  ])('%s reaches Sentry and the process still exits with code 1', async (_what, crash, message) => {
    // Without authlens: the behaviour to keep.
    const bare = await startFixture(env(crash, false));
    const bareExit = await bare.exited;
    expect(bareExit.code).toBe(1);

    const app = await startFixture(env(crash, true));
    const exit = await Promise.race([
      app.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`still alive\n${app.stderr()}`)), 10_000),
      ),
    ]);
    expect(exit.code, app.stderr()).toBe(bareExit.code);
    const event = await waitFor(
      () => sentry.items.find((i) => i.type === 'event' && JSON.stringify(i.payload).includes(message)),
      5_000,
      `Sentry event for ${crash}`,
    );
    const payload = event.payload as {
      exception?: { values?: Array<{ mechanism?: { handled?: boolean } }> };
    };
    expect(payload.exception?.values?.[0]?.mechanism?.handled).toBe(false);
    // The error is still reported on stderr, as Node reports it.
    expect(app.stderr()).toContain(message);
  });
});
