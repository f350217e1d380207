/**
 * Writes the generated dashboards, rules and provisioning files (`pnpm --filter
 * @authlens/dashboards generate`, or `node src/generate.ts` from dashboards/). A test fails
 * when the committed files differ from what this would write.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderOutputs } from './outputs.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

for (const [relative, content] of renderOutputs()) {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  console.log(`wrote ${relative}`);
}
