import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { createTempDatabase } from '../../../../test/support/postgres.ts';
import { createScheduler, type JobDefinition, type JobRuntime } from '../../src/index.ts';
import { parseSchedule } from '../../src/jobs/schedule.ts';
import type { MetricsSource } from '../../src/metrics/source.ts';

export interface TempDb {
  url: string;
  drop(): Promise<void>;
}

/** A PostgreSQL database with a random name (dropped by `drop`). */
export const tempPostgres = (prefix = 'authlens_jobs'): Promise<TempDb> => createTempDatabase(prefix);

/** A SQLite file in a fresh temp directory. */
export function tempSqlite(): TempDb {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-jobs-'));
  return {
    url: `sqlite:${path.join(dir, 'authlens.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const tempDb = (dialect: 'sqlite' | 'postgres') =>
  dialect === 'sqlite' ? Promise.resolve(tempSqlite()) : tempPostgres();

/** Runs `def` through a scheduler for its latest slot of `schedule` (up to 32 days ago), to the end. */
export async function runScheduledSlot(rt: JobRuntime, def: JobDefinition, schedule: string): Promise<void> {
  const scheduler = createScheduler(rt, {
    jobs: { [def.name]: def },
    schedules: new Map([[def.name, parseSchedule(schedule, 'test')]]),
    catchUpMs: 32 * 86_400_000,
    instanceId: 'jobs-test',
  });
  await scheduler.tick();
  await scheduler.idle();
}

/** A real MeterProvider with a pull reader, as the jobs' in-process `MetricsSource`. */
export function createTestMetrics() {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [reader] });
  const source: MetricsSource = { collect: () => reader.collect() };
  return { provider, meter: provider.getMeter('authlens-jobs-test'), source };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** Decodes quoted-printable soft breaks and escapes so content can be searched. */
export const decodeQp = (s: string) =>
  s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

export interface SmtpOptions {
  /** SMTP replies for RCPT TO, taken one per recipient while any are left (the caller may push more later). */
  rcptErrors?: Array<{ code: number; message: string }>;
  /** Store each message quoted-printable-decoded (default) or exactly as received. */
  decode?: boolean;
}

/** A local SMTP server on an ephemeral port that records every message. */
export async function startSmtp({ rcptErrors = [], decode = true }: SmtpOptions = {}): Promise<{
  port: number;
  mails: Mail[];
  close(): Promise<void>;
}> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, cb) {
      const err = rcptErrors.shift();
      if (err) return cb(Object.assign(new Error(err.message), { responseCode: err.code }));
      cb();
    },
    onData(stream: SMTPServerDataStream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: decode
            ? decodeQp(Buffer.concat(chunks).toString('utf8'))
            : Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
