/**
 * @authlens/dashboards: Grafana dashboards and Prometheus rules for authlens, as code.
 * Used by `authlens export-dashboards` and by the status API's `GET /monitoring/dashboards/`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardModules } from './dashboards/index.ts';
import { InvalidExportOptionsError, UnknownDashboardError } from './errors.ts';
import { type DashboardInfo, dashboardFile, dashboardIndex, toJson } from './outputs.ts';

export { InvalidExportOptionsError, UnknownDashboardError } from './errors.ts';
export type { Expression } from './expressions.ts';
export type { DashboardInfo } from './outputs.ts';
export { renderOutputs } from './outputs.ts';
export { alertNames, recordingRuleNames, renderRules, SLO } from './rules.ts';

/** Name, title, file and description of every dashboard (what `generated/index.json` holds). */
export function listDashboards(): DashboardInfo[] {
  return dashboardIndex();
}

/** The Grafana dashboard JSON model of one dashboard. */
export function buildDashboard(name: string): Dashboard {
  const m = dashboardModules.find((x) => x.meta.name === name);
  if (!m)
    throw new UnknownDashboardError(
      name,
      dashboardModules.map((x) => x.meta.name),
    );
  return m.build();
}

export type ExportOptions =
  | { readonly all: true; readonly names?: undefined; readonly outputDir: string }
  | { readonly all?: false; readonly names: readonly string[]; readonly outputDir: string };

/**
 * Writes `<outputDir>/<name>.json` for the chosen dashboards (creating the directory) and
 * returns the paths written. Unknown names fail before anything is written.
 */
export async function exportDashboards(options: ExportOptions): Promise<string[]> {
  if (typeof options?.outputDir !== 'string' || options.outputDir === '') {
    throw new InvalidExportOptionsError('outputDir', 'must be a non-empty directory path');
  }
  let names: readonly string[];
  if (options.all === true) {
    names = dashboardModules.map((m) => m.meta.name);
  } else {
    if (!Array.isArray(options.names) || options.names.length === 0) {
      throw new InvalidExportOptionsError('names', 'give at least one dashboard name, or all: true');
    }
    names = options.names;
  }
  const built = names.map((name) => [name, buildDashboard(name)] as const);
  await mkdir(options.outputDir, { recursive: true });
  const written: string[] = [];
  for (const [name, dashboard] of built) {
    const file = path.join(options.outputDir, dashboardFile(name));
    await writeFile(file, toJson(dashboard));
    written.push(file);
  }
  return written;
}
