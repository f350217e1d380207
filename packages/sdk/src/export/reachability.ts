/**
 * Whether an OTLP endpoint can take a connection right now: asked once at shutdown, so that
 * a collector that refuses connections (or a host that cannot be reached) costs no wait — its
 * queued telemetry is dropped and counted at once — while a slow collector still gets the
 * shutdown budget to take what is queued.
 */
import net from 'node:net';

/** Codes that mean nothing sent now can arrive (a refused or unroutable connection). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/**
 * Undefined when a TCP connection to the endpoint's host and port opens within `timeoutMs`
 * (or the answer is not known in time: a slow network is not a dead collector); otherwise the
 * reason (`ECONNREFUSED`, `EHOSTUNREACH`, …).
 */
export function unreachable(endpoint: string, timeoutMs: number): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return Promise.resolve(undefined);
  }
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.unref();
    const finish = (reason: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    timer.unref();
    socket.once('connect', () => finish(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish(err.code !== undefined && UNREACHABLE.has(err.code) ? err.code : undefined),
    );
  });
}
