/**
 * THE ONE PRIVATE TOUCHPOINT of authlens: Node's HTTP servers hand each request to their
 * `'request'` listeners through `EventEmitter#emit`, and no public API runs code *around* that
 * call (the `http.server.request.start` diagnostics channel fires before it, outside the
 * request's async context). The server instrumentation must make the request's context
 * active for the app's handler, so it wraps `emit` on `http.Server.prototype` and
 * `https.Server.prototype` — what `@opentelemetry/instrumentation-http` does too.
 *
 * `server-dispatch.test.ts` fails loudly when this shape changes upstream (requests no longer
 * dispatched through `Server.prototype.emit('request', req, res)`); never a silent fallback.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Handles one request: must call `emit.call(server, 'request', req, res)` (inside whatever
 * context it sets up) and return its result.
 */
export type RequestDispatch = (
  server: unknown,
  emit: Emit,
  req: IncomingMessage,
  res: ServerResponse,
) => boolean;

/** The prototypes whose `emit` is wrapped. */
export const SERVER_PROTOTYPES: ReadonlyArray<{ emit: Emit }> = [
  http.Server.prototype as unknown as { emit: Emit },
  https.Server.prototype as unknown as { emit: Emit },
];

/**
 * Routes every `'request'` event of HTTP and HTTPS servers through `dispatch` unless `bypass`
 * says the server or request is not traced; returns the undo function (which restores the
 * prototypes only if nobody wrapped them after us).
 */
export function patchServerDispatch(
  dispatch: RequestDispatch,
  bypass: (server: unknown, req: IncomingMessage) => boolean,
): () => void {
  const undo: Array<() => void> = [];
  for (const proto of SERVER_PROTOTYPES) {
    const hadOwn = Object.hasOwn(proto, 'emit');
    const original = proto.emit;
    const patched: Emit = function patchedEmit(this: unknown, event, ...args) {
      if (event !== 'request' || bypass(this, args[0] as IncomingMessage)) {
        return original.call(this, event, ...args);
      }
      return dispatch(this, original, args[0] as IncomingMessage, args[1] as ServerResponse);
    };
    proto.emit = patched;
    undo.push(() => {
      if (proto.emit !== patched) return;
      if (hadOwn) proto.emit = original;
      else delete (proto as Partial<{ emit: Emit }>).emit;
    });
  }
  return () => {
    for (const u of undo) u();
  };
}
