/**
 * The process's resource and its context propagator, from the validated config.
 *
 * Resource: `OTEL_RESOURCE_ATTRIBUTES` (the `env` detector), then the detectors named in
 * `OTEL_NODE_RESOURCE_DETECTORS` (none beyond `env` by default: the local ones are cheap, the
 * cloud ones probe metadata endpoints and load only when asked), then the service attributes,
 * which always win. Detected values pass the redactor once (`process.command_args` can carry a
 * secret given on the command line).
 */
import { randomUUID } from 'node:crypto';
import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator } from '@opentelemetry/core';
import {
  type DetectedResourceAttributes,
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  type Resource,
  type ResourceDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import type { LocalDetectorName, SdkConfig } from './config.ts';
import { W3CTraceContextLevel2Propagator } from './propagation/trace-context.ts';
import type { Redactor } from './redaction.ts';

const LOCAL: Record<Exclude<LocalDetectorName, 'env'>, ResourceDetector> = {
  host: hostDetector,
  os: osDetector,
  process: processDetector,
  serviceinstance: serviceInstanceIdDetector,
};

function isDetector(value: unknown): value is ResourceDetector {
  return typeof (value as ResourceDetector | undefined)?.detect === 'function';
}

/** Every `*Detector` a detector package exports (aws: EC2, ECS, EKS, Beanstalk, Lambda…). */
async function cloudDetectors(config: SdkConfig): Promise<ResourceDetector[]> {
  const out: ResourceDetector[] = [];
  for (const { module } of config.resourceDetectors.cloud) {
    const mod = (await import(module)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (name.endsWith('Detector') && isDetector(value)) out.push(value);
    }
  }
  return out;
}

export async function buildResource(config: SdkConfig, redactor: Redactor): Promise<Resource> {
  const own = resourceFromAttributes({
    ...config.resourceAttributes,
    'service.name': config.serviceName,
    ...(config.serviceVersion ? { 'service.version': config.serviceVersion } : {}),
    'deployment.environment.name': config.environment,
    'service.instance.id': config.resourceAttributes['service.instance.id'] ?? randomUUID(),
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'authlens',
  });
  const detectors = [
    ...config.resourceDetectors.local.map((d) => LOCAL[d as Exclude<LocalDetectorName, 'env'>]),
    ...(await cloudDetectors(config)),
  ];
  if (detectors.length === 0) return own;
  const detected = detectResources({ detectors });
  await detected.waitForAsyncAttributes?.();
  const attributes = redactor.redact({ ...detected.attributes }) as DetectedResourceAttributes;
  // `merge` gives the argument's attributes precedence: ours win over detected ones.
  return resourceFromAttributes(attributes).merge(own);
}

/** `OTEL_PROPAGATORS`: W3C trace context (Level 2, `propagation/trace-context.ts`) and baggage by default, nothing for `none`. */
export function buildPropagator(config: SdkConfig): TextMapPropagator {
  return new CompositePropagator({
    propagators: config.propagators.map((p) =>
      p === 'tracecontext' ? new W3CTraceContextLevel2Propagator() : new W3CBaggagePropagator(),
    ),
  });
}
