import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DashboardMeta } from '../panels.ts';
import * as authentication from './authentication.ts';
import * as businessIntelligence from './business-intelligence.ts';
import * as compliance from './compliance.ts';
import * as logs from './logs.ts';
import * as performance from './performance.ts';
import * as securityMonitoring from './security-monitoring.ts';
import * as systemOverview from './system-overview.ts';

export interface DashboardModule {
  readonly meta: DashboardMeta;
  build(): Dashboard;
}

/** Every dashboard, in the order they are listed. */
export const dashboardModules: readonly DashboardModule[] = [
  systemOverview,
  authentication,
  securityMonitoring,
  businessIntelligence,
  performance,
  compliance,
  logs,
];
