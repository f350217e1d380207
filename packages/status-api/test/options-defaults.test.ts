/** The status API's `DEFAULTS` are what an empty environment resolves to, and are frozen. */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/defaults.ts';
import { normalizeOptions } from '../src/options.ts';

describe('DEFAULTS', () => {
  it('is what an empty environment resolves to', () => {
    const o = normalizeOptions({ env: {} });
    expect(o).toMatchObject({
      serviceName: DEFAULTS.serviceName,
      timeoutMs: DEFAULTS.healthCheckTimeoutSeconds * 1000,
      cacheTtlMs: DEFAULTS.healthCheckCacheTtlSeconds * 1000,
      sloTarget: DEFAULTS.sloTarget,
      rateLimitPerMinute: DEFAULTS.rateLimitPerMinute,
      bodyLimitBytes: DEFAULTS.bodyLimitBytes,
      webhookBodyLimitBytes: DEFAULTS.webhookBodyLimitBytes,
      retention: [
        { category: 'metrics', maxAgeDays: DEFAULTS.metricsRetentionDays },
        { category: 'alert_history', maxAgeDays: DEFAULTS.alertHistoryRetentionDays },
      ],
    });
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
  });

  it('explicit option, then variable, then default — each checked by the same rule', () => {
    expect(normalizeOptions({ env: { MONITORING_SLO_TARGET: '0.99' } }).sloTarget).toBe(0.99);
    expect(normalizeOptions({ env: { MONITORING_SLO_TARGET: '0.99' }, sloTarget: 0.95 }).sloTarget).toBe(
      0.95,
    );
    expect(() => normalizeOptions({ env: {}, sloTarget: 1 })).toThrow(
      /^sloTarget: '1' is not a number > 0 and < 1$/,
    );
    expect(() => normalizeOptions({ env: { MONITORING_SLO_TARGET: '1' } })).toThrow(
      /^MONITORING_SLO_TARGET: '1' is not a number > 0 and < 1$/,
    );
  });
});
