/**
 * What `pnpm demo` adds to the service's environment for the status page: the demo routing file
 * (a public rule: the brute-force alert opens an incident) and 7 days of seeded history.
 * No import of `@authlens/status-api` here: `demo.ts` runs without the source condition.
 */
import path from 'node:path';

/** What `pnpm demo` adds to the service's environment for the status page. */
export function demoStatusEnv(exampleDir: string): Record<string, string> {
  return {
    ALERT_ROUTING_FILE: process.env.ALERT_ROUTING_FILE ?? path.join(exampleDir, 'demo-routing.yaml'),
    AUTHLENS_DEMO_STATUS_DAYS: process.env.AUTHLENS_DEMO_STATUS_DAYS ?? '7',
  };
}
