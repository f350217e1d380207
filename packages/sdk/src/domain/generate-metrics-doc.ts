/** Writes `docs/metrics.md` from the catalogue: `node packages/sdk/src/domain/generate-metrics-doc.ts`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMetricsDoc } from './metrics-doc.ts';

export const metricsDocPath = fileURLToPath(new URL('../../../../docs/metrics.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(metricsDocPath, renderMetricsDoc());
  console.log(`wrote ${metricsDocPath}`);
}
