/**
 * The shell commands of README.md and docs/ that a test RUNS, as written (one line each,
 * continuations joined, trailing comment removed), and which test runs them. The docs-samples
 * test accepts these lines without further proof and checks that each still appears in its
 * file; the named test checks that it runs every line listed for it.
 */
export interface ExecutedCommand {
  file: string;
  command: string;
  by: 'test/docs-commands.e2e.test.ts' | 'test/own-service.e2e.test.ts';
}

const docs = 'test/docs-commands.e2e.test.ts' as const;
const own = 'test/own-service.e2e.test.ts' as const;

export const executedCommands: readonly ExecutedCommand[] = [
  { file: 'README.md', command: 'bash scripts/demo', by: docs },
  { file: 'docs/getting-started.md', command: 'bash scripts/demo', by: docs },
  { file: 'docs/getting-started.md', command: 'bash scripts/demo --stack', by: docs },
  {
    file: 'docs/getting-started.md',
    command: 'scripts/authlens export-dashboards --all --output-dir ./grafana-dashboards',
    by: docs,
  },
  { file: 'docs/getting-started.md', command: 'mkdir my-auth-service && cd my-auth-service', by: own },
  { file: 'docs/getting-started.md', command: 'bash "$AUTHLENS/scripts/pack" vendor', by: own },
  { file: 'docs/getting-started.md', command: 'npm init -y && npm pkg set type=module', by: own },
  {
    file: 'docs/getting-started.md',
    command: 'npm install ./vendor/*.tgz @opentelemetry/api fastify',
    by: own,
  },
  {
    file: 'docs/getting-started.md',
    command:
      'OTEL_SERVICE_NAME=auth-service MONITORING_API_KEYS=ops:$(openssl rand -hex 24):write node --import @authlens/sdk/register server.js',
    by: own,
  },
  { file: 'docs/cli.md', command: 'scripts/authlens export-dashboards', by: docs },
  { file: 'docs/cli.md', command: 'scripts/authlens update-metrics --help', by: docs },
  {
    file: 'docs/cli.md',
    command: 'scripts/authlens export-dashboards --all --output-dir ./grafana-dashboards',
    by: docs,
  },
  {
    file: 'docs/cli.md',
    command: 'scripts/authlens export-dashboards --dashboard system_overview',
    by: docs,
  },
  {
    file: 'docs/custom-telemetry.md',
    command: '"$(bash scripts/otelcol)" --config collector/config.yaml --config collector/debug.yaml',
    by: docs,
  },
  {
    file: 'docs/collector.md',
    command: '"$(bash scripts/otelcol)" --config collector/config.yaml --config collector/debug.yaml',
    by: docs,
  },
  {
    file: 'docs/collector.md',
    command:
      'export LOKI_OTLP_ENDPOINT=http://loki:3100/otlp PROMETHEUS_REMOTE_WRITE_URL=http://prometheus:9090/api/v1/write',
    by: docs,
  },
  {
    file: 'docs/collector.md',
    command: `eval "$(scripts/node collector/sentry-env.ts "$SENTRY_DSN" | sed 's/^/export /')"`,
    by: docs,
  },
  { file: 'docs/collector.md', command: 'otelcol=$(bash scripts/otelcol)', by: docs },
  { file: 'docs/collector.md', command: '"$otelcol" validate --config collector/gateway.yaml', by: docs },
  {
    file: 'docs/troubleshooting.md',
    command: '"$(bash scripts/otelcol)" validate --config collector/gateway.yaml',
    by: docs,
  },
  { file: 'docs/troubleshooting.md', command: 'scripts/authlens update-metrics --health-check', by: docs },
  { file: 'docs/grafana.md', command: 'scripts/pnpm --filter @authlens/dashboards generate', by: docs },
];

/** The command lines of a shell sample: continuations joined, comments and blank lines removed. */
export function commandLines(code: string): { n: number; line: string }[] {
  const out: { n: number; line: string }[] = [];
  const raw = code.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const n = i + 1;
    let line = raw[i]!;
    while (line.endsWith('\\') && i + 1 < raw.length) line = `${line.slice(0, -1)} ${raw[++i]!.trim()}`;
    line = line
      .replace(/(^|\s)#.*$/, '')
      .trim()
      .replace(/\s+/g, ' ');
    if (line) out.push({ n, line });
  }
  return out;
}

export const isExecuted = (file: string, line: string) =>
  executedCommands.some((c) => c.file === file && c.command === line);
