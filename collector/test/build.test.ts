import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireCollector } from '../../test/support/services.ts';

let bin: string;
beforeAll(() => {
  bin = requireCollector();
});

describe('custom collector build', () => {
  it('contains exactly the components of the builder manifest', () => {
    const out = execFileSync(bin, ['components'], { encoding: 'utf8' });
    for (const name of [
      'otlp',
      'memory_limiter',
      'batch',
      'tail_sampling',
      'redaction',
      'transform',
      'filter',
    ]) {
      expect(out).toContain(`name: ${name}`);
    }
    for (const name of [
      'prometheusremotewrite',
      'loadbalancing',
      'otlphttp',
      'file_storage',
      'health_check',
    ]) {
      expect(out).toContain(`name: ${name}`);
    }
  });

  it('validates collector/config.yaml', () => {
    const r = spawnSync(bin, ['validate', '--config', path.join(repoRoot, 'collector/config.yaml')], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
