/** Everything the generator writes, rendered in memory (paths relative to `dashboards/`). */
import { dashboardModules } from './dashboards/index.ts';
import { renderAlertmanagerExample, renderDashboardProvider, renderDatasources } from './provisioning.ts';
import { renderRules } from './rules.ts';

export interface DashboardInfo {
  readonly name: string;
  readonly title: string;
  /** File name inside `dashboards/generated/`. */
  readonly file: string;
  readonly description: string;
}

export const dashboardFile = (name: string) => `${name}.json`;

export const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function dashboardIndex(): DashboardInfo[] {
  return dashboardModules.map(({ meta }) => ({
    name: meta.name,
    title: meta.title,
    file: dashboardFile(meta.name),
    description: meta.description,
  }));
}

export function renderOutputs(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of dashboardModules) out.set(`generated/${dashboardFile(m.meta.name)}`, toJson(m.build()));
  out.set('generated/index.json', toJson(dashboardIndex()));
  out.set('rules/authlens.rules.yml', renderRules());
  out.set('provisioning/datasources/authlens.yml', renderDatasources());
  out.set('provisioning/dashboards/authlens.yml', renderDashboardProvider());
  out.set('alertmanager/alertmanager.example.yml', renderAlertmanagerExample());
  return out;
}
