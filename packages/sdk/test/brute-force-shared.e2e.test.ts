/**
 * The brute-force detector shared through the real Redis by two real processes: failures counted
 * together, one detection at the threshold, logged by the process that detected it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireRedis, services } from '../../../test/support/services.ts';
import type { Detection } from '../src/domain/brute-force.ts';

const detectorModule = new URL('../src/domain/brute-force.ts', import.meta.url).href;
const CHILD = `
import { createInterface } from 'node:readline';
const { createBruteForceDetector } = await import(${JSON.stringify(detectorModule)});
const detector = createBruteForceDetector({
  redis: process.env.TEST_REDIS_URL,
  keyPrefix: process.env.TEST_PREFIX,
  thresholds: { accountFailures: 5, ipFailures: 1000, distinctAccountsPerIp: 1000 },
  windows: { accountSeconds: 60 },
});
console.log('READY ' + JSON.stringify({ shared: detector.shared }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'close') { await detector.close(); break; }
  const detections = await detector.recordFailure(JSON.parse(line));
  console.log('RESULT ' + JSON.stringify(detections));
}
`;

interface Child {
  proc: ChildProcessWithoutNullStreams;
  send(line: string): Promise<string>;
  output: string[];
}

function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--conditions=authlens-source', '--input-type=module', '-e', CHILD], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, ...env },
  });
  const output: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    output.push(line);
    if (line.startsWith('RESULT ') || line.startsWith('READY ')) waiting.shift()?.(line);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      proc.once('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
    });
  return next().then(() => ({
    proc,
    output,
    send: (line: string) => {
      const reply = next();
      proc.stdin.write(`${line}\n`);
      return reply;
    },
  }));
}

describe('brute-force detector shared through Redis by two processes', () => {
  const prefix = `authlens-test:bf:${randomUUID()}`;
  const children: Child[] = [];
  let redis: Redis;

  beforeAll(async () => {
    await requireRedis();
    redis = new Redis(services.redisUrl);
    const env = { TEST_REDIS_URL: services.redisUrl, TEST_PREFIX: prefix };
    children.push(await startChild(env), await startChild(env));
  });

  afterAll(async () => {
    for (const child of children) {
      child.proc.stdin.end('close\n');
      await new Promise((resolve) => {
        if (child.proc.exitCode !== null) resolve(undefined);
        else child.proc.once('exit', resolve);
        setTimeout(() => child.proc.kill(), 5000).unref();
      });
    }
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });

  it('counts failures from both processes together and fires exactly once, at the threshold', async () => {
    const [a, b] = children as [Child, Child];
    for (const child of children) expect(child.output[0]).toBe('READY {"shared":true}');
    const results: Detection[][] = [];
    // Failures 1..4 alternate between the processes: no detection anywhere.
    for (let i = 0; i < 4; i++) {
      const child = i % 2 === 0 ? a : b;
      results.push(JSON.parse((await child.send(JSON.stringify({ account: 'mallory' }))).slice(7)));
    }
    expect(results.flat()).toEqual([]);
    // Failure 5, in process b: only 2 of its own, but 5 in Redis → b detects.
    const fifth: Detection[] = JSON.parse((await b.send(JSON.stringify({ account: 'mallory' }))).slice(7));
    expect(fifth).toHaveLength(1);
    expect(fifth[0]).toMatchObject({
      kind: 'brute_force',
      scope: 'account',
      subject: 'mallory',
      count: 5,
      threshold: 5,
    });
    // Failure 6, in process a: above the threshold, no second alert.
    const sixth: Detection[] = JSON.parse((await a.send(JSON.stringify({ account: 'mallory' }))).slice(7));
    expect(sixth).toEqual([]);
    // The security log line was written by the process that detected it (getLogger() lines are
    // written at the end of the event-loop turn, so it can arrive after that turn's RESULT line).
    await vi.waitFor(
      () =>
        expect(
          b.output.some((l) => l.includes('"security.event.type":"brute_force"') && l.includes('mallory')),
        ).toBe(true),
      { timeout: 5000 },
    );
    expect(a.output.some((l) => l.includes('"security.event.type":"brute_force"'))).toBe(false);
    // Redis keys carry a hash of the account, not the account itself.
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => k.includes('mallory'))).toBe(false);
  });
});
