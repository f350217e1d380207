/**
 * `normalizeOptions()`: every setting resolved once at start — explicit option, then
 * environment variable, then default — and validated. A bad value throws an
 * {@link AuthlensConfigError} naming the variable and the accepted values.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AuthlensConfigError } from './errors.ts';

export const INSTRUMENTATION_NAMES = [
  'http',
  'undici',
  'fastify',
  'pg',
  'ioredis',
  'winston',
  'runtime-node',
] as const;
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

const PROPAGATORS = ['tracecontext', 'baggage', 'none'] as const;
export type PropagatorName = Exclude<(typeof PROPAGATORS)[number], 'none'>;

const TEMPORALITIES = ['cumulative', 'delta', 'lowmemory'] as const;
export type TemporalityPreference = (typeof TEMPORALITIES)[number];

/** Resource detectors built into `@opentelemetry/resources` (cheap, local). */
const LOCAL_DETECTORS = ['env', 'host', 'os', 'process', 'serviceinstance'] as const;
/** Cloud and container detectors: separate packages the app installs when it wants them. */
export const CLOUD_DETECTOR_PACKAGES = {
  container: '@opentelemetry/resource-detector-container',
  alibaba: '@opentelemetry/resource-detector-alibaba-cloud',
  aws: '@opentelemetry/resource-detector-aws',
  azure: '@opentelemetry/resource-detector-azure',
  gcp: '@opentelemetry/resource-detector-gcp',
} as const;
export type LocalDetectorName = (typeof LOCAL_DETECTORS)[number];
export type CloudDetectorName = keyof typeof CLOUD_DETECTOR_PACKAGES;
const DETECTOR_NAMES = [
  ...LOCAL_DETECTORS,
  ...(Object.keys(CLOUD_DETECTOR_PACKAGES) as CloudDetectorName[]),
  'all',
  'none',
] as const;

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
/** winston's npm levels as OTel severity numbers. */
export const LOG_SEVERITY: Record<(typeof LOG_LEVELS)[number], number> = {
  error: 17,
  warn: 13,
  info: 9,
  http: 8,
  verbose: 6,
  debug: 5,
  silly: 1,
};

export interface StartOptions {
  /** Overrides `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** Overrides the version found in the app's package.json. */
  serviceVersion?: string;
  /** Overrides `ENVIRONMENT`. */
  environment?: string;
  /** Overrides `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL; `/v1/traces` etc. are appended). */
  otlpEndpoint?: string;
  /** Overrides `OTEL_EXPORTER_PROMETHEUS_PORT`; 0 picks a free port; `false` disables the scrape port. */
  prometheusPort?: number | false;
  /** Overrides `SENTRY_DSN`. */
  sentryDsn?: string;
  /** Overrides `AUTHLENS_SHUTDOWN_TIMEOUT_MS`. */
  shutdownTimeoutMs?: number;
  /** Install SIGTERM/SIGINT handlers that flush before exit (default true). */
  handleSignals?: boolean;
  /** Extra redaction rules (added to the built-in ones, which cannot be removed). */
  redaction?: { keys?: readonly string[]; patterns?: readonly RegExp[] };
  /** Overrides `AUTHLENS_EXCLUDED_PATHS`: request paths that get no span and no duration point. */
  excludedPaths?: readonly string[];
  /** Environment to read instead of `process.env` (tests). */
  env?: Record<string, string | undefined>;
}

export interface SdkConfig {
  enabled: boolean;
  serviceName: string;
  serviceVersion: string | undefined;
  environment: string;
  resourceAttributes: Record<string, string>;
  /** `OTEL_NODE_RESOURCE_DETECTORS` beyond `env` (which is `resourceAttributes`). */
  resourceDetectors: {
    local: LocalDetectorName[];
    /** Cloud detectors with the module each is loaded from (resolved at start). */
    cloud: Array<{ name: CloudDetectorName; module: string }>;
  };
  /** `OTEL_PROPAGATORS` (empty for `none`). */
  propagators: PropagatorName[];
  sampler: SamplerName;
  samplerRatio: number;
  tracesEndpoint: string | undefined;
  metricsEndpoint: string | undefined;
  logsEndpoint: string | undefined;
  /** Per-signal export timeouts (`OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_TIMEOUT`, else the shared one). */
  otlpTimeouts: { traces: number; metrics: number; logs: number };
  /** `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` (the OTLP metrics exporter applies it). */
  metricsTemporality: TemporalityPreference;
  metricExportIntervalMs: number;
  prometheusPort: number | false;
  prometheusHost: string;
  instrumentations: ReadonlySet<InstrumentationName>;
  logLevel: string;
  /** OTel severity number from which `getLogger()` records are exported over OTLP. */
  logsExportSeverity: number;
  bsp: { maxQueueSize: number; maxExportBatchSize: number; scheduledDelayMs: number };
  blrp: { maxQueueSize: number; maxExportBatchSize: number; scheduledDelayMs: number };
  shutdownTimeoutMs: number;
  handleSignals: boolean;
  redaction: { keys: string[]; patterns: RegExp[] };
  /** Exact request paths and path prefixes (`/static/*`) the HTTP server instrumentation skips. */
  excludedPaths: { exact: ReadonlySet<string>; prefixes: readonly string[] };
  /** `AUTHLENS_FASTIFY_SPANS`: a Fastify child span per sampled request (default: the server span only). */
  fastifySpans: boolean;
  sentry:
    | {
        dsn: string;
        environment: string;
        release: string | undefined;
        sampleRate: number;
        debug: boolean;
      }
    | undefined;
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = str(env, name);
  if (v === undefined) return fallback;
  const l = v.toLowerCase();
  if (l === 'true' || l === '1' || l === 'yes' || l === 'on') return true;
  if (l === 'false' || l === '0' || l === 'no' || l === 'off') return false;
  throw new AuthlensConfigError(name, v, 'true, false, 1, 0, yes, no, on, off');
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = str(env, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new AuthlensConfigError(name, v, `an integer from ${min} to ${max}`);
  }
  return Number(v);
}

function ratio(env: Env, name: string, fallback: number): number {
  const v = str(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(v) || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new AuthlensConfigError(name, v, 'a number from 0 to 1');
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const v = str(env, name);
  if (v === undefined) return fallback;
  const l = v.toLowerCase() as T;
  if (!values.includes(l)) throw new AuthlensConfigError(name, v, values.join(', '));
  return l;
}

function url(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new AuthlensConfigError(name, v, 'an absolute http:// or https:// URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new AuthlensConfigError(name, v, 'an absolute http:// or https:// URL');
  }
  return v;
}

/**
 * Orchestrator probes, the scrape endpoints and the favicon: requests that would only add noise
 * to traces and skew the latency and availability figures (the brief's "excluded paths").
 */
export const DEFAULT_EXCLUDED_PATHS = [
  '/monitoring/health/*',
  '/monitoring/metrics',
  '/metrics',
  '/favicon.ico',
];

/** `none` → nothing; `/a/b` → that path with or without a trailing slash; `/a/*` → `/a` and below. */
function pathPatterns(name: string, entries: readonly string[]): SdkConfig['excludedPaths'] {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  if (entries.length === 1 && entries[0] === 'none') return { exact, prefixes };
  for (const entry of entries) {
    if (!/^\/[A-Za-z0-9._~!$&'()+,;=:@%/-]*(\/\*)?$/.test(entry)) {
      throw new AuthlensConfigError(
        name,
        entries.join(','),
        "comma-separated paths starting with '/', each optionally ending in '/*' (or 'none')",
      );
    }
    const base = entry.endsWith('/*') ? entry.slice(0, -2) : entry;
    const bare = base.length > 1 && base.endsWith('/') ? base.slice(0, -1) : base;
    exact.add(bare);
    exact.add(`${bare}/`);
    if (entry.endsWith('/*')) prefixes.push(`${bare}/`);
  }
  return { exact, prefixes };
}

function list(env: Env, name: string): string[] | undefined {
  const v = str(env, name);
  if (v === undefined) return undefined;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function instrumentationList(env: Env, name: string): InstrumentationName[] | undefined {
  const names = list(env, name);
  if (!names) return undefined;
  for (const n of names) {
    if (!(INSTRUMENTATION_NAMES as readonly string[]).includes(n)) {
      throw new AuthlensConfigError(
        name,
        env[name] ?? '',
        `a comma-separated list of ${INSTRUMENTATION_NAMES.join(', ')}`,
      );
    }
  }
  return names as InstrumentationName[];
}

function exporterList(env: Env, name: string, allowed: readonly string[]): Set<string> | undefined {
  const names = list(env, name);
  if (!names) return undefined;
  for (const n of names) {
    if (!allowed.includes(n)) throw new AuthlensConfigError(name, env[name] ?? '', allowed.join(', '));
  }
  return new Set(names);
}

/**
 * `key=value[,key=value…]` with `%`-encoded keys and values (OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_EXPORTER_OTLP_HEADERS). `what` describes the accepted form in the error.
 */
function keyValueList(env: Env, name: string, what: string): Record<string, string> {
  const v = str(env, name);
  const out: Record<string, string> = {};
  if (v === undefined) return out;
  for (const pair of v.split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0 || pair.slice(0, i).trim() === '') throw new AuthlensConfigError(name, v, what);
    try {
      out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
    } catch {
      throw new AuthlensConfigError(name, v, `${what}, with valid %XX escapes`);
    }
  }
  return out;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A listen address: an IPv4/IPv6 address or a host name. */
function host(env: Env, name: string, fallback: string): string {
  const v = str(env, name);
  if (v === undefined) return fallback;
  const bare = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  if (isIP(bare) === 0 && !HOSTNAME.test(v)) {
    throw new AuthlensConfigError(name, v, 'an IP address (0.0.0.0, ::, 127.0.0.1) or a host name');
  }
  return bare;
}

function propagatorList(env: Env): PropagatorName[] {
  const names = list(env, 'OTEL_PROPAGATORS')?.map((n) => n.toLowerCase());
  if (!names) return ['tracecontext', 'baggage'];
  const accepted =
    'tracecontext, baggage (comma-separated) or none; b3, jaeger, xray and ottrace are not bundled';
  for (const n of names) {
    if (!(PROPAGATORS as readonly string[]).includes(n))
      throw new AuthlensConfigError('OTEL_PROPAGATORS', env.OTEL_PROPAGATORS ?? '', accepted);
  }
  if (names.includes('none')) {
    if (names.length > 1)
      throw new AuthlensConfigError('OTEL_PROPAGATORS', env.OTEL_PROPAGATORS ?? '', accepted);
    return [];
  }
  return [...new Set(names)] as PropagatorName[];
}

/** Where a detector package is installed: beside the SDK, else in the app (working directory). */
function resolvePackage(name: string): string | undefined {
  for (const base of [import.meta.url, pathToFileURL(path.join(process.cwd(), 'package.json')).href]) {
    try {
      return pathToFileURL(createRequire(base).resolve(name)).href;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

function resourceDetectors(env: Env): SdkConfig['resourceDetectors'] {
  const raw = env.OTEL_NODE_RESOURCE_DETECTORS ?? '';
  const names = list(env, 'OTEL_NODE_RESOURCE_DETECTORS')?.map((n) => n.toLowerCase()) ?? ['env'];
  for (const n of names) {
    if (!(DETECTOR_NAMES as readonly string[]).includes(n)) {
      throw new AuthlensConfigError(
        'OTEL_NODE_RESOURCE_DETECTORS',
        raw,
        `a comma-separated list of ${DETECTOR_NAMES.join(', ')}`,
      );
    }
  }
  const all = names.includes('all');
  const local = LOCAL_DETECTORS.filter((d) => d !== 'env' && (all || names.includes(d)));
  const cloud: SdkConfig['resourceDetectors']['cloud'] = [];
  for (const [name, pkg] of Object.entries(CLOUD_DETECTOR_PACKAGES) as [CloudDetectorName, string][]) {
    if (!all && !names.includes(name)) continue;
    const module = resolvePackage(pkg);
    if (module === undefined) {
      throw new AuthlensConfigError(
        'OTEL_NODE_RESOURCE_DETECTORS',
        raw,
        `detectors whose package is installed: ${name} needs ${pkg} (npm install ${pkg})`,
      );
    }
    cloud.push({ name, module });
  }
  return { local, cloud };
}

/** Name and version from the app's package.json in the working directory, if any. */
function appPackage(): { name?: string; version?: string } {
  try {
    const pkg = JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    return {
      name: typeof pkg.name === 'string' ? pkg.name : undefined,
      version: typeof pkg.version === 'string' ? pkg.version : undefined,
    };
  } catch {
    return {};
  }
}

function signalEndpoint(
  env: Env,
  signal: 'TRACES' | 'METRICS' | 'LOGS',
  base: string | undefined,
): string | undefined {
  const specific = url(
    `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`,
    str(env, `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`),
  );
  if (specific) return specific;
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/${signal.toLowerCase()}`;
}

/** Resolves and validates every setting. Throws {@link AuthlensConfigError} on a bad value. */
export function normalizeOptions(options: StartOptions = {}): SdkConfig {
  const env: Env = options.env ?? process.env;

  const monitoring = bool(env, 'MONITORING_ENABLED', true);
  const sdkDisabled = bool(env, 'OTEL_SDK_DISABLED', false);

  const pkg = options.serviceName && options.serviceVersion ? {} : appPackage();
  const serviceName =
    options.serviceName ?? str(env, 'OTEL_SERVICE_NAME') ?? pkg.name ?? 'unknown_service:node';
  const serviceVersion = options.serviceVersion ?? str(env, 'OTEL_SERVICE_VERSION') ?? pkg.version;
  const environment = options.environment ?? str(env, 'ENVIRONMENT') ?? 'development';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(environment)) {
    throw new AuthlensConfigError('ENVIRONMENT', environment, '1–64 characters of A-Z a-z 0-9 . _ -');
  }

  const resourceAttributes = keyValueList(env, 'OTEL_RESOURCE_ATTRIBUTES', 'key=value[,key=value…]');

  // SENTRY_TRACES_SAMPLE_RATE (from the brief) sets the trace ratio when OTEL_TRACES_SAMPLER is unset.
  const sentryRate = str(env, 'SENTRY_TRACES_SAMPLE_RATE');
  const sentryTracesRate = ratio(env, 'SENTRY_TRACES_SAMPLE_RATE', 1);
  let sampler = oneOf(env, 'OTEL_TRACES_SAMPLER', SAMPLERS, 'parentbased_always_on');
  if (str(env, 'OTEL_TRACES_SAMPLER') === undefined && sentryRate !== undefined)
    sampler = 'parentbased_traceidratio';
  const samplerRatio = ratio(env, 'OTEL_TRACES_SAMPLER_ARG', sentryRate !== undefined ? sentryTracesRate : 1);

  const base = url(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    options.otlpEndpoint ?? str(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
  );
  oneOf(env, 'OTEL_EXPORTER_OTLP_PROTOCOL', ['http/protobuf'], 'http/protobuf');
  for (const s of ['TRACES', 'METRICS', 'LOGS']) {
    oneOf(env, `OTEL_EXPORTER_OTLP_${s}_PROTOCOL`, ['http/protobuf'], 'http/protobuf');
  }
  const tracesExporters = exporterList(env, 'OTEL_TRACES_EXPORTER', ['otlp', 'none']);
  const metricsExporters = exporterList(env, 'OTEL_METRICS_EXPORTER', ['otlp', 'prometheus', 'none']);
  const logsExporters = exporterList(env, 'OTEL_LOGS_EXPORTER', ['otlp', 'none']);
  const tracesEndpoint = tracesExporters?.has('none') ? undefined : signalEndpoint(env, 'TRACES', base);
  const metricsEndpoint =
    metricsExporters && !metricsExporters.has('otlp') ? undefined : signalEndpoint(env, 'METRICS', base);
  const logsEndpoint = logsExporters?.has('none') ? undefined : signalEndpoint(env, 'LOGS', base);
  // Headers and compression are applied by the OTLP exporters, which read them from the
  // environment; validated here so a typo fails at start instead of every export.
  for (const s of ['', 'TRACES_', 'METRICS_', 'LOGS_']) {
    keyValueList(env, `OTEL_EXPORTER_OTLP_${s}HEADERS`, 'a comma-separated list of name=value');
    oneOf(env, `OTEL_EXPORTER_OTLP_${s}COMPRESSION`, ['gzip', 'none'], 'none');
  }
  const otlpTimeoutMs = int(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, 1, 600_000);
  const signalTimeout = (s: 'TRACES' | 'METRICS' | 'LOGS') =>
    int(env, `OTEL_EXPORTER_OTLP_${s}_TIMEOUT`, otlpTimeoutMs, 1, 600_000);

  let prometheusPort: number | false;
  if (options.prometheusPort !== undefined) prometheusPort = options.prometheusPort;
  else if (metricsExporters && !metricsExporters.has('prometheus')) prometheusPort = false;
  else prometheusPort = int(env, 'OTEL_EXPORTER_PROMETHEUS_PORT', 9464, 0, 65535);
  const prometheusHost = host(env, 'OTEL_EXPORTER_PROMETHEUS_HOST', '0.0.0.0');

  const enabledList = instrumentationList(env, 'OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  const disabledList = instrumentationList(env, 'OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? [];
  const instrumentations = new Set<InstrumentationName>(enabledList ?? INSTRUMENTATION_NAMES);
  for (const d of disabledList) instrumentations.delete(d);

  const logLevel = oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info');
  // Unset: every line the logger writes is exported too.
  const logsExportLevel = oneOf(env, 'AUTHLENS_LOGS_EXPORT_LEVEL', LOG_LEVELS, 'silly');

  const batch = (prefix: 'OTEL_BSP' | 'OTEL_BLRP') => {
    const maxQueueSize = int(env, `${prefix}_MAX_QUEUE_SIZE`, 2048, 1, 1_000_000);
    const maxExportBatchSize = int(env, `${prefix}_MAX_EXPORT_BATCH_SIZE`, 512, 1, 1_000_000);
    if (maxExportBatchSize > maxQueueSize) {
      throw new AuthlensConfigError(
        `${prefix}_MAX_EXPORT_BATCH_SIZE`,
        String(maxExportBatchSize),
        `an integer not above ${prefix}_MAX_QUEUE_SIZE (${maxQueueSize})`,
      );
    }
    const scheduledDelayMs = int(
      env,
      `${prefix}_SCHEDULE_DELAY`,
      prefix === 'OTEL_BSP' ? 5000 : 1000,
      1,
      3_600_000,
    );
    return { maxQueueSize, maxExportBatchSize, scheduledDelayMs };
  };

  const shutdownTimeoutMs =
    options.shutdownTimeoutMs ?? int(env, 'AUTHLENS_SHUTDOWN_TIMEOUT_MS', 5000, 100, 120_000);

  const extraKeys = list(env, 'AUTHLENS_REDACT_KEYS') ?? [];
  for (const k of extraKeys) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(k)) {
      throw new AuthlensConfigError(
        'AUTHLENS_REDACT_KEYS',
        env.AUTHLENS_REDACT_KEYS ?? '',
        'comma-separated key names',
      );
    }
  }

  const excludedPaths = pathPatterns(
    'AUTHLENS_EXCLUDED_PATHS',
    options.excludedPaths ?? list(env, 'AUTHLENS_EXCLUDED_PATHS') ?? DEFAULT_EXCLUDED_PATHS,
  );

  const dsn = options.sentryDsn ?? str(env, 'SENTRY_DSN');
  let sentry: SdkConfig['sentry'];
  if (dsn !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(dsn);
    } catch {
      u = undefined;
    }
    if (!u || !/^https?:$/.test(u.protocol) || !u.username || !/\/\d+$/.test(u.pathname)) {
      throw new AuthlensConfigError(
        'SENTRY_DSN',
        '<hidden>',
        'a Sentry DSN like https://<key>@<host>/<project-id>',
      );
    }
    // Validated for compatibility with the brief; authlens never sends PII whatever its value.
    bool(env, 'SENTRY_SEND_DEFAULT_PII', false);
    sentry = {
      dsn,
      environment: str(env, 'SENTRY_ENVIRONMENT') ?? environment,
      release: str(env, 'SENTRY_RELEASE') ?? serviceVersion,
      sampleRate: ratio(env, 'SENTRY_SAMPLE_RATE', 1),
      debug: bool(env, 'SENTRY_DEBUG', false),
    };
  }

  return {
    enabled: monitoring && !sdkDisabled,
    serviceName,
    serviceVersion,
    environment,
    resourceAttributes,
    resourceDetectors: resourceDetectors(env),
    propagators: propagatorList(env),
    sampler,
    samplerRatio,
    tracesEndpoint,
    metricsEndpoint,
    logsEndpoint,
    otlpTimeouts: {
      traces: signalTimeout('TRACES'),
      metrics: signalTimeout('METRICS'),
      logs: signalTimeout('LOGS'),
    },
    metricsTemporality: oneOf(
      env,
      'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
      TEMPORALITIES,
      'cumulative',
    ),
    metricExportIntervalMs: int(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000, 100, 3_600_000),
    prometheusPort,
    prometheusHost,
    instrumentations,
    logLevel,
    logsExportSeverity: LOG_SEVERITY[logsExportLevel],
    bsp: batch('OTEL_BSP'),
    blrp: batch('OTEL_BLRP'),
    shutdownTimeoutMs,
    handleSignals: options.handleSignals ?? true,
    redaction: {
      keys: [...extraKeys, ...(options.redaction?.keys ?? [])],
      patterns: [...(options.redaction?.patterns ?? [])],
    },
    excludedPaths,
    fastifySpans: bool(env, 'AUTHLENS_FASTIFY_SPANS', false),
    sentry,
  };
}
