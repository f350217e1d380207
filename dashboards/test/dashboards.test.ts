import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  allowedSeriesNames,
  collectExpressions,
  interpolate,
  metricNames,
  parseErrors,
} from '../src/expressions.ts';
import {
  buildDashboard,
  exportDashboards,
  InvalidExportOptionsError,
  listDashboards,
  renderOutputs,
  UnknownDashboardError,
} from '../src/index.ts';
import { counter, external, gauge, histogram } from '../src/metrics.ts';
import { EXAMPLE_NO_DATA_EXPECTED, NO_DATA_EXPECTED } from './no-data-expected.ts';

/** `${name}` as Grafana writes it (a template-variable or environment reference, not JS). */
const ref = (name: string) => `$${'{'}${name}}`;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outputs = renderOutputs();
const expressions = collectExpressions();

interface PanelJson {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr: string; exemplar?: boolean; datasource?: { type: string; uid: string } }[];
}
const panelsOf = (name: string) => (buildDashboard(name).panels ?? []) as unknown as PanelJson[];

describe('generated files', () => {
  it.each([...outputs.keys()])(
    '%s is committed and up to date (run `pnpm --filter @authlens/dashboards generate`)',
    async (relative) => {
      const committed = await readFile(path.join(root, relative), 'utf8').catch(() => '<missing>');
      expect(committed).toBe(outputs.get(relative));
    },
  );

  it('generated/ holds nothing the generator does not write', async () => {
    const files = (await readdir(path.join(root, 'generated'))).map((f) => `generated/${f}`).sort();
    expect(files).toEqual([...outputs.keys()].filter((k) => k.startsWith('generated/')).sort());
  });

  it('index.json lists every dashboard with name, title, file and description', () => {
    const index = JSON.parse(outputs.get('generated/index.json')!);
    expect(index.map((d: { name: string }) => d.name)).toEqual([
      'system_overview',
      'authentication',
      'security_monitoring',
      'business_intelligence',
      'performance',
      'compliance',
      'logs',
    ]);
    for (const d of index) {
      expect(d).toEqual({
        name: d.name,
        title: expect.any(String),
        file: `${d.name}.json`,
        description: expect.any(String),
      });
      expect(outputs.has(`generated/${d.file}`)).toBe(true);
    }
  });
});

describe('expressions', () => {
  it('there are PromQL and LogQL expressions to check', () => {
    expect(expressions.filter((e) => e.language === 'promql').length).toBeGreaterThan(100);
    expect(expressions.filter((e) => e.language === 'logql').length).toBe(3);
  });

  it('the parse check catches broken expressions', () => {
    expect(parseErrors('promql', 'sum(rate(auth_login_attempts_total[5m])')).not.toEqual([]);
    expect(parseErrors('logql', '{service_name=~".+"} | trace_id=')).not.toEqual([]);
    expect(parseErrors('promql', 'sum(rate(auth_login_attempts_total[5m]))')).toEqual([]);
    expect(() => interpolate('rate(x[$__nope])')).toThrow(/\$__nope/);
  });

  it.each(expressions.map((e) => [e.where, e] as const))('%s parses', (_, e) => {
    expect(parseErrors(e.language, interpolate(e.expr))).toEqual([]);
  });

  it('every metric an expression names is in the SDK catalogue, the allow-list or a recording rule', () => {
    const allowed = allowedSeriesNames();
    const unknown = expressions
      .filter((e) => e.language === 'promql')
      .flatMap((e) =>
        metricNames(interpolate(e.expr))
          .filter((n) => !allowed.has(n))
          .map((n) => `${e.where}: ${n}`),
      );
    expect(unknown).toEqual([]);
    expect(metricNames('sum(rate(a_total[5m])) / on (job) b')).toEqual(['a_total', 'b']);
  });

  it('metric helpers refuse names, kinds and attributes the catalogue does not have', () => {
    expect(() => counter('auth.login.attempt')).toThrow(/not in the SDK's instrument catalogue/);
    expect(() => counter('auth.login.duration')).toThrow(/is a histogram, expected counter/);
    expect(() => gauge('auth.login.attempts')).toThrow(/expected gauge/);
    expect(() => counter('auth.login.attempts').label('user.id')).toThrow(/has no attribute user.id/);
    expect(() => external('otelcol_made_up_total')).toThrow(/allow-list/);
    expect(histogram('auth.login.duration').bucket).toBe('auth_login_duration_seconds_bucket');
    expect(counter('auth.login.attempts').label('auth.failure_reason')).toBe('auth_failure_reason');
  });
});

describe('dashboards', () => {
  const names = listDashboards().map((d) => d.name);
  const metricDashboards = names.filter((n) => n !== 'logs');

  it.each(names)('%s: unique uid, numbered panels, every panel explained', (name) => {
    const d = buildDashboard(name);
    expect(d.uid).toBe(`authlens-${name.replaceAll('_', '-')}`);
    const panels = panelsOf(name);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect(p.description, p.title).toMatch(/\w/);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });

  it('uids are unique across dashboards', () => {
    expect(new Set(names.map((n) => buildDashboard(n).uid)).size).toBe(names.length);
  });

  it.each(metricDashboards)(
    '%s: environment, service and instance variables; Prometheus via $datasource',
    (name) => {
      const vars = (buildDashboard(name).templating?.list ?? []).map((v) => v.name);
      expect(vars).toEqual(['datasource', 'environment', 'service', 'instance']);
      for (const p of panelsOf(name).filter((x) => x.type !== 'row')) {
        expect(p.datasource).toEqual({ type: 'prometheus', uid: ref('datasource') });
        for (const t of p.targets ?? []) {
          // The collector is another service: its panels are not filtered by ours.
          if (
            /^sum by \((receiver|exporter|processor)\) \(rate\(otelcol_|^max by \(exporter\) \(otelcol_/.test(
              t.expr,
            )
          )
            continue;
          expect(t.expr, p.title).toContain('$service');
          // Recording rules and ALERTS are aggregated by service only.
          if (!/authlens_slo:|^ALERTS\{/.test(t.expr)) expect(t.expr, p.title).toContain('$instance');
        }
      }
    },
  );

  it('latency percentile panels show exemplars', () => {
    const latency = metricDashboards.flatMap((n) =>
      panelsOf(n).filter(
        (p) =>
          p.type === 'timeseries' &&
          p.fieldConfig?.defaults?.unit === 's' &&
          p.targets?.some((t) =>
            /histogram_quantile\(.*(http_server_request|login|oauth)_duration/.test(t.expr),
          ),
      ),
    );
    expect(latency.length).toBeGreaterThanOrEqual(4);
    for (const p of latency)
      expect(
        p.targets?.every((t) => t.exemplar === true),
        p.title,
      ).toBe(true);
  });

  it('the logs dashboard queries Loki filtered by environment, service, level and trace ID', () => {
    const d = buildDashboard('logs');
    expect((d.templating?.list ?? []).map((v) => v.name)).toEqual([
      'loki_datasource',
      'environment',
      'service',
      'level',
      'trace_id',
    ]);
    const variable = (name: string) =>
      (d.templating?.list ?? []).find((v) => v.name === name) as { query?: unknown; allValue?: string };
    expect(variable('environment')).toMatchObject({
      query: 'label_values(deployment_environment_name)',
      allValue: '.*',
    });
    expect(variable('service').query).toBe(
      'label_values({deployment_environment_name=~"$environment"}, service_name)',
    );
    const panels = panelsOf('logs');
    expect(panels.map((p) => p.type)).toEqual(['timeseries', 'logs', 'logs']);
    for (const p of panels) {
      expect(p.datasource).toEqual({ type: 'loki', uid: ref('loki_datasource') });
      expect(p.targets?.[0]?.expr).toMatch(/service_name=~"\$service"/);
      expect(p.targets?.[0]?.expr).toMatch(/deployment_environment_name=~"\$environment"/);
      expect(p.targets?.[0]?.expr).toMatch(/trace_id=~"\$trace_id"/);
    }
  });

  it('buildDashboard names the unknown dashboard', () => {
    expect(() => buildDashboard('nope')).toThrow(UnknownDashboardError);
    expect(() => buildDashboard('nope')).toThrow(/unknown dashboard "nope" \(known: system_overview, /);
  });

  it('exportDashboards writes the chosen dashboards and validates its options', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'authlens-dashboards-'));
    try {
      const one = await exportDashboards({ names: ['authentication'], outputDir: path.join(dir, 'one') });
      expect(one).toEqual([path.join(dir, 'one', 'authentication.json')]);
      expect(JSON.parse(await readFile(one[0]!, 'utf8'))).toEqual(buildDashboard('authentication'));
      const all = await exportDashboards({ all: true, outputDir: dir });
      expect(all.map((f) => path.basename(f))).toEqual(names.map((n) => `${n}.json`));
      await expect(
        exportDashboards({ names: ['authentication', 'nope'], outputDir: path.join(dir, 'x') }),
      ).rejects.toThrow(UnknownDashboardError);
      await expect(readdir(path.join(dir, 'x'))).rejects.toThrow(/ENOENT/);
      await expect(exportDashboards({ names: [], outputDir: dir })).rejects.toThrow(
        InvalidExportOptionsError,
      );
      await expect(exportDashboards({ all: true, outputDir: '' })).rejects.toThrow(/^outputDir: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('provisioning', () => {
  it('datasources: Prometheus and Loki with trace links to Sentry from $SENTRY_TRACE_URL', () => {
    const { datasources } = parse(outputs.get('provisioning/datasources/authlens.yml')!);
    const byType = Object.fromEntries(datasources.map((d: { type: string }) => [d.type, d]));
    expect(byType.prometheus.uid).toBe('authlens-prometheus');
    expect(byType.loki.uid).toBe('authlens-loki');
    const link = `${ref('SENTRY_TRACE_URL')}$${ref('__value.raw')}`;
    expect(byType.prometheus.jsonData.exemplarTraceIdDestinations).toEqual([
      expect.objectContaining({ name: 'trace_id', url: link }),
    ]);
    const traceField = byType.loki.jsonData.derivedFields.find(
      (f: { name: string }) => f.name === 'trace_id',
    );
    expect(traceField).toEqual(
      expect.objectContaining({ matcherType: 'label', matcherRegex: 'trace_id', url: link }),
    );
    const inLine = byType.loki.jsonData.derivedFields.find(
      (f: { matcherType: string }) => f.matcherType === 'regex',
    );
    expect(new RegExp(inLine.matcherRegex).exec('{"trace_id":"0af7651916cd43dd8448eb211c80319c"}')?.[1]).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );
  });

  it('dashboard provider loads files from $AUTHLENS_DASHBOARDS_PATH', () => {
    const { providers } = parse(outputs.get('provisioning/dashboards/authlens.yml')!);
    expect(providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: ref('AUTHLENS_DASHBOARDS_PATH') }),
      }),
    ]);
  });
});

describe('docs/grafana.md', () => {
  it('lists exactly the panel queries the Prometheus test expects without data, with the same reasons', async () => {
    const doc = await readFile(path.join(root, '..', 'docs', 'grafana.md'), 'utf8');
    const [fixturePart, examplePart = ''] = doc.split('With the example service, every panel query');
    const rows = (text: string) =>
      [...text.matchAll(/^\| `([a-z_]+ \/ "[^"]+" \/ [A-Z])` +\| (.+?) +\|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows(fixturePart ?? ''))).toEqual(NO_DATA_EXPECTED);
    expect(rows(fixturePart ?? '')).toHaveLength(Object.keys(NO_DATA_EXPECTED).length);
    expect(Object.fromEntries(rows(examplePart))).toEqual(EXAMPLE_NO_DATA_EXPECTED);
    expect(rows(examplePart)).toHaveLength(Object.keys(EXAMPLE_NO_DATA_EXPECTED).length);
  });
});
