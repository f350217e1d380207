/** One JSON POST with a timeout, classified for the delivery worker (never throws, never echoes the URL). */
import type { SendResult } from './types.ts';

/** `Retry-After` as delta-seconds or an HTTP date, in ms (capped at one hour). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), 3_600_000);
}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason =
      e.name === 'TimeoutError'
        ? `timeout after ${timeoutMs} ms`
        : `network error (${e.cause?.code ?? e.name})`;
    return { ok: false, retryable: true, statusCode: null, error: reason };
  }
  // Drain the body so the connection can be reused; a short excerpt helps operators.
  const text = await res.text().catch(() => '');
  if (res.ok) return { ok: true, retryable: false, statusCode: res.status };
  // 4xx is final (the request itself is wrong) except 429 (slow down) and, deliberately, 408:
  // Request Timeout says the receiver gave up waiting for our request — a transient condition
  // like our own send timeout, which is retried too.
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  const result: SendResult = {
    ok: false,
    retryable,
    statusCode: res.status,
    error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
  };
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  if (retryAfterMs !== undefined && (res.status === 429 || res.status === 503))
    result.retryAfterMs = retryAfterMs;
  return result;
}
