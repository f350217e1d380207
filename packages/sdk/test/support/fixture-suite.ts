/**
 * The shared setup of the fixture e2e tests: PostgreSQL and Redis must be up, one local OTLP
 * receiver runs for the file, and every fixture started with `launch` is stopped afterwards.
 */
import { afterAll, beforeAll } from 'vitest';
import { requirePostgres, requireRedis, services } from '../../../../test/support/services.ts';
import { type FixtureProcess, startFixture } from './fixture-process.ts';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.ts';

export interface FixtureSuite {
  /** The file's OTLP receiver (set once `beforeAll` ran). */
  otlp: OtlpReceiver;
  /** Starts a fixture with the PostgreSQL and Redis URLs plus `env`; stopped after the tests. */
  launch(env: Record<string, string>, script?: string): Promise<FixtureProcess>;
}

export function fixtureSuite(): FixtureSuite {
  const started: FixtureProcess[] = [];
  const suite: FixtureSuite = {
    otlp: undefined as unknown as OtlpReceiver,
    async launch(env, script) {
      const app = await startFixture(
        { FIXTURE_PG_URL: services.postgresUrl, FIXTURE_REDIS_URL: services.redisUrl, ...env },
        script,
      );
      started.push(app);
      return app;
    },
  };
  beforeAll(async () => {
    await requirePostgres();
    await requireRedis();
    suite.otlp = await startOtlpReceiver();
  });
  afterAll(async () => {
    for (const p of started) await p.stop();
    await suite.otlp?.close();
  });
  return suite;
}
