/** The benchmarks' in-process OTLP sink: answers every export with 200 and discards the body. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Sink {
  url: string;
  close: () => void;
  /** Export requests received so far. */
  requests: () => number;
}

export function startSink(): Promise<Sink> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/x-protobuf');
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
        requests: () => requests,
      }),
    ),
  );
}
