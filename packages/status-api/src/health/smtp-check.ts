/** SMTP health check. */
import net from 'node:net';
import tls from 'node:tls';
import { type CommonCheckOptions, common, elapsed, latencyStatus } from './check-options.ts';
import type { HealthCheck, HealthCheckOutcome } from './types.ts';

export interface SmtpCheckOptions extends CommonCheckOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465). */
  secure?: boolean;
  /** Name sent with EHLO. Default `authlens-health`. */
  clientName?: string;
}

/** Connects, reads the 220 greeting, sends EHLO and expects 250, then QUIT. */
export function smtpCheck(options: SmtpCheckOptions): HealthCheck {
  const degradedMs = options.degradedMs ?? 1000;
  return {
    ...common(options, {
      name: 'smtp',
      displayName: 'E-mail delivery',
      componentType: 'component',
      critical: false,
    }),
    check(signal) {
      const started = performance.now();
      return new Promise<HealthCheckOutcome>((resolve, reject) => {
        const socket = options.secure
          ? tls.connect({ host: options.host, port: options.port, servername: options.host })
          : net.connect({ host: options.host, port: options.port });
        let buffer = '';
        let stage: 'greeting' | 'ehlo' = 'greeting';
        const finish = (err?: Error, outcome?: HealthCheckOutcome) => {
          signal.removeEventListener('abort', onAbort);
          socket.destroy();
          if (err) reject(err);
          else if (outcome) resolve(outcome);
        };
        const onAbort = () => finish(new Error('aborted'));
        signal.addEventListener('abort', onAbort, { once: true });
        socket.setEncoding('utf8');
        socket.on('error', (err) => finish(err));
        socket.on('close', () => finish(new Error('connection closed before EHLO completed')));
        socket.on('data', (chunk: string) => {
          buffer += chunk;
          // A reply is complete when a line has a space after the code ("250 ok", not "250-…").
          const lines = buffer.split('\r\n');
          const last = lines.findLast((l) => /^\d{3} /.test(l));
          if (!last) return;
          buffer = '';
          const code = Number(last.slice(0, 3));
          if (stage === 'greeting') {
            if (code !== 220) return finish(new Error(`SMTP greeting ${code}`));
            stage = 'ehlo';
            socket.write(`EHLO ${options.clientName ?? 'authlens-health'}\r\n`);
            return;
          }
          if (code !== 250) return finish(new Error(`SMTP EHLO answered ${code}`));
          socket.end('QUIT\r\n');
          const ms = elapsed(started);
          const status = latencyStatus(ms, degradedMs);
          finish(undefined, {
            status,
            message: 'SMTP server accepts EHLO',
            observations: [{ measurement: 'responseTime', observedValue: ms, observedUnit: 'ms' }],
          });
        });
      });
    },
  };
}
