/** Runs a demo entry point (`src/demo.ts`, `src/demo-stack.ts`) as a user does, for the e2e tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface DemoProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  readonly output: string;
  /** The value after `label:` in its "Where to look" block ('' when absent). */
  field(label: string): string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs it if it still runs, and waits for the exit (the tests' safety net). */
  kill(): Promise<void>;
}

/** Spawns `node <script>` in the example and resolves once it prints "Press Ctrl-C to stop.". */
export function startDemo(
  script: string,
  env: NodeJS.ProcessEnv,
  readyTimeoutMs: number,
): Promise<DemoProcess> {
  const child = spawn(process.execPath, [script], {
    cwd: exampleDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const demo: DemoProcess = {
    child,
    get output() {
      return output;
    },
    field: (label) => output.match(new RegExp(`^\\s+${label}:\\s+(\\S+)`, 'm'))?.[1] ?? '',
    exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} not ready after ${readyTimeoutMs} ms; output:\n${output}`)),
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
      reject(new Error(`${script} exited before it was ready; output:\n${output}`));
    });
  });
}
