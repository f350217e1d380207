/** E-mail over SMTP (nodemailer), HTML + text. SMTP 5xx is final; 4xx and connection errors are retried. */
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { EmailChannelConfig } from '../routing.ts';
import type { Channel, Notification, SendResult } from './types.ts';
import { eventTitle } from './types.ts';

const html = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function emailMessage(n: Notification) {
  const a = n.alert;
  const subject = `[${a.severity.toUpperCase()}] ${eventTitle(n)}: ${a.name}`;
  const rows: Array<[string, string]> = [
    ['Message', a.message],
    ['Severity', a.severity],
    ['Status', a.status],
    ['Source', a.source],
    ['Occurrences', String(a.occurrences)],
    ['First seen', a.createdAt.toISOString()],
    ['Alert ID', a.id],
    ...Object.entries(a.labels).map(([k, v]): [string, string] => [`label ${k}`, v]),
    ...Object.entries(a.annotations).map(([k, v]): [string, string] => [`annotation ${k}`, v]),
  ];
  const text = `${subject}\n\n${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
  const body = `<!doctype html><html><body><h2>${html(subject)}</h2><table>${rows
    .map(([k, v]) => `<tr><th align="left">${html(k)}</th><td>${html(v)}</td></tr>`)
    .join('')}</table></body></html>`;
  return { subject, text, html: body };
}

export function emailChannel(config: EmailChannelConfig): Channel {
  let transport: Transporter | undefined;
  let transportTimeout = 0;
  const transporter = async (timeoutMs: number) => {
    // Loaded on first send, not at start: most deployments have no e-mail channel.
    const { default: nodemailer } = await import('nodemailer');
    if (!transport || transportTimeout !== timeoutMs) {
      transport?.close();
      transportTimeout = timeoutMs;
      transport = nodemailer.createTransport({
        url: config.smtpUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
    }
    return transport;
  };
  return {
    name: config.name,
    type: 'email',
    async send(n: Notification, timeoutMs: number): Promise<SendResult> {
      const msg = emailMessage(n);
      const id = createHash('sha256').update(n.idempotencyKey).digest('hex').slice(0, 32);
      try {
        await (await transporter(timeoutMs)).sendMail({
          from: config.from,
          to: config.to,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          messageId: `<${id}@authlens>`,
          headers: { 'X-Authlens-Alert-Id': n.alert.id, 'X-Authlens-Idempotency-Key': n.idempotencyKey },
        });
        return { ok: true, retryable: false, statusCode: 250 };
      } catch (err) {
        const e = err as Error & { responseCode?: number; code?: string };
        const code = typeof e.responseCode === 'number' ? e.responseCode : null;
        return {
          ok: false,
          retryable: code === null || code < 500,
          statusCode: code,
          error: code ? `SMTP ${code}` : `SMTP ${e.code ?? 'error'}`,
        };
      }
    },
    close: async () => {
      transport?.close();
      transport = undefined;
    },
  };
}
