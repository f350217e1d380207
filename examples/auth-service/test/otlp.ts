/**
 * The telemetry path of the end-to-end test, with real parts: the service exports OTLP
 * (http/protobuf) to the authlens Collector built from `collector/builder-config.yaml`, whose
 * `otlphttp` exporter forwards it as OTLP/JSON to a local receiver that records every span and
 * log record (and keeps the raw bodies, to search them for secrets).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

import { freePort } from '../../../test/support/ports.ts';

export { freePort };

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  service: string;
  scope: string;
  attributes: Record<string, string | number | boolean>;
}

export interface ReceivedLog {
  traceId: string;
  spanId: string;
  body: string;
  attributes: Record<string, string | number | boolean>;
}

const flatten = (attributes: KeyValue[] | undefined) => {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) {
    const v = value?.stringValue ?? value?.boolValue ?? value?.doubleValue ?? value?.intValue;
    if (v !== undefined) out[key] = typeof v === 'string' && value.intValue !== undefined ? Number(v) : v;
  }
  return out;
};

export interface JsonReceiver {
  url: string;
  spans: ReceivedSpan[];
  logs: ReceivedLog[];
  /** Every request body, as received. */
  raw: string[];
  close(): Promise<void>;
}

export async function startJsonReceiver(): Promise<JsonReceiver> {
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  const raw: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      raw.push(body);
      try {
        const doc = JSON.parse(body || '{}');
        if (req.url === '/v1/traces') {
          for (const rs of doc.resourceSpans ?? []) {
            const service = String(flatten(rs.resource?.attributes)['service.name'] ?? '');
            for (const ss of rs.scopeSpans ?? []) {
              for (const s of ss.spans ?? []) {
                spans.push({
                  traceId: s.traceId,
                  spanId: s.spanId,
                  parentSpanId: s.parentSpanId ?? '',
                  name: s.name,
                  kind: s.kind,
                  service,
                  scope: ss.scope?.name ?? '',
                  attributes: flatten(s.attributes),
                });
              }
            }
          }
        } else if (req.url === '/v1/logs') {
          for (const rl of doc.resourceLogs ?? []) {
            for (const sl of rl.scopeLogs ?? []) {
              for (const r of sl.logRecords ?? []) {
                logs.push({
                  traceId: r.traceId ?? '',
                  spanId: r.spanId ?? '',
                  body: String(r.body?.stringValue ?? ''),
                  attributes: flatten(r.attributes),
                });
              }
            }
          }
        }
      } catch {
        // Keep the raw body only.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    logs,
    raw,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function waitForPort(port: number, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`collector did not open port ${port} within ${timeoutMs} ms:\n${output()}`);
}

export interface CollectorProcess {
  /** OTLP http endpoint for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  endpoint: string;
  output(): string;
  stop(): Promise<void>;
}

/** Runs the collector: OTLP/HTTP in, OTLP/JSON out to `forwardTo`, no batching (fast tests). */
export async function startCollector(
  binary: string,
  dir: string,
  forwardTo: string,
): Promise<CollectorProcess> {
  const port = await freePort();
  const config = path.join(dir, 'collector.yaml');
  writeFileSync(
    config,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      http:',
      `        endpoint: 127.0.0.1:${port}`,
      'exporters:',
      '  otlphttp:',
      `    endpoint: ${forwardTo}`,
      '    encoding: json',
      '    compression: none',
      '    retry_on_failure:',
      '      enabled: false',
      '    sending_queue:',
      '      enabled: false',
      'service:',
      '  telemetry:',
      '    metrics:',
      '      level: none',
      '  pipelines:',
      '    traces:',
      '      receivers: [otlp]',
      '      exporters: [otlphttp]',
      '    logs:',
      '      receivers: [otlp]',
      '      exporters: [otlphttp]',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, 20_000, () => out);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
