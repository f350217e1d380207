import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instrumentCatalogue, prometheusSeriesNames } from './catalogue.ts';
import { metricsDocPath } from './generate-metrics-doc.ts';
import { renderMetricsDoc } from './metrics-doc.ts';

describe('docs/metrics.md', () => {
  it('is what the catalogue generates (run `node packages/sdk/src/domain/generate-metrics-doc.ts`)', () => {
    const committed = readFileSync(metricsDocPath, 'utf8');
    expect(committed).toBe(renderMetricsDoc());
  });

  it('lists every instrument with its Prometheus series', () => {
    const doc = renderMetricsDoc();
    for (const entry of instrumentCatalogue) {
      expect(doc).toContain(`| \`${entry.name}\` | ${entry.kind} |`);
      for (const series of prometheusSeriesNames(entry.name)) expect(doc).toContain(`\`${series}\``);
    }
  });
});
