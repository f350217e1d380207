import type { ChannelConfig } from '../routing.ts';
import { emailChannel } from './email.ts';
import { pagerDutyChannel } from './pagerduty.ts';
import { slackChannel } from './slack.ts';
import type { Channel } from './types.ts';
import { webhookChannel } from './webhook.ts';

export function createChannel(config: ChannelConfig): Channel {
  switch (config.type) {
    case 'email':
      return emailChannel(config);
    case 'slack':
      return slackChannel(config);
    case 'pagerduty':
      return pagerDutyChannel(config);
    case 'webhook':
      return webhookChannel(config);
  }
}

export { emailMessage } from './email.ts';
export { PAGERDUTY_EVENTS_URL, pagerDutyDedupKey, pagerDutyEvent } from './pagerduty.ts';
export { slackPayload } from './slack.ts';
export type { Channel, Notification, SendResult } from './types.ts';
export { signWebhook, verifyWebhookSignature, webhookBody } from './webhook.ts';
