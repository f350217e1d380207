/**
 * Runs a demo as a user does, for the e2e tests: `bash scripts/demo [--stack]` at the repository
 * root, or a demo entry point (`src/demo-stack.ts`) with this Node. Either way in its own process
 * group, so a test can send Ctrl-C (SIGINT) to every process of it at once, as a terminal does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(exampleDir, '../..');

export interface DemoCommand {
  /** How the test names it in messages (`pnpm demo`). */
  name: string;
  file: string;
  args: string[];
  cwd: string;
}

/**
 * `bash scripts/demo [args…]` at the repository root, exactly as README and getting-started
 * write it (installs if needed, then execs the repository's Node 24 on the demo).
 */
export const demoScript = (...args: string[]): DemoCommand => ({
  name: ['bash scripts/demo', ...args].join(' '),
  file: 'bash',
  args: ['scripts/demo', ...args],
  cwd: repoRoot,
});

/** `node <script>` in the example, with the Node that runs the tests. */
export const nodeScript = (script: string): DemoCommand => ({
  name: `node ${script}`,
  file: process.execPath,
  args: [script],
  cwd: exampleDir,
});

export interface DemoProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  readonly output: string;
  /** The value after `label:` in its "Where to look" block ('' when absent). */
  field(label: string): string;
  /** The exit of the spawned process (the leader of the group). */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout and stderr are closed: every process that held them has exited. */
  readonly closed: Promise<void>;
  /** Sends `signal` to the whole process group, as Ctrl-C in a terminal does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Whether any process of the group is still alive. */
  groupAlive(): boolean;
  /** SIGKILLs the group if anything of it still runs, and waits for the exit (the tests' safety net). */
  kill(): Promise<void>;
}

/** Spawns `command` and resolves once it prints "Press Ctrl-C to stop.". */
export function startDemo(
  command: DemoCommand,
  env: NodeJS.ProcessEnv,
  readyTimeoutMs: number,
): Promise<DemoProcess> {
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pgid = child.pid!;
  let output = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const streamClosed = (stream: NodeJS.ReadableStream) =>
    new Promise<void>((resolve) => stream.once('close', () => resolve()));
  const closed = Promise.all([streamClosed(child.stdout!), streamClosed(child.stderr!)]).then(() => {});
  const groupAlive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  };
  const demo: DemoProcess = {
    child,
    get output() {
      return output;
    },
    field: (label) => output.match(new RegExp(`^\\s+${label}:\\s+(\\S+)`, 'm'))?.[1] ?? '',
    exit,
    closed,
    signalGroup: (signal) => process.kill(-pgid, signal),
    groupAlive,
    async kill() {
      if (groupAlive()) process.kill(-pgid, 'SIGKILL');
      await exit;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${command.name} not ready after ${readyTimeoutMs} ms; output:\n${output}`)),
      readyTimeoutMs,
    );
    const append = (chunk: string) => {
      output += chunk;
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve(demo);
      }
    };
    child.stdout!.setEncoding('utf8').on('data', append);
    child.stderr!.setEncoding('utf8').on('data', append);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${command.name} exited before it was ready; output:\n${output}`));
    });
  });
}
