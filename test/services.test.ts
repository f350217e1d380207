import { describe, expect, it } from 'vitest';
import {
  MissingServiceError,
  requireAlertmanager,
  requirePostgres,
  requirePrometheus,
  requireRedis,
  services,
} from './support/services.ts';

describe('real services started by scripts/services', () => {
  it('reaches PostgreSQL, Redis, Prometheus and Alertmanager', async () => {
    await requirePostgres();
    await requireRedis();
    await requirePrometheus();
    await requireAlertmanager();
  });

  it('runs Debian Prometheus 2.x with the remote-write receiver enabled', async () => {
    const res = await fetch(new URL('/api/v1/status/flags', services.prometheusUrl));
    const body = (await res.json()) as { data: Record<string, string> };
    expect(body.data['web.enable-remote-write-receiver']).toBe('true');
    const info = (await (
      await fetch(new URL('/api/v1/status/buildinfo', services.prometheusUrl))
    ).json()) as {
      data: { version: string };
    };
    expect(info.data.version).toMatch(/^2\./);
  });

  it('fails loudly, naming the part and the start command, when a part is missing', async () => {
    const saved = services.postgresUrl;
    services.postgresUrl = 'postgres://x@127.0.0.1:1/none';
    try {
      const err = await requirePostgres().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingServiceError);
      expect((err as Error).message).toBe(
        'PostgreSQL is not reachable at 127.0.0.1:1. Start it with: bash scripts/services start postgres',
      );
    } finally {
      services.postgresUrl = saved;
    }
  });
});
