/**
 * A local OTLP/HTTP receiver for tests: accepts `POST /v1/{traces,logs,metrics}` with
 * http/protobuf bodies, decodes them (`test/support/otlp-proto.ts`)
 * and records spans and log records. It can be told to fail or stall to simulate an outage.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeLogs,
  decodeMetricNames,
  decodeTraces,
  type ReceivedLog,
  type ReceivedSpan,
} from '../../../../test/support/otlp-proto.ts';

export type { ReceivedLog, ReceivedSpan };

export interface OtlpReceiver {
  url: string;
  port: number;
  spans: ReceivedSpan[];
  logs: ReceivedLog[];
  metricNames: Set<string>;
  /** Raw request bodies as latin1 text, for "no secret anywhere" assertions. */
  raw: string[];
  requests: number;
  /** 'ok' answers 200; 'fail' answers 503; 'stall' never answers. */
  mode: 'ok' | 'fail' | 'stall';
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = {
    url: '',
    port: 0,
    spans: [],
    logs: [],
    metricNames: new Set(),
    raw: [],
    requests: 0,
    mode: 'ok',
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests++;
      if (receiver.mode === 'stall') return;
      if (receiver.mode === 'fail') {
        res.statusCode = 503;
        res.end();
        return;
      }
      const body = Buffer.concat(chunks);
      receiver.raw.push(body.toString('latin1'));
      try {
        if (req.url === '/v1/traces') receiver.spans.push(...decodeTraces(body));
        else if (req.url === '/v1/logs') receiver.logs.push(...decodeLogs(body));
        else if (req.url === '/v1/metrics')
          for (const name of decodeMetricNames(body)) receiver.metricNames.add(name);
        res.statusCode = 200;
        res.setHeader('content-type', 'application/x-protobuf');
        res.end();
      } catch (err) {
        res.statusCode = 400;
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  receiver.port = port;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
