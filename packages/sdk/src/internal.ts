/**
 * `@authlens/sdk/internal`: what the other authlens packages (`@authlens/status-api`) share with
 * the SDK. It is not part of the public API and not covered by semantic versioning: names here
 * change or go in any release. Applications import from `@authlens/sdk`.
 */

export { acceptsOpenMetrics, OPENMETRICS_CONTENT_TYPE } from './openmetrics.ts';
