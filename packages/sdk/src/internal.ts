/**
 * `@authlens/sdk/internal`: what the other authlens packages (`@authlens/status-api`) share with
 * the SDK — the OpenMetrics negotiation and the configuration-and-error kit. It is not part of
 * the public API and not covered by semantic versioning: names here change or go in any release.
 * Applications import from `@authlens/sdk`.
 */

export {
  type BooleanRule,
  createEnvReader,
  type DurationRule,
  describeRange,
  type EnumRule,
  type Env,
  type EnvReader,
  type ExplicitOption,
  type IntegerRule,
  type InvalidValue,
  type InvalidValueError,
  type ListRule,
  type NumberRule,
  parseDuration,
  parseUrl,
  type UrlRule,
} from './config/env.ts';
export { errorCode, invalidOption } from './errors.ts';
export { acceptsOpenMetrics, OPENMETRICS_CONTENT_TYPE } from './openmetrics.ts';
