/**
 * Slack incoming webhook with Block Kit. Slack allows about one message per second per
 * webhook: the channel declares `minIntervalMs`, and the manager paces its sends through the
 * store (shared by every replica); a 429's `Retry-After` pauses it.
 */
import type { SlackChannelConfig } from '../routing.ts';
import { postJson } from './http.ts';
import { type Channel, eventTitle, type Notification } from './types.ts';

const mrkdwn = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function slackPayload(n: Notification) {
  const a = n.alert;
  const title = `${eventTitle(n)}: [${a.severity.toUpperCase()}] ${a.name}`;
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `\`${mrkdwn(k)}=${mrkdwn(v)}\``)
    .join(' ');
  return {
    text: cut(`${title} — ${a.message}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(title, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: cut(mrkdwn(a.message), 3000) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Severity*\n${a.severity}` },
          { type: 'mrkdwn', text: `*Status*\n${a.status}` },
          { type: 'mrkdwn', text: `*Source*\n${cut(mrkdwn(a.source), 200)}` },
          { type: 'mrkdwn', text: `*Occurrences*\n${a.occurrences}` },
        ],
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: cut(`alert \`${a.id}\`${labels ? ` · ${labels}` : ''}`, 3000) }],
      },
    ],
  };
}

export function slackChannel(config: SlackChannelConfig): Channel {
  return {
    name: config.name,
    type: 'slack',
    minIntervalMs: config.minIntervalMs ?? 1000,
    send: (n, timeoutMs) => postJson(config.webhookUrl, JSON.stringify(slackPayload(n)), {}, timeoutMs),
    close: async () => {},
  };
}
