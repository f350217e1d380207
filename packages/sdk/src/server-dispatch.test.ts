/**
 * The upstream shape `server-dispatch.ts` depends on: Node's HTTP and HTTPS servers hand each
 * request to their listeners through `Server.prototype.emit('request', req, res)`. If a Node
 * release dispatches another way, these tests fail (the SDK would otherwise trace nothing).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { patchServerDispatch, SERVER_PROTOTYPES } from './server-dispatch.ts';

describe('the HTTP server dispatch touchpoint', () => {
  it('HTTP and HTTPS servers inherit emit from EventEmitter (nothing else wrapped it first)', () => {
    expect(SERVER_PROTOTYPES).toEqual([http.Server.prototype, https.Server.prototype]);
    for (const proto of SERVER_PROTOTYPES) expect(typeof proto.emit).toBe('function');
  });

  it("routes every request through Server.prototype.emit('request'), and undo restores it", async () => {
    const before = http.Server.prototype.emit;
    const seen: string[] = [];
    const undo = patchServerDispatch(
      (server, emit, req, res) => {
        seen.push(req.url ?? '');
        return emit.call(server, 'request', req, res);
      },
      () => false,
    );
    const server = http.createServer((_req, res) => res.end('ok'));
    try {
      expect(http.Server.prototype.emit).not.toBe(before);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/probe?x=1`);
      expect(await res.text()).toBe('ok');
      expect(seen).toEqual(['/probe?x=1']);
    } finally {
      undo();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(http.Server.prototype.emit).toBe(before);
  });
});
