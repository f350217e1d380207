/**
 * Panel queries (`dashboard / "panel" / refId`) that `prometheus-queries.e2e.test.ts` cannot give
 * data, and why. That test fails when one of them shows data (the list cannot go stale), and
 * `dashboards.test.ts` fails when docs/grafana.md lists anything else.
 */
export const NO_DATA_EXPECTED: Readonly<Record<string, string>> = {
  'system_overview / "Collector: export failures" / D':
    "`otelcol_exporter_enqueue_failed_log_records_total` counts log records dropped because an exporter's sending queue is full; filling the gateway's 100 000-item persistent queue is a load test of its own, not part of this one",
  'security_monitoring / "Firing security alerts" / A':
    '`ALERTS` exists only while alerting rules fire; the test loads only the recording rules, so the shared Alertmanager is not paged',
};

/**
 * The same for the example auth service (`examples/auth-service`, driven by the demo's traffic
 * script and a loop of logins, MFA, OAuth, GDPR exports and failed logins), queried with its own
 * instance: the panel queries whose metrics that service does not record or its traffic does not
 * reach. Every other panel must show the example's own data.
 */
export const EXAMPLE_NO_DATA_EXPECTED: Readonly<Record<string, string>> = {
  ...NO_DATA_EXPECTED,
  'system_overview / "Error ratio (5xx)" / A':
    'the example answers its traffic without a 5xx; one needs a broken dependency (the fixture records 500s and 503s)',
  'performance / "Error ratio by route" / A': 'no 5xx, as for _Error ratio (5xx)_',
  'system_overview / "SDK telemetry dropped" / A':
    "the gateway accepts all of the example's OTLP, so `authlens.telemetry.dropped` stays empty (the fixture exports to a closed port)",
  'authentication / "Password resets by stage" / A':
    'the example has no password-reset flow (`auth.password_resets`)',
  'security_monitoring / "Risk score percentiles" / A':
    'the example scores no login risk (`security.risk_score`)',
  'security_monitoring / "Risk score percentiles" / B': 'no risk scores, as for A',
  'compliance / "Consent granted and withdrawn" / A':
    'the example has no consent flow (`compliance.consent.changes`)',
  'compliance / "Records purged by retention" / A':
    "the example runs no retention purge (`compliance.retention.purged`; the status API's cleanup job records it)",
};
