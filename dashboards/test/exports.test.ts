/** The package's public surface, pinned: see `test/support/pinned-exports.ts`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinExports } from '../../test/support/pinned-exports.ts';

const ENTRY = [
  'InvalidExportOptionsError',
  'SLO',
  'UnknownDashboardError',
  'alertNames',
  'buildDashboard',
  'exportDashboards',
  'listDashboards',
  'recordingRuleNames',
  'renderOutputs',
  'renderRules',
];

pinExports(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), {
  '.': { actual: async () => Object.keys(await import('@authlens/dashboards')), pinned: ENTRY },
});
