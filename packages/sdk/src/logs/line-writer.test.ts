import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLineBuffer } from './line-writer.ts';

const sdkRoot = fileURLToPath(new URL('../..', import.meta.url));
const loggerModule = new URL('./logger.ts', import.meta.url).href;
const LINES = 3000;

/** Runs `body` after `LINES` log lines in a fresh process whose stdout is a pipe. */
function runAfterLogging(body: string, options: { register?: boolean; prelude?: string } = {}) {
  const code = `
    ${options.prelude ?? ''}
    const { getLogger } = await import(${JSON.stringify(loggerModule)});
    const log = getLogger('exit-test');
    for (let i = 0; i < ${LINES}; i++) log.info('line', { i });
    ${body}
  `;
  const args = ['--conditions=authlens-source'];
  if (options.register) args.push('--import', `${sdkRoot}/src/register.ts`);
  const run = spawnSync(process.execPath, [...args, '--input-type=module', '-e', code], {
    cwd: sdkRoot,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? '',
      OTEL_SERVICE_NAME: 'exit-test',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      MONITORING_ENABLED: options.register ? 'true' : 'false',
    },
  });
  const found = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { i: number }).i);
  return { run, found };
}

const expected = Array.from({ length: LINES }, (_, i) => i);

describe('buffered log lines reach stdout however the process ends', () => {
  it('process.exit() right after logging', () => {
    const { run, found } = runAfterLogging('process.exit(3);');
    expect(run.status, run.stderr).toBe(3);
    expect(found).toEqual(expected);
  });

  it('an uncaught exception right after logging', () => {
    const { run, found } = runAfterLogging("throw new Error('boom after logging');");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('boom after logging');
    expect(found).toEqual(expected);
  });

  it('SIGTERM with no handler of the app: every line, then the process dies of the signal', () => {
    const { run, found } = runAfterLogging(
      "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 20000);",
    );
    expect(run.signal, run.stderr).toBe('SIGTERM');
    expect(found).toEqual(expected);
  });

  it('SIGINT with the app’s own handler that exits', () => {
    const { run, found } = runAfterLogging(
      "process.kill(process.pid, 'SIGINT'); setTimeout(() => {}, 20000);",
      { prelude: "process.on('SIGINT', () => process.exit(0));" },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(found).toEqual(expected);
  });

  it('SIGTERM under authlens: its shutdown runs, every line is written and the signal still ends the process', () => {
    const { run, found } = runAfterLogging(
      "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 20000);",
      { register: true },
    );
    expect(run.signal, run.stderr).toBe('SIGTERM');
    expect(found).toEqual(expected);
  });
});

describe('createLineBuffer', () => {
  it('joins the lines of one event-loop turn into one write at the end of the turn', async () => {
    const writes: string[] = [];
    const lines = createLineBuffer((data) => writes.push(data));
    lines.write('a\n');
    lines.write('b\n');
    lines.write('c\n');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['a\nb\nc\n']);
  });

  it('writes at once when 64 KB are pending (bounded memory), and flush() writes the rest', () => {
    const writes: string[] = [];
    const lines = createLineBuffer((data) => writes.push(data));
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 63; i++) lines.write(line);
    expect(writes).toEqual([]);
    lines.write(line);
    expect(writes.map((w) => w.length)).toEqual([64 * 1024]);
    lines.write('tail\n');
    lines.flush();
    expect(writes.at(-1)).toBe('tail\n');
  });
});
