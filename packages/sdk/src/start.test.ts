import { describe, expect, it } from 'vitest';
import { start } from './index.ts';

describe('start', () => {
  it('returns a handle whose shutdown can be called twice', async () => {
    const handle = await start({ serviceName: 'test' });
    await handle.shutdown();
    await expect(handle.shutdown()).resolves.toBeUndefined();
  });
});
