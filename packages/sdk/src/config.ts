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
import { createEnvReader, type EnvReader, type InvalidValueError } from './config/env.ts';
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

/** Every default of the SDK's settings, in one place (docs/configuration.md lists the same values). */
export const DEFAULTS = Object.freeze({
  serviceName: 'unknown_service:node',
  environment: 'development',
  sampler: 'parentbased_always_on',
  samplerRatio: 1,
  otlpTimeoutMs: 10_000,
  metricsTemporality: 'cumulative',
  metricExportIntervalMs: 60_000,
  prometheusPort: 9464,
  prometheusHost: '0.0.0.0',
  propagators: Object.freeze(['tracecontext', 'baggage']),
  resourceDetectors: Object.freeze(['env']),
  logLevel: 'info',
  /** Unset: every line the logger writes is exported too. */
  logsExportLevel: 'silly',
  bsp: Object.freeze({ maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMs: 5000 }),
  blrp: Object.freeze({ maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMs: 1000 }),
  shutdownTimeoutMs: 5000,
  sentrySampleRate: 1,
  /**
   * Orchestrator probes, the scrape endpoints and the favicon: requests that would only add noise
   * to traces and skew the latency and availability figures.
   */
  excludedPaths: Object.freeze(['/monitoring/health/*', '/monitoring/metrics', '/metrics', '/favicon.ico']),
} as const);

type Reader = EnvReader;

const configError: InvalidValueError = ({ setting, value, expected }) =>
  new AuthlensConfigError(setting, value, expected);

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

/**
 * `key=value[,key=value…]` with `%`-encoded keys and values (OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_EXPORTER_OTLP_HEADERS). `what` describes the accepted form in the error.
 */
function keyValueList(read: Reader, name: string, what: string): Record<string, string> {
  const v = read.string(name);
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
function host(read: Reader, name: string, fallback: string): string {
  const v = read.string(name);
  if (v === undefined) return fallback;
  const bare = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  if (isIP(bare) === 0 && !HOSTNAME.test(v)) {
    throw new AuthlensConfigError(name, v, 'an IP address (0.0.0.0, ::, 127.0.0.1) or a host name');
  }
  return bare;
}

function propagatorList(read: Reader): PropagatorName[] {
  const expected =
    'tracecontext, baggage (comma-separated) or none; b3, jaeger, xray and ottrace are not bundled';
  const names = read.list('OTEL_PROPAGATORS', { allowed: PROPAGATORS, lowerCase: true, expected });
  if (!names) return [...DEFAULTS.propagators] as PropagatorName[];
  if (names.includes('none')) {
    if (names.length > 1)
      throw configError({ setting: 'OTEL_PROPAGATORS', value: names.join(','), expected });
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

function resourceDetectors(read: Reader): SdkConfig['resourceDetectors'] {
  const raw = read.string('OTEL_NODE_RESOURCE_DETECTORS') ?? '';
  const names =
    read.list('OTEL_NODE_RESOURCE_DETECTORS', { allowed: DETECTOR_NAMES, lowerCase: true }) ??
    DEFAULTS.resourceDetectors;
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

const OTLP_URL = 'an absolute http:// or https:// URL';

function signalEndpoint(
  read: Reader,
  signal: 'TRACES' | 'METRICS' | 'LOGS',
  base: string | undefined,
): string | undefined {
  const specific = read.url(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`, { expected: OTLP_URL });
  if (specific) return specific;
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/${signal.toLowerCase()}`;
}

/** Resolves and validates every setting. Throws {@link AuthlensConfigError} on a bad value. */
export function normalizeOptions(options: StartOptions = {}): SdkConfig {
  const read = createEnvReader(options.env ?? process.env, configError);

  const monitoring = read.boolean('MONITORING_ENABLED', { default: true });
  const sdkDisabled = read.boolean('OTEL_SDK_DISABLED', { default: false });

  const pkg = options.serviceName && options.serviceVersion ? {} : appPackage();
  const serviceName =
    options.serviceName ?? read.string('OTEL_SERVICE_NAME') ?? pkg.name ?? DEFAULTS.serviceName;
  const serviceVersion = options.serviceVersion ?? read.string('OTEL_SERVICE_VERSION') ?? pkg.version;
  const environment = options.environment ?? read.string('ENVIRONMENT') ?? DEFAULTS.environment;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(environment)) {
    throw new AuthlensConfigError('ENVIRONMENT', environment, '1–64 characters of A-Z a-z 0-9 . _ -');
  }

  const resourceAttributes = keyValueList(read, 'OTEL_RESOURCE_ATTRIBUTES', 'key=value[,key=value…]');

  // SENTRY_TRACES_SAMPLE_RATE (Sentry's own variable) sets the trace ratio when OTEL_TRACES_SAMPLER is unset.
  const ratio = (name: string, fallback: number) => read.number(name, { default: fallback, min: 0, max: 1 });
  const sentryRate = read.string('SENTRY_TRACES_SAMPLE_RATE');
  const sentryTracesRate = ratio('SENTRY_TRACES_SAMPLE_RATE', DEFAULTS.samplerRatio);
  let sampler = read.oneOf('OTEL_TRACES_SAMPLER', SAMPLERS, { default: DEFAULTS.sampler });
  if (read.string('OTEL_TRACES_SAMPLER') === undefined && sentryRate !== undefined)
    sampler = 'parentbased_traceidratio';
  const samplerRatio = ratio(
    'OTEL_TRACES_SAMPLER_ARG',
    sentryRate !== undefined ? sentryTracesRate : DEFAULTS.samplerRatio,
  );

  const base = read.url('OTEL_EXPORTER_OTLP_ENDPOINT', {
    expected: OTLP_URL,
    option: { name: 'otlpEndpoint', value: options.otlpEndpoint },
  });
  const PROTOCOLS = ['http/protobuf'] as const;
  for (const s of ['', 'TRACES_', 'METRICS_', 'LOGS_']) {
    read.oneOf(`OTEL_EXPORTER_OTLP_${s}PROTOCOL`, PROTOCOLS, { default: 'http/protobuf' });
  }
  const exporters = (name: string, allowed: readonly string[]) => {
    const names = read.list(name, { allowed, expected: allowed.join(', ') });
    return names && new Set(names);
  };
  const tracesExporters = exporters('OTEL_TRACES_EXPORTER', ['otlp', 'none']);
  const metricsExporters = exporters('OTEL_METRICS_EXPORTER', ['otlp', 'prometheus', 'none']);
  const logsExporters = exporters('OTEL_LOGS_EXPORTER', ['otlp', 'none']);
  const tracesEndpoint = tracesExporters?.has('none') ? undefined : signalEndpoint(read, 'TRACES', base);
  const metricsEndpoint =
    metricsExporters && !metricsExporters.has('otlp') ? undefined : signalEndpoint(read, 'METRICS', base);
  const logsEndpoint = logsExporters?.has('none') ? undefined : signalEndpoint(read, 'LOGS', base);
  // Headers and compression are applied by the OTLP exporters, which read them from the
  // environment; validated here so a typo fails at start instead of every export.
  for (const s of ['', 'TRACES_', 'METRICS_', 'LOGS_']) {
    keyValueList(read, `OTEL_EXPORTER_OTLP_${s}HEADERS`, 'a comma-separated list of name=value');
    read.oneOf(`OTEL_EXPORTER_OTLP_${s}COMPRESSION`, ['gzip', 'none'], { default: 'none' });
  }
  const otlpTimeoutMs = read.integer('OTEL_EXPORTER_OTLP_TIMEOUT', {
    default: DEFAULTS.otlpTimeoutMs,
    min: 1,
    max: 600_000,
  });
  const signalTimeout = (s: 'TRACES' | 'METRICS' | 'LOGS') =>
    read.integer(`OTEL_EXPORTER_OTLP_${s}_TIMEOUT`, { default: otlpTimeoutMs, min: 1, max: 600_000 });

  let prometheusPort: number | false;
  if (options.prometheusPort !== undefined) prometheusPort = options.prometheusPort;
  else if (metricsExporters && !metricsExporters.has('prometheus')) prometheusPort = false;
  else
    prometheusPort = read.integer('OTEL_EXPORTER_PROMETHEUS_PORT', {
      default: DEFAULTS.prometheusPort,
      min: 0,
      max: 65535,
    });
  const prometheusHost = host(read, 'OTEL_EXPORTER_PROMETHEUS_HOST', DEFAULTS.prometheusHost);

  const instrumentationList = (name: string) =>
    read.list(name, { allowed: INSTRUMENTATION_NAMES }) as InstrumentationName[] | undefined;
  const enabledList = instrumentationList('OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  const disabledList = instrumentationList('OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? [];
  const instrumentations = new Set<InstrumentationName>(enabledList ?? INSTRUMENTATION_NAMES);
  for (const d of disabledList) instrumentations.delete(d);

  const logLevel = read.oneOf('LOG_LEVEL', LOG_LEVELS, { default: DEFAULTS.logLevel });
  const logsExportLevel = read.oneOf('AUTHLENS_LOGS_EXPORT_LEVEL', LOG_LEVELS, {
    default: DEFAULTS.logsExportLevel,
  });

  const batch = (prefix: 'OTEL_BSP' | 'OTEL_BLRP') => {
    const defaults = prefix === 'OTEL_BSP' ? DEFAULTS.bsp : DEFAULTS.blrp;
    const size = (name: string, fallback: number) =>
      read.integer(name, { default: fallback, min: 1, max: 1_000_000 });
    const maxQueueSize = size(`${prefix}_MAX_QUEUE_SIZE`, defaults.maxQueueSize);
    const maxExportBatchSize = size(`${prefix}_MAX_EXPORT_BATCH_SIZE`, defaults.maxExportBatchSize);
    if (maxExportBatchSize > maxQueueSize) {
      throw new AuthlensConfigError(
        `${prefix}_MAX_EXPORT_BATCH_SIZE`,
        String(maxExportBatchSize),
        `an integer not above ${prefix}_MAX_QUEUE_SIZE (${maxQueueSize})`,
      );
    }
    const scheduledDelayMs = read.integer(`${prefix}_SCHEDULE_DELAY`, {
      default: defaults.scheduledDelayMs,
      min: 1,
      max: 3_600_000,
    });
    return { maxQueueSize, maxExportBatchSize, scheduledDelayMs };
  };

  const shutdownTimeoutMs =
    options.shutdownTimeoutMs ??
    read.integer('AUTHLENS_SHUTDOWN_TIMEOUT_MS', {
      default: DEFAULTS.shutdownTimeoutMs,
      min: 100,
      max: 120_000,
    });

  const extraKeys = read.list('AUTHLENS_REDACT_KEYS') ?? [];
  for (const k of extraKeys) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(k)) {
      throw new AuthlensConfigError(
        'AUTHLENS_REDACT_KEYS',
        read.string('AUTHLENS_REDACT_KEYS') ?? '',
        'comma-separated key names',
      );
    }
  }

  const excludedPaths = pathPatterns(
    'AUTHLENS_EXCLUDED_PATHS',
    options.excludedPaths ?? read.list('AUTHLENS_EXCLUDED_PATHS') ?? DEFAULTS.excludedPaths,
  );

  const DSN = 'a Sentry DSN like https://<key>@<host>/<project-id>';
  const dsn = read.url('SENTRY_DSN', {
    secret: true,
    expected: DSN,
    option: { name: 'sentryDsn', value: options.sentryDsn },
  });
  let sentry: SdkConfig['sentry'];
  if (dsn !== undefined) {
    const u = new URL(dsn);
    if (!u.username || !/\/\d+$/.test(u.pathname)) {
      throw new AuthlensConfigError(
        options.sentryDsn !== undefined ? 'sentryDsn' : 'SENTRY_DSN',
        '<hidden>',
        DSN,
      );
    }
    // Read only to refuse a malformed value; authlens never sends PII whatever it says.
    read.boolean('SENTRY_SEND_DEFAULT_PII', { default: false });
    sentry = {
      dsn,
      environment: read.string('SENTRY_ENVIRONMENT') ?? environment,
      release: read.string('SENTRY_RELEASE') ?? serviceVersion,
      sampleRate: ratio('SENTRY_SAMPLE_RATE', DEFAULTS.sentrySampleRate),
      debug: read.boolean('SENTRY_DEBUG', { default: false }),
    };
  }

  return {
    enabled: monitoring && !sdkDisabled,
    serviceName,
    serviceVersion,
    environment,
    resourceAttributes,
    resourceDetectors: resourceDetectors(read),
    propagators: propagatorList(read),
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
    metricsTemporality: read.oneOf('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', TEMPORALITIES, {
      default: DEFAULTS.metricsTemporality,
    }),
    metricExportIntervalMs: read.integer('OTEL_METRIC_EXPORT_INTERVAL', {
      default: DEFAULTS.metricExportIntervalMs,
      min: 100,
      max: 3_600_000,
    }),
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
    fastifySpans: read.boolean('AUTHLENS_FASTIFY_SPANS', { default: false }),
    sentry,
  };
}
