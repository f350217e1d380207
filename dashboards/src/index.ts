/** Grafana dashboards and Prometheus rules for authlens, as code. */
export const dashboardNames: readonly string[] = [];
