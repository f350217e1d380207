/**
 * `@authlens/sdk/internal/config`: the configuration and error kit the other authlens packages
 * share. Internal: its names may change in any release; applications use the public entry.
 */
export { errorCode, invalidOption } from '../errors.ts';
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
} from './env.ts';
