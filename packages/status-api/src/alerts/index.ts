/**
 * Alert management: durable alerts with routing, suppression, escalation and reliable delivery.
 * `alertRoutes` is registered by the monitoring plugin under `/alerts` with role checks it supplies:
 * `app.register(alertRoutes, { prefix: '/alerts', authorize, ...options.alerts })`.
 */
import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import { type AlertManager, type AlertManagerOptions, createAlertManager } from './manager.ts';
import { registerAlertRoutes } from './routes.ts';

export interface AlertRoutesOptions {
  /** Role checks supplied by the monitoring plugin (API keys), run as `onRequest` hooks. */
  authorize: { read: onRequestHookHandler; write: onRequestHookHandler };
  /** A running manager (not closed with the app). Without it one is created from `manager options` + env and closed on `onClose`. */
  manager?: AlertManager;
  /** Options for the manager created when `manager` is not given. */
  managerOptions?: AlertManagerOptions;
  /** Largest Alertmanager webhook body in bytes (default 10 MiB: a group of 1,000 alerts). */
  webhookBodyLimitBytes?: number;
}

export const alertRoutes: FastifyPluginAsync<AlertRoutesOptions> = async (app, options) => {
  if (!options.authorize?.read || !options.authorize?.write) {
    throw new Error('alertRoutes: options.authorize.read and options.authorize.write are required');
  }
  let manager = options.manager;
  if (!manager) {
    const created = await createAlertManager(options.managerOptions);
    manager = created;
    app.addHook('onClose', async () => created.close());
  }
  registerAlertRoutes(
    app,
    manager,
    options.authorize,
    options.webhookBodyLimitBytes === undefined
      ? {}
      : { webhookBodyLimitBytes: options.webhookBodyLimitBytes },
  );
};

export { createChannel, pagerDutyDedupKey, signWebhook, verifyWebhookSignature } from './channels/index.ts';
export type { Channel, Notification, SendResult } from './channels/types.ts';
export { backoffMs, channelsFromEnv, type RetryOptions } from './config.ts';
export { AlertError, type AlertErrorCode } from './errors.ts';
export { type AlertJson, alertJson } from './json.ts';
export {
  type AlertDetails,
  type AlertManager,
  type AlertManagerOptions,
  type AlertmanagerWebhookPayload,
  type CreateSilenceInput,
  createAlertManager,
  fingerprint,
  mapSeverity,
  type RunDueResult,
} from './manager.ts';
export { type Matcher, parseMatcher } from './matchers.ts';
export type {
  ChannelConfig,
  EmailChannelConfig,
  InhibitRuleConfig,
  MaintenanceWindowConfig,
  PagerDutyChannelConfig,
  RouteConfig,
  RoutingConfig,
  SlackChannelConfig,
  WebhookChannelConfig,
} from './routing.ts';
export { compileRouting, loadRoutingFile, validateRoutingConfig } from './routing.ts';
export {
  type SecurityDetection,
  type SecurityDetectionAlertsOptions,
  securityDetectionAlerts,
} from './security.ts';
// The stored records (`Alert`, `Severity`, …) are imported from `./types.ts` where needed; the package does not export them.
export type { CreateAlertInput, CreateAlertResult } from './types.ts';
