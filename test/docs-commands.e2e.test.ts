/**
 * The shell commands of README.md and docs/ that test/support/doc-commands.ts lists for this
 * test, RUN as written, in a fresh copy of the repository (no node_modules), with the machine's
 * own Node first on PATH (`which -a node` minus the repository's; Node 20 here), as a new user
 * follows README → getting-started → custom-telemetry → collector → troubleshooting → cli → grafana.
 * The first command (`bash scripts/demo`) installs the dependencies in the copy; the install must
 * not print pnpm's "Unsupported engine" warnings.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userEnv } from './support/doc-blocks.ts';
import { type ExecutedCommand, executedCommands } from './support/doc-commands.ts';
import { repoRoot, requireBinary, requireCollector } from './support/services.ts';

const BY = 'test/docs-commands.e2e.test.ts';
const mine = executedCommands.filter((c) => c.by === BY);
const lines = (pick: (c: ExecutedCommand) => boolean) => [
  ...new Set(mine.filter(pick).map((c) => c.command)),
];
const ran = new Set<string>();

const copy = mkdtempSync(path.join(tmpdir(), 'authlens-docs-commands-'));
const scratch = mkdtempSync(path.join(tmpdir(), 'authlens-docs-scratch-'));

interface Ran {
  status: number | null;
  out: string;
}

/** Runs doc command lines, in order, in one bash (set -e), in the copy. */
function run(commands: string[], extra: Record<string, string> = {}, timeoutMs = 120_000): Ran {
  for (const c of commands) ran.add(c);
  const r = spawnSync('bash', ['-eo', 'pipefail', '-c', commands.join('\n')], {
    cwd: copy,
    env: userEnv(extra),
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Copies the working tree (tracked and untracked-but-not-ignored files) into `copy`. */
function copyRepository(): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(path.join(repoRoot, f)) && statSync(path.join(repoRoot, f)).isFile());
  for (const f of files) {
    mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    copyFileSync(path.join(repoRoot, f), path.join(copy, f));
  }
}

let demo: Ran;
let systemNode = '';

beforeAll(() => {
  requireCollector();
  requireBinary('prometheus', 'prometheus');
  copyRepository();
  expect(existsSync(path.join(copy, 'node_modules'))).toBe(false);
  systemNode = spawnSync('node', ['-p', 'process.execPath + " " + process.version'], {
    env: userEnv(),
    encoding: 'utf8',
  }).stdout.trim();
  // README's first command, on the fresh copy: it installs, then runs the demo (not kept running).
  demo = run(
    lines((c) => c.command === 'bash scripts/demo'),
    {
      DEMO_KEEP_RUNNING: '0',
      PORT: '0',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    },
    400_000,
  );
}, 420_000);

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('README and docs commands, run as written on a fresh copy with the system Node', () => {
  it("runs on the machine's own Node, not the repository's", () => {
    expect(systemNode).not.toContain('node_modules');
    expect(systemNode).toMatch(/ v\d+\./);
  });

  it('bash scripts/demo: installs without engine warnings, drives every step, exits 0', () => {
    expect(demo.status, demo.out).toBe(0);
    expect(existsSync(path.join(copy, 'node_modules/node/bin/node'))).toBe(true);
    expect(demo.out).not.toContain('Unsupported engine');
    expect(demo.out.split('\n').filter((l) => l.startsWith('  ✓ '))).toHaveLength(9);
    expect(demo.out).toContain('Where to look:');
  });

  it('bash scripts/demo --stack: the collector, Prometheus and the Grafana datasource URL', {
    timeout: 120_000,
  }, () => {
    const r = run(
      lines((c) => c.command === 'bash scripts/demo --stack'),
      {
        DEMO_KEEP_RUNNING: '0',
        PORT: '0',
      },
    );
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
    expect(r.out).toMatch(/Grafana datasource: +PROMETHEUS_URL=http:\/\/127\.0\.0\.1:\d+\n/);
    expect(r.out).toMatch(/Prometheus alerts: +http:\/\/127\.0\.0\.1:\d+\/(classic\/)?alerts\n/);
  });

  it('scripts/authlens: the CLI lines of getting-started, cli.md and troubleshooting', {
    timeout: 120_000,
  }, () => {
    const cli = lines((c) => c.command.startsWith('scripts/authlens'));
    expect(cli.length).toBeGreaterThanOrEqual(5);
    for (const line of cli) {
      const r = run([line], { ALERT_STORE_URL: `sqlite:${path.join(scratch, 'alerts.db')}` });
      expect(r.status, `${line}\n${r.out}`).toBe(0);
    }
    const exported = readdirSync(path.join(copy, 'grafana-dashboards'));
    expect(exported).toContain('authentication.json');
    expect(exported).toContain('system_overview.json');
  });

  it('the collector with the debug overlay starts with no variable set (custom-telemetry, collector)', async () => {
    const [line, ...others] = lines((c) => c.command.includes('--config collector/debug.yaml'));
    expect(others.every((o) => o === line)).toBe(true);
    // Its default ports must be free, or the answer below would be another collector's.
    await expect(fetch('http://127.0.0.1:13133/', { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
    ran.add(line!);
    const child: ChildProcess = spawn('bash', ['-c', line!], {
      cwd: copy,
      env: userEnv(),
      stdio: 'ignore',
      detached: true,
    });
    try {
      const deadline = Date.now() + 20_000;
      let status = 0;
      while (Date.now() < deadline && child.exitCode === null) {
        status = await fetch('http://127.0.0.1:13133/', { signal: AbortSignal.timeout(1000) })
          .then((r) => r.status)
          .catch(() => 0);
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  });

  it("collector.md's gateway lines: variables, Sentry settings from a DSN, validate", () => {
    const gateway = lines((c) => c.file === 'docs/collector.md' && !c.command.includes('debug.yaml'));
    const r = run([...gateway, 'echo "endpoint=$SENTRY_OTLP_ENDPOINT key=$SENTRY_PUBLIC_KEY"'], {
      SENTRY_DSN: 'https://abc123@o1.ingest.sentry.example/42',
    });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('endpoint=https://o1.ingest.sentry.example/api/42/integration/otlp key=abc123');
  });

  it("troubleshooting's validate line, with the gateway's variables set", () => {
    const r = run(
      lines((c) => c.file === 'docs/troubleshooting.md' && c.command.includes('validate')),
      {
        PROMETHEUS_REMOTE_WRITE_URL: 'http://prometheus.example:9090/api/v1/write',
        LOKI_OTLP_ENDPOINT: 'http://loki.example:3100/otlp',
        SENTRY_OTLP_ENDPOINT: 'https://o1.ingest.sentry.example/api/42/integration/otlp',
        SENTRY_PUBLIC_KEY: 'abc123',
      },
    );
    expect(r.status, r.out).toBe(0);
  });

  it("grafana.md's regenerate line (scripts/pnpm on the repository's Node)", () => {
    const r = run(
      lines((c) => c.command.startsWith('scripts/pnpm')),
      {},
      240_000,
    );
    expect(r.status, r.out).toBe(0);
  }, 250_000);

  it('ran every command listed for it', () => {
    expect(mine.map((c) => c.command).filter((c) => !ran.has(c))).toEqual([]);
  });
});
