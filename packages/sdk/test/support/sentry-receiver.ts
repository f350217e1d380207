/**
 * A local Sentry ingest endpoint for tests: accepts envelopes at `/api/<project>/envelope/`
 * (optionally gzip) and records every item. DSN: `http://key@127.0.0.1:<port>/1`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface SentryItem {
  type: string;
  payload: Record<string, unknown>;
}

export interface SentryReceiver {
  dsn: string;
  items: SentryItem[];
  /** Raw envelope bodies, for "no secret anywhere" assertions. */
  raw: string[];
  close(): Promise<void>;
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const receiver: SentryReceiver = { dsn: '', items: [], raw: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!/^\/api\/\d+\/envelope\/?/.test(req.url ?? '')) {
        res.statusCode = 404;
        res.end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const text = body.toString('utf8');
      receiver.raw.push(text);
      const lines = text.split('\n');
      // Envelope: header line, then (item header, payload) pairs.
      for (let i = 1; i + 1 < lines.length; i += 2) {
        const header = JSON.parse(lines[i] as string) as { type: string };
        let payload: Record<string, unknown> = {};
        try {
          payload = JSON.parse(lines[i + 1] as string) as Record<string, unknown>;
        } catch {
          payload = { raw: lines[i + 1] };
        }
        receiver.items.push({ type: header.type, payload });
      }
      res.statusCode = 200;
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  receiver.dsn = `http://publickey@127.0.0.1:${port}/1`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
