/**
 * Per-request context: correlation ID, route, method, client address and user ID of the
 * request in flight. It lives in the OpenTelemetry context under the RPC-metadata key, so
 * framework instrumentations (authlens's Fastify hook, or any that writes OpenTelemetry's RPC
 * metadata) fill in `route` and every async continuation of the request sees it. Depends on `@opentelemetry/api` and core only.
 */
import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, type RPCType } from '@opentelemetry/core';

/** The correlation-ID header read from requests and echoed on responses. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** State of one inbound HTTP request, shaped as OpenTelemetry's HTTP RPC metadata. */
export interface RequestState {
  type: typeof RPCType.HTTP;
  /** Route template (`/users/:id`), set by the framework instrumentation when known. */
  route?: string;
  /** The request's server span (may be non-recording). */
  span: import('@opentelemetry/api').Span;
  method: string;
  correlationId: string;
  clientAddress: string | undefined;
  userId: string | undefined;
}

const CORRELATION_ID_RE = /^[A-Za-z0-9._:-]{8,128}$/;

/** A valid incoming correlation ID (8–128 chars of `A-Z a-z 0-9 . _ : -`), else undefined. */
export function validCorrelationId(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  return CORRELATION_ID_RE.test(value) ? value : undefined;
}

/** The request state of the active context, when an instrumented request is in flight. */
export function getRequestState(): RequestState | undefined {
  const meta = getRPCMetadata(context.active()) as RequestState | undefined;
  return meta && typeof (meta as Partial<RequestState>).correlationId === 'string' ? meta : undefined;
}

/** The correlation ID of the request in flight (or undefined outside a request). */
export function getCorrelationId(): string | undefined {
  return getRequestState()?.correlationId;
}

/**
 * Records the authenticated user by ID only: sets `enduser.id` on the active request span and
 * puts it in the log context (and Sentry's user) of the rest of the request.
 */
export function setUser(userId: string | number | undefined | null): void {
  const id = userId === undefined || userId === null ? undefined : String(userId);
  const state = getRequestState();
  if (state) {
    state.userId = id;
    if (id !== undefined && state.span.isRecording()) state.span.setAttribute('enduser.id', id);
  } else {
    const span = trace.getActiveSpan();
    if (id !== undefined && span?.isRecording()) span.setAttribute('enduser.id', id);
  }
}
