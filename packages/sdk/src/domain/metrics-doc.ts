/**
 * Renders `docs/metrics.md` from the instrument catalogue. `generate-metrics-doc.ts` writes it;
 * `metrics-doc.test.ts` fails when the committed file differs from a fresh rendering.
 */
import { type InstrumentDefinition, instrumentCatalogue, prometheusSeriesNames } from './catalogue.ts';

const SECTIONS: readonly { title: string; match: (e: InstrumentDefinition) => boolean; intro: string }[] = [
  {
    title: 'Authentication',
    match: (e) => e.name.startsWith('auth.'),
    intro: 'Recorded by `authMetrics` / `createAuthMetrics()`.',
  },
  {
    title: 'Security',
    match: (e) => e.name.startsWith('security.'),
    intro:
      'Recorded by `securityMetrics` / `createSecurityMetrics()`; `security.events` is also recorded by the brute-force detector (`createBruteForceDetector()`).',
  },
  {
    title: 'Business',
    match: (e) => e.name.startsWith('business.'),
    intro: 'Recorded by `businessMetrics` / `createBusinessMetrics()`.',
  },
  {
    title: 'Compliance',
    match: (e) => e.name.startsWith('compliance.'),
    intro:
      'Recorded by `complianceMetrics` / `createComplianceMetrics()`; `compliance.audit.events` is also recorded by `auditLogger`.',
  },
  {
    title: 'SDK core',
    match: (e) => e.source === 'sdk-core',
    intro: 'Emitted by the SDK started with `--import @authlens/sdk/register` or `start()`.',
  },
  {
    title: 'Node.js runtime',
    match: (e) => e.source === 'runtime',
    intro:
      'Emitted by `@opentelemetry/instrumentation-runtime-node`, enabled by the SDK (names as it emits them).',
  },
  {
    title: 'Status API',
    match: (e) => e.source === 'status-api',
    intro: 'Emitted by `@authlens/status-api`.',
  },
];

const code = (s: string) => `\`${s}\``;
const escapeCell = (s: string) => s.replaceAll('|', '\\|');

function values(v: readonly string[] | 'free'): string {
  if (v === 'free') return 'application-defined (declared set, else screened and capped)';
  if (v.length > 20)
    return `${v.length} values: ${v.slice(0, 6).map(code).join(', ')}, … (see \`catalogue.ts\`)`;
  return v.map(code).join(', ');
}

function attributes(entry: InstrumentDefinition): string {
  const keys = Object.entries(entry.attributes);
  if (keys.length === 0) return '—';
  return keys.map(([key, v]) => `${code(key)}: ${values(v)}`).join('<br>');
}

export function renderMetricsDoc(catalogue: readonly InstrumentDefinition[] = instrumentCatalogue): string {
  const lines = [
    '# Metrics',
    '',
    '<!-- Generated from packages/sdk/src/domain/catalogue.ts by',
    '     `node packages/sdk/src/domain/generate-metrics-doc.ts`. Do not edit by hand. -->',
    '',
    'Every metric authlens emits, from one catalogue (`instrumentCatalogue` in `@authlens/sdk`).',
    'Attribute values are bounded: a value outside a closed list becomes `other`. Application-defined',
    'values (features, actions, funnels and their steps) are closed too when the application declares',
    'them (`createBusinessMetrics({ features, actions, funnels })`); undeclared, they are capped at 50',
    'distinct values per attribute and never may look like a user ID, e-mail, IP address, UUID, JWT,',
    'hash or token. Either way the rest becomes `other`, with one warning per attribute',
    '([custom-telemetry.md](custom-telemetry.md#cardinality-rules)).',
    '',
    'Prometheus names are the same from the SDK scrape port (9464, `GET /monitoring/metrics/`) and',
    'through the Collector: dots become underscores, the unit is appended (`s` → `_seconds`,',
    '`By` → `_bytes`, unit `1` on a gauge → `_ratio`; curly-brace units are dropped) and counters',
    'get `_total`. Histograms expose `_bucket`, `_sum` and `_count` series. Use',
    '`prometheusName(otelName)` in code rather than spelling names by hand.',
    '',
    '## Recording',
    '',
    '```ts',
    "import { authMetrics, businessMetrics, complianceMetrics, createBruteForceDetector, type Detection } from '@authlens/sdk';",
    '',
    '// From your request handler:',
    'declare const user: { id: string };',
    'declare const request: { id: string; ip: string };',
    'declare const username: string;',
    'declare function alert(detection: Detection): void;',
    '',
    "authMetrics.recordLoginAttempt({ method: 'password', success: false, failureReason: 'invalid_credentials', durationSeconds: 0.21 });",
    "businessMetrics.recordUserRegistration({ source: 'web_app', method: 'email', country: 'US', deviceType: 'desktop' });",
    "businessMetrics.recordFeatureUsage({ feature: 'mfa_setup', action: 'completed', userType: 'premium' });",
    'businessMetrics.recordActiveUser(user.id); // HyperLogLog: no per-user label',
    "complianceMetrics.recordDsrReceived({ id: request.id, regulation: 'gdpr', type: 'erasure' });",
    '',
    'const detector = createBruteForceDetector({ thresholds: { accountFailures: 5 }, onDetect: (d) => alert(d) });',
    'await detector.recordFailure({ account: username, ip: request.ip });',
    '```',
    '',
    'The default instances (`authMetrics`, `securityMetrics`, `businessMetrics`, `complianceMetrics`)',
    'bind to the global MeterProvider on first use and rebind when it changes; they are no-ops until',
    'the SDK is started. `createAuthMetrics({ meterProvider })` and its siblings build independent',
    'recorders. Active users and brute-force windows are shared through Redis when `REDIS_URL` is set',
    '(or a client is passed), and kept in process otherwise.',
    '',
  ];
  const used = new Set<string>();
  for (const section of SECTIONS) {
    const entries = catalogue.filter((e) => !used.has(e.name) && section.match(e));
    if (entries.length === 0) continue;
    for (const e of entries) used.add(e.name);
    lines.push(`## ${section.title}`, '', section.intro, '');
    lines.push('| instrument | kind | unit | Prometheus | attributes | description |');
    lines.push('|---|---|---|---|---|---|');
    for (const e of entries) {
      const prom = prometheusSeriesNames(e.name).map(code).join('<br>');
      lines.push(
        `| ${code(e.name)} | ${e.kind} | ${code(e.unit)} | ${prom} | ${attributes(e)} | ${escapeCell(e.description)} |`,
      );
    }
    lines.push('');
  }
  const rest = catalogue.filter((e) => !used.has(e.name));
  if (rest.length > 0) throw new Error(`metrics doc: no section for ${rest.map((e) => e.name).join(', ')}`);
  return `${lines.join('\n').trimEnd()}\n`;
}
