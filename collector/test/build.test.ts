import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot, requireCollector } from '../../test/support/services.ts';
import { sentryOtlpEnv } from '../sentry-env.ts';

let bin: string;
beforeAll(() => {
  bin = requireCollector();
});

/** The environment each config needs (endpoints without defaults). */
const configs: Record<string, Record<string, string>> = {
  'config.yaml': {
    LOKI_OTLP_ENDPOINT: 'http://loki.example:3100/otlp',
    SENTRY_OTLP_ENDPOINT: 'https://o1.ingest.sentry.example/api/42/integration/otlp',
    SENTRY_PUBLIC_KEY: 'abc123',
  },
  'agent.yaml': { GATEWAY_ENDPOINTS: '[gateway-1:4317, gateway-2:4317]' },
  'gateway.yaml': {
    PROMETHEUS_REMOTE_WRITE_URL: 'http://prometheus.example:9090/api/v1/write',
    LOKI_OTLP_ENDPOINT: 'http://loki.example:3100/otlp',
    SENTRY_OTLP_ENDPOINT: 'https://o1.ingest.sentry.example/api/42/integration/otlp',
    SENTRY_PUBLIC_KEY: 'abc123',
  },
};

function validate(config: string, env: Record<string, string>) {
  return spawnSync(bin, ['validate', '--config', path.join(repoRoot, 'collector', config)], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
}

describe('custom collector build', () => {
  it('contains exactly the components of the builder manifest', () => {
    const out = parse(execFileSync(bin, ['components'], { encoding: 'utf8' })) as Record<
      string,
      { name: string; module: string }[]
    >;
    const names = (kind: string) => (out[kind] ?? []).map((c) => c.name).sort();
    expect(names('receivers')).toEqual(['otlp']);
    expect(names('processors')).toEqual([
      'batch',
      'filter',
      'memory_limiter',
      'redaction',
      'resource',
      'tail_sampling',
      'transform',
    ]);
    expect(names('exporters')).toEqual([
      'debug',
      'load_balancing',
      'otlp_http',
      'prometheus',
      'prometheus_remote_write',
    ]);
    expect(names('extensions')).toEqual(['file_storage', 'health_check', 'pprof', 'zpages']);
    // One release line for every component.
    const manifest = readFileSync(path.join(repoRoot, 'collector/builder-config.yaml'), 'utf8');
    for (const kind of ['receivers', 'processors', 'exporters', 'extensions']) {
      for (const c of out[kind] ?? []) {
        expect(c.module).toMatch(/ v0\.161\.0$/);
        expect(manifest).toContain(c.module);
      }
    }
  });

  for (const [config, env] of Object.entries(configs)) {
    it(`validates collector/${config}`, () => {
      const r = validate(config, env);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('validates collector/debug.yaml on top of each config with no backend variable set', () => {
    for (const config of Object.keys(configs)) {
      const env = config === 'agent.yaml' ? { GATEWAY_ENDPOINTS: '[127.0.0.1:4317]' } : {};
      const r = spawnSync(
        bin,
        [
          'validate',
          ...[config, 'debug.yaml'].flatMap((c) => ['--config', path.join(repoRoot, 'collector', c)]),
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } },
      );
      expect(r.stderr, config).toBe('');
      expect(r.status, config).toBe(0);
    }
  });

  it('fails validation naming the missing variable when an endpoint is not set', () => {
    const { LOKI_OTLP_ENDPOINT: _unset, ...env } = configs['gateway.yaml'] ?? {};
    const r = validate('gateway.yaml', env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/otlp_http\/loki/);
  });

  it('takes every exporter endpoint from the environment (no literal backend URLs)', () => {
    for (const config of Object.keys(configs)) {
      const text = readFileSync(path.join(repoRoot, 'collector', config), 'utf8');
      const doc = parse(text) as { exporters: Record<string, Record<string, unknown>> };
      for (const [name, exporter] of Object.entries(doc.exporters)) {
        for (const key of ['endpoint', 'traces_endpoint', 'logs_endpoint']) {
          const value = exporter[key];
          if (value !== undefined) expect(String(value), `${config} ${name}.${key}`).toMatch(/^\$\{env:/);
        }
      }
    }
  });
});

describe('sentryOtlpEnv', () => {
  it('derives the OTLP endpoint and public key from a DSN', () => {
    expect(sentryOtlpEnv('https://abc123@o1.ingest.us.sentry.io/4505')).toEqual({
      SENTRY_OTLP_ENDPOINT: 'https://o1.ingest.us.sentry.io/api/4505/integration/otlp',
      SENTRY_PUBLIC_KEY: 'abc123',
    });
    expect(sentryOtlpEnv('http://k1@127.0.0.1:9000/sentry/7').SENTRY_OTLP_ENDPOINT).toBe(
      'http://127.0.0.1:9000/sentry/api/7/integration/otlp',
    );
  });

  it('rejects malformed DSNs with an error naming SENTRY_DSN', () => {
    expect(() => sentryOtlpEnv('not a url')).toThrow(/SENTRY_DSN/);
    expect(() => sentryOtlpEnv('https://o1.ingest.sentry.io/42')).toThrow(/SENTRY_DSN has no public key/);
    expect(() => sentryOtlpEnv('https://abc@o1.ingest.sentry.io/')).toThrow(/project id/);
    expect(() => sentryOtlpEnv('ftp://abc@o1/42')).toThrow(/SENTRY_DSN must use http or https/);
  });
});

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const envVars = (text: string) =>
  [...text.matchAll(/\$\{env:([A-Z0-9_]+)(:-[^}]*)?\}/g)].map((m) => ({ name: m[1] ?? '', required: !m[2] }));

describe('docs and deploy examples stay in step with the configs', () => {
  it('documents every environment variable of every config in docs/collector.md', () => {
    const docs = read('docs/collector.md');
    for (const config of Object.keys(configs)) {
      for (const { name } of envVars(read(`collector/${config}`))) {
        expect(docs, `${name} (collector/${config})`).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
      }
    }
  });

  it('the Kubernetes example sets every required variable of the gateway and agent', () => {
    type Container = { args: string[]; env?: { name: string }[]; envFrom?: unknown[] };
    type Doc = { kind: string; spec?: { template?: { spec: { containers: Container[] } } } };
    const docs = parseAllDocuments(read('collector/deploy/kubernetes.yaml')).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as Doc;
    });
    const fromSecret = ['SENTRY_OTLP_ENDPOINT', 'SENTRY_PUBLIC_KEY'];
    for (const kind of ['StatefulSet', 'DaemonSet']) {
      const container = docs.find((d) => d.kind === kind)?.spec?.template?.spec.containers[0];
      const config = container?.args.at(-1)?.split('/').at(-1) ?? '';
      expect(Object.keys(configs)).toContain(config);
      const set = new Set([
        ...(container?.env ?? []).map((e) => e.name),
        ...(container?.envFrom ? fromSecret : []),
      ]);
      for (const { name, required } of envVars(read(`collector/${config}`))) {
        if (required) expect(set, `${kind} ${name}`).toContain(name);
      }
    }
  });

  it('the Dockerfile builds the manifest with the ocb version of scripts/otelcol and ships the configs', () => {
    const dockerfile = read('collector/deploy/Dockerfile');
    const ocb = /ocb_version=(v[0-9.]+)/.exec(read('scripts/otelcol'))?.[1];
    expect(dockerfile).toContain(`ARG OCB_VERSION=${ocb}`);
    expect(dockerfile).toContain('COPY collector/builder-config.yaml');
    expect(dockerfile).toContain('COPY collector/config.yaml collector/agent.yaml collector/gateway.yaml');
  });

  it('the systemd unit runs the binary with a config and an environment file', () => {
    const unit = read('collector/deploy/otelcol-authlens.service');
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/otelcol-authlens --config \S+$/m);
    expect(unit).toMatch(/^EnvironmentFile=/m);
    expect(unit).toMatch(/^StateDirectory=otelcol-authlens$/m);
  });
});
