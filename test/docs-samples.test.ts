/**
 * Every code sample in README.md, docs/*.md and every package's README is checked:
 *
 * - ```ts / ```typescript blocks are written as separate modules into a temporary directory
 *   inside the repository and type-checked together by ONE `tsc` run (strict, the repo's base
 *   config, `moduleDetection: force`). `@authlens/*` and the workspace packages' dependencies
 *   resolve through a generated `node_modules` of symlinks, exactly as an application would
 *   import them. A failure names the Markdown file and line.
 * - ```sh / ```bash blocks are parsed (never run): every `authlens <command> [--flag…]` must be a
 *   command and flags of the CLI, every `bash <path>` / `node <path>` an existing file, and every
 *   `pnpm [--filter <pkg>] <script>` an existing script. Every `curl` of a `/monitoring/…` path
 *   must name a route (and method) of the status API: its OpenAPI document, built by the real
 *   standalone server.
 * - In README.md and docs/, every shell command line is either RUN by a test, as written
 *   (`test/support/doc-commands.ts` lists them and the test that runs each), or PROVEN: a repository
 *   script or file that exists (`bash scripts/…`, `scripts/authlens <command>` with its flags,
 *   `scripts/pnpm <script>`, `--config collector/…`), a status API route, an endpoint whose port a
 *   config or the configuration page defines, a documented variable, or a standard tool. Bare
 *   `node`, `npx` and `authlens` need Node >= 22.15: only in a block that says so
 *   (`# needs Node >= 22.15`); bare `pnpm` is not on a fresh machine (use `scripts/pnpm`); a block
 *   whose first comment says `# illustrative` (Docker) is only parsed.
 * - ```yaml / ```yml blocks are parsed; the alert routing sample in docs/alerting.md is loaded
 *   through the status API's routing loader (`createAlertManager`), with the variables it needs.
 * - ```json blocks are parsed with `JSON.parse`.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, createAlertManager } from '../packages/status-api/src/index.ts';
import { documentationFiles, extractBlocks } from './support/doc-blocks.ts';
import { commandLines, executedCommands, isExecuted } from './support/doc-commands.ts';
import { repoRoot } from './support/services.ts';

const docFiles = documentationFiles(repoRoot);

const blocks = docFiles.flatMap((f) => extractBlocks(f, readFileSync(path.join(repoRoot, f), 'utf8')));
const tsBlocks = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const shellBlocks = blocks.filter((b) => b.lang === 'sh' || b.lang === 'bash' || b.lang === 'shell');
const yamlBlocks = blocks.filter((b) => b.lang === 'yaml' || b.lang === 'yml');
const jsonBlocks = blocks.filter((b) => b.lang === 'json');

// TypeScript samples: one strict `tsc` run over all of them.

/** Where each workspace package's dependencies live; earlier directories win. */
const dependencyDirs = [
  'examples/auth-service',
  'packages/status-api',
  'packages/sdk',
  'dashboards',
  'collector',
];

/** A node_modules of symlinks: the workspace packages and every dependency they declare. */
function linkDependencies(target: string): void {
  const linked = new Set<string>();
  const link = (name: string, real: string) => {
    if (linked.has(name) || !existsSync(real)) return;
    linked.add(name);
    mkdirSync(path.dirname(path.join(target, name)), { recursive: true });
    symlinkSync(real, path.join(target, name), 'dir');
  };
  for (const [name, dir] of [
    ['@authlens/sdk', 'packages/sdk'],
    ['@authlens/status-api', 'packages/status-api'],
    ['@authlens/dashboards', 'dashboards'],
  ] as const) {
    link(name, path.join(repoRoot, dir));
  }
  for (const dir of dependencyDirs) {
    const modules = path.join(repoRoot, dir, 'node_modules');
    if (!existsSync(modules)) continue;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const sub of readdirSync(path.join(modules, entry)))
          link(`${entry}/${sub}`, path.join(modules, entry, sub));
      } else link(entry, path.join(modules, entry));
    }
  }
}

interface Diagnostic {
  where: string;
  message: string;
}

let workDir: string | undefined;
let tsDiagnostics: Map<string, Diagnostic[]> | undefined;
let tscFailure: string | undefined;

/** One `tsc` run over every TypeScript sample; diagnostics mapped back to Markdown lines. */
function typeCheckSamples(): void {
  workDir = mkdtempSync(path.join(repoRoot, 'test', '.tmp-docs-samples-'));
  linkDependencies(path.join(workDir, 'node_modules'));
  writeFileSync(path.join(workDir, 'package.json'), '{ "private": true, "type": "module" }\n');
  const names = tsBlocks.map((b, i) => {
    const name = `sample-${String(i).padStart(3, '0')}.ts`;
    writeFileSync(path.join(workDir!, name), `${b.code}\n`);
    return name;
  });
  writeFileSync(
    path.join(workDir, 'tsconfig.json'),
    JSON.stringify(
      {
        extends: path.relative(workDir, path.join(repoRoot, 'tsconfig.base.json')),
        compilerOptions: {
          noEmit: true,
          moduleDetection: 'force',
          declaration: false,
          declarationMap: false,
          sourceMap: false,
          // Samples show usage; an unused import or variable is not an error in a sample.
          noUnusedLocals: false,
          noUnusedParameters: false,
        },
        files: names,
      },
      null,
      2,
    ),
  );
  const r = spawnSync(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', workDir, '--pretty', 'false'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  const diagnostics = new Map<string, Diagnostic[]>();
  let last: Diagnostic | undefined;
  let parsed = 0;
  for (const line of out.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m) {
      parsed++;
      last = undefined;
      const file = path.resolve(repoRoot, m[1]!);
      const index = names.findIndex((n) => path.join(workDir!, n) === file);
      // Errors inside the packages' own sources are their owners' business (their tsc run reports them).
      if (index < 0) continue;
      const block = tsBlocks[index]!;
      last = {
        where: `${block.file}:${block.line + Number(m[2]) - 1}:${m[3]}`,
        message: `${m[4]} ${m[5]}`,
      };
      diagnostics.set(block.file, [...(diagnostics.get(block.file) ?? []), last]);
    } else if (last && /^\s+\S/.test(line)) {
      last.message += ` ${line.trim()}`;
    }
  }
  if (r.error) tscFailure = `tsc could not run: ${r.error.message}`;
  else if (r.status !== 0 && parsed === 0) tscFailure = `tsc failed without diagnostics:\n${out}`;
  tsDiagnostics = diagnostics;
}

// Shell samples: CLI commands and flags, script paths and pnpm scripts that exist.

const cliSource = readFileSync(path.join(repoRoot, 'packages/status-api/src/cli.ts'), 'utf8');

/** The `authlens` commands (keys of the `commands` table) and the flags each one's help lists. */
function cliCommands(): Map<string, Set<string>> {
  const table = /const commands\b[^\n]*?=\s*\{\n([\s\S]*?)\n\};/.exec(cliSource)?.[1] ?? '';
  const names = [...table.matchAll(/^\s*'?([a-z][\w-]*)'?\s*[:,]/gm)].map((m) => m[1]!);
  const helpTable = /const help[^=]*=\s*\{([\s\S]*?)\n\};/.exec(cliSource)?.[1] ?? '';
  const commands = new Map<string, Set<string>>();
  for (const name of names) {
    const quoted = name.replace(/[-]/g, '\\-');
    const text = new RegExp(`(?:^|\\n)\\s*'?${quoted}'?:\\s*\`([\\s\\S]*?)\``).exec(helpTable)?.[1] ?? '';
    commands.set(name, new Set(['--help', '-h', ...(text.match(/--[a-z][\w-]*/g) ?? [])]));
  }
  return commands;
}

function packageScripts(dir: string): { name: string; scripts: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, dir, 'package.json'), 'utf8')) as {
    name: string;
    scripts?: Record<string, string>;
  };
  return { name: pkg.name, scripts: pkg.scripts ?? {} };
}

const workspaceDirs = [
  '.',
  'packages/sdk',
  'packages/status-api',
  'dashboards',
  'collector',
  'examples/auth-service',
];
const PNPM_BUILTINS = new Set([
  'install',
  'i',
  'add',
  'remove',
  'update',
  'exec',
  'dlx',
  'why',
  'list',
  'ls',
  'store',
  'outdated',
  'publish',
  'pack',
  'link',
  'unlink',
  'rebuild',
  'prune',
  'fetch',
  'root',
  'bin',
  'env',
  'setup',
  'audit',
  'licenses',
  'create',
]);

/** Options of `node` / `bash` that take the next word as their value. */
const OPTIONS_WITH_VALUE = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--env-file',
  '-e',
  '--eval',
  '-c',
]);

/** The script a `node` / `bash` command runs: the first word that is neither an option nor an option's value. */
function scriptArgument(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (OPTIONS_WITH_VALUE.has(a)) {
      if (a === '-e' || a === '--eval' || a === '-c') return undefined;
      i++;
    } else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** Problems with one shell sample (an empty list when every reference resolves). */
function checkShell(code: string, docDir = '.'): string[] {
  const problems: string[] = [];
  const commands = cliCommands();
  const packages = workspaceDirs.map(packageScripts);
  const rootScripts = packages[0]!.scripts;
  const text = code.replace(/\\\n/g, ' ');
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '$1');
    const at = `line ${n + 1}`;
    // Command segments: split on ; && || | $( and backticks.
    for (const segment of line.split(/;|&&|\|\||\||\$\(|`/)) {
      const words = segment.trim().split(/\s+/).filter(Boolean);
      // Leading VAR=value assignments and `exec`/`time` prefixes are not the command.
      while (
        words.length &&
        (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!) || ['exec', 'time', 'sudo'].includes(words[0]!))
      )
        words.shift();
      const [cmd, ...args] = words;
      if (cmd === undefined) continue;
      if (cmd === 'authlens') {
        const sub = args[0];
        if (sub === undefined || sub.startsWith('<')) continue;
        const flags = commands.get(sub);
        if (!flags) {
          problems.push(
            `${at}: \`authlens ${sub}\` is not an authlens command (${[...commands.keys()].join(', ')})`,
          );
          continue;
        }
        for (const arg of args.slice(1)) {
          const flag = /^(--[a-z][\w-]*|-[a-z])(?:=|$)/.exec(arg)?.[1];
          if (flag && !flags.has(flag) && !(flag === '-q' && flags.has('--quiet')))
            problems.push(`${at}: \`authlens ${sub}\` has no option ${flag}`);
        }
      } else if (cmd === 'bash' || cmd === 'sh' || cmd === 'node') {
        // `"$(bash scripts/otelcol)"`: the closing `)` and quote are not part of the path.
        const target = scriptArgument(args)?.replace(/[)"'`]+$/, '');
        // Only repository paths (`scripts/demo`, `collector/sentry-env.ts`), not the reader's `server.js`.
        if (target === undefined || /[$<*{]/.test(target) || !target.includes('/') || path.isAbsolute(target))
          continue;
        // From the repository root, or (in a package README) from the package's directory.
        if (!existsSync(path.join(repoRoot, target)) && !existsSync(path.join(repoRoot, docDir, target)))
          problems.push(`${at}: \`${cmd} ${target}\`: no such file in the repository`);
      } else if (cmd === 'pnpm') {
        let filter: string | undefined;
        let i = 0;
        for (; i < args.length; i++) {
          const a = args[i]!;
          if (a === '--filter' || a === '-F') filter = args[++i];
          else if (a.startsWith('--filter=')) filter = a.slice('--filter='.length);
          else if (a === '-C' || a === '--dir') i++;
          else if (!a.startsWith('-')) break;
        }
        let script = args[i];
        if (script === 'run') script = args[i + 1];
        if (script === undefined || PNPM_BUILTINS.has(script) || script.startsWith('<')) continue;
        const pkg = filter === undefined ? packages[0] : packages.find((p) => p.name === filter);
        if (!pkg) {
          problems.push(`${at}: \`pnpm --filter ${filter}\`: no workspace package of that name`);
          continue;
        }
        if (!(script in pkg.scripts) && !(filter === undefined && script in rootScripts))
          problems.push(
            `${at}: \`pnpm ${filter ? `--filter ${filter} ` : ''}${script}\`: no such script in ${pkg.name}`,
          );
      }
    }
  }
  return problems;
}

// `curl` lines against the status API's routes (its OpenAPI document).

/** Method → path templates (`/monitoring/alerts/{id}/resolve/`) of the status API's OpenAPI document. */
type RouteTable = Map<string, string[]>;
let routes: RouteTable | undefined;
let routeTableFailure: string | undefined;

/** Builds the real standalone server (SQLite alert store in a temp dir) and reads its OpenAPI document. */
async function loadRoutes(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'authlens-docs-routes-'));
  try {
    const server = await buildServer({
      port: 0,
      host: '127.0.0.1',
      logger: false,
      env: {
        ALERT_STORE_URL: `sqlite:${path.join(dir, 'alerts.db')}`,
        MONITORING_API_KEYS: 'docs:docs-samples-key:read',
      },
    });
    try {
      const res = await server.app.inject({
        url: '/monitoring/docs/json',
        headers: { authorization: 'Bearer docs-samples-key' },
      });
      if (res.statusCode !== 200)
        throw new Error(`GET /monitoring/docs/json answered ${res.statusCode}: ${res.body}`);
      const doc = res.json() as { paths: Record<string, Record<string, unknown>> };
      const table: RouteTable = new Map();
      for (const [template, methods] of Object.entries(doc.paths)) {
        for (const method of Object.keys(methods)) {
          const m = method.toUpperCase();
          table.set(m, [...(table.get(m) ?? []), template]);
        }
      }
      routes = table;
    } finally {
      await server.close();
    }
  } catch (err) {
    routeTableFailure = `the status API's OpenAPI document could not be built: ${err instanceof Error ? err.stack : String(err)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether a documented path (`/monitoring/alerts/<id>/resolve/`) fits a route template. */
function fits(docPath: string, template: string): boolean {
  const a = docPath.split('/');
  const b = template.split('/');
  return (
    a.length === b.length &&
    a.every((seg, i) => seg === b[i] || /^\{[^}]+\}$/.test(b[i]!) || (/[<$*{]/.test(seg) && seg !== ''))
  );
}

const DATA_FLAGS = /^(-d|--data|--data-raw|--data-binary|--data-urlencode|--json|-F|--form)(=|$)/;

/** Problems with the `curl … /monitoring/…` commands of one shell sample. */
function checkCurl(code: string, table: RouteTable): string[] {
  const problems: string[] = [];
  const text = code.replace(/\\\n/g, ' ');
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '$1');
    for (const segment of line.split(/;|&&|\|\||\||\$\(|`/)) {
      const words = segment.trim().split(/\s+/).filter(Boolean);
      const start = words.indexOf('curl');
      if (start < 0) continue;
      const args = words.slice(start + 1);
      let method: string | undefined;
      let hasData = false;
      const paths: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-X' || a === '--request') method = args[++i]?.replace(/['"]/g, '').toUpperCase();
        else if (a.startsWith('-X') && a.length > 2) method = a.slice(2).toUpperCase();
        else if (a === '-I' || a === '--head') method = 'GET';
        else if (DATA_FLAGS.test(a)) hasData = true;
        // A URL (`http://host/monitoring/…`, `localhost:3000/monitoring/…`, `"$URL/monitoring/…"`).
        const at = a.indexOf('/monitoring/');
        if (at >= 0 && !a.startsWith('-')) paths.push(a.slice(at).split(/[?#'"\s]/)[0]!);
      }
      method ??= hasData ? 'POST' : 'GET';
      for (const p of paths) {
        if (!(table.get(method) ?? []).some((t) => fits(p, t)))
          problems.push(`line ${n + 1}: \`curl\` ${method} ${p}: the status API has no such route`);
      }
    }
  }
  return problems;
}

// Every command line of README.md and docs/ is run by a test or proven.

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

/** Variables the docs may set: every `NAME` the configuration and collector pages document. */
const documentedVariables = new Set(
  ['docs/configuration.md', 'docs/collector.md'].flatMap((f) =>
    [...read(f).matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!),
  ),
);

/**
 * Ports the docs may `curl` outside the status API, each proven by the file that defines it: the
 * collector's listeners (defaults in collector/config.yaml), the SDK's scrape port (default in
 * docs/configuration.md), a Prometheus (the HTTP API) and the services' own ports (3000 for the
 * example and the plugin, 8000 for `authlens serve`).
 */
function knownEndpoints(): Map<number, RegExp> {
  const known = new Map<number, RegExp>();
  const collector = read('collector/config.yaml');
  const port = (variable: string) =>
    Number(new RegExp(`\\$\\{env:${variable}:-[^}]*?(\\d+)\\}`).exec(collector)?.[1] ?? Number.NaN);
  known.set(port('HEALTH_CHECK_ENDPOINT'), /^\/$/);
  known.set(port('OTELCOL_METRICS_PORT'), /^\/metrics$/);
  known.set(port('PROMETHEUS_EXPORTER_ENDPOINT'), /^\/metrics$/);
  known.set(port('ZPAGES_ENDPOINT'), /^\/debug\/(servicez|pipelinez|extensionz|featurez|tracez)$/);
  const scrape = /`OTEL_EXPORTER_PROMETHEUS_PORT`\s*\|\s*`(\d+)`/.exec(read('docs/configuration.md'))?.[1];
  known.set(Number(scrape), /^\/metrics$/);
  known.set(9090, /^\/api\/v1\/(query|query_range|rules|alerts|targets)$/);
  known.set(3000, /^\/(monitoring\/.*)?$/);
  known.set(8000, /^\/monitoring\/.*$/);
  known.delete(Number.NaN);
  return known;
}
const endpoints = knownEndpoints();

/** Standard tools a reader has (and shell builtins); their arguments are not repository paths. */
const STANDARD_TOOLS = new Set([
  'grep',
  'sed',
  'head',
  'tail',
  'sort',
  'uniq',
  'cut',
  'cat',
  'wc',
  'echo',
  'mkdir',
  'cd',
  'openssl',
  'npm',
  'eval',
  'export',
  'tar',
]);
const NODE_COMMANDS = new Set(['node', 'npx', 'authlens']);

/** Problems of one shell block of README.md or docs/: lines neither run by a test nor proven. */
function unprovenCommands(file: string, code: string): string[] {
  const firstComment = /^\s*#(.*)$/m.exec(code)?.[1] ?? '';
  if (/\billustrative\b/i.test(firstComment)) return [];
  const nodeMarked = /#.*needs Node >= 22\.15/.test(code);
  const hasOtelcolVar = /\botelcol=\$\(bash scripts\/otelcol\)/.test(code);
  const problems: string[] = [];
  for (const { n, line } of commandLines(code)) {
    if (isExecuted(file, line)) continue;
    const at = `line ${n}`;
    // `--config collector/…` of the collector binary must exist.
    for (const m of line.matchAll(/--config[= ](\S+)/g)) {
      const target = m[1]!.replace(/["')]+$/, '');
      if (!/[$<]/.test(target) && !existsSync(path.join(repoRoot, target)))
        problems.push(`${at}: --config ${target}: no such file`);
    }
    // Quoted text, `<placeholders>` and `[optional | syntax]` are not commands.
    const masked = line
      .replace(/'[^']*'/g, "'x'")
      .replace(/<[^>]*>/g, '<x>')
      .replace(/\[[^\]]*\]/g, '');
    for (const segment of masked.split(/;|&&|\|\||\||\$\(|`/)) {
      const words = segment.trim().split(/\s+/).filter(Boolean);
      const assigned: string[] = [];
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!))
        assigned.push(words.shift()!.split('=')[0]!);
      if (words[0] === 'export') {
        assigned.push(...words.slice(1).map((w) => w.split('=')[0]!));
        words.length = 0;
      }
      for (const name of assigned) {
        // Upper-case names are settings and must be documented; lower-case ones are the reader's.
        if (/^[A-Z]/.test(name) && !documentedVariables.has(name))
          problems.push(
            `${at}: ${name} is documented in neither docs/configuration.md nor docs/collector.md`,
          );
      }
      const cmd = words[0];
      if (cmd === undefined || cmd === '"' || /^[)"'`]+$/.test(cmd)) continue;
      if (STANDARD_TOOLS.has(cmd)) continue;
      if (cmd === 'bash' || cmd === 'sh') continue; // the file check of checkShell proves it
      if (cmd === '"$otelcol"' && hasOtelcolVar) continue; // the binary; its --config is checked above
      if (cmd.startsWith('scripts/')) {
        if (!existsSync(path.join(repoRoot, cmd))) problems.push(`${at}: ${cmd}: no such script`);
        continue; // scripts/authlens and scripts/pnpm: their arguments are checked by checkShell
      }
      if (NODE_COMMANDS.has(cmd)) {
        if (!nodeMarked)
          problems.push(
            `${at}: \`${cmd}\` needs Node >= 22.15: use scripts/${cmd === 'authlens' ? 'authlens' : 'node'}, or say \`# needs Node >= 22.15\` in the block`,
          );
        continue;
      }
      if (cmd === 'pnpm') {
        problems.push(`${at}: \`pnpm\` is not on a fresh machine: use scripts/pnpm`);
        continue;
      }
      if (cmd === 'curl') {
        // URLs of the whole line: quoted ones too (the masking above hid them from `segment`).
        for (const url of line.match(/https?:\/\/[^\s'"]+/g) ?? []) {
          const u = new URL(url.replace(/\/monitoring\/<[^>]+>/g, '/monitoring/x'));
          const pattern = endpoints.get(Number(u.port || 80));
          if (!pattern?.test(decodeURIComponent(u.pathname)))
            problems.push(`${at}: curl ${u.host}${u.pathname}: no config, page or route defines it`);
        }
        continue;
      }
      problems.push(
        `${at}: \`${cmd}\` is neither run by a test (test/support/doc-commands.ts) nor proven; run it in a test or mark the block \`# illustrative\``,
      );
    }
  }
  return problems;
}

// YAML and JSON samples.

// `yaml` is the status API's own dependency (its routing loader parses with it).
const YAML = createRequire(path.join(repoRoot, 'packages/status-api/package.json'))('yaml') as {
  parseAllDocuments(source: string): Iterable<{ errors: { message: string }[] }>;
};

function yamlProblems(code: string): string[] {
  return [...YAML.parseAllDocuments(code)].flatMap((d) => d.errors.map((e) => e.message.split('\n')[0]!));
}

function jsonProblem(code: string): string | undefined {
  try {
    JSON.parse(code);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The variables the alert routing sample needs: the channels it routes to and `${SECOPS_WEBHOOK_SECRET}`. */
const routingEnv = {
  ALERT_EMAIL_RECIPIENTS: 'ops@example.com',
  SMTP_URL: 'smtp://127.0.0.1:2525',
  ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/docs',
  ALERT_PAGERDUTY_INTEGRATION_KEY: 'docs-sample-routing-key',
  SECOPS_WEBHOOK_SECRET: 'docs-sample-secret',
};

// The tests.

/** A shell check's `line N: …` problems for every block of `file`, as `file:line: …` lines. */
function shellProblems(file: string, check: (code: string) => string[]): string {
  return shellBlocks
    .filter((b) => b.file === file)
    .flatMap((b) =>
      check(b.code).map(
        (p) => `${file}:${b.line + Number(/^line (\d+)/.exec(p)![1]) - 1}: ${p.replace(/^line \d+: /, '')}`,
      ),
    )
    .join('\n');
}

beforeAll(async () => {
  typeCheckSamples();
  await loadRoutes();
}, 120_000);

afterAll(() => {
  // KEEP_DOCS_SAMPLES=1 keeps the generated modules for debugging (test/.tmp-docs-samples-*).
  if (workDir && !process.env.KEEP_DOCS_SAMPLES) rmSync(workDir, { recursive: true, force: true });
});

describe('documentation samples', () => {
  it('finds the samples (README and docs/ have TypeScript and shell blocks)', () => {
    expect(docFiles).toContain('README.md');
    expect(tsBlocks.some((b) => b.file === 'README.md')).toBe(true);
    expect(tsBlocks.length).toBeGreaterThan(10);
    expect(shellBlocks.length).toBeGreaterThan(10);
  });

  it('tsc ran over every TypeScript sample', () => {
    expect(tscFailure).toBeUndefined();
    expect(tsDiagnostics).toBeDefined();
  });

  it('the shell check rejects unknown commands, flags, scripts and files', () => {
    expect(checkShell('authlens serve --no-scheduler\nbash scripts/test')).toEqual([]);
    expect(checkShell('authlens export-dashbords --all')[0]).toContain('is not an authlens command');
    expect(checkShell('authlens export-dashboards --everything')[0]).toContain('has no option --everything');
    expect(checkShell('bash scripts/no-such-script')[0]).toContain('no such file');
    expect(checkShell('pnpm no-such-script')[0]).toContain('no such script');
    expect(checkShell('pnpm --filter @authlens/dashboards generate')).toEqual([]);
    expect(checkShell('node --conditions=authlens-source --import x/y packages/nope.ts')[0]).toContain(
      'no such file',
    );
    expect(checkShell('node --import @authlens/sdk/register server.js')).toEqual([]);
    expect(checkShell('X="$(bash scripts/otelcol)"')).toEqual([]);
    expect(checkShell('node src/server.ts', 'examples/auth-service')).toEqual([]);
    expect(checkShell('node src/server.ts')[0]).toContain('no such file');
  });

  it('reads every package README (README, docs/ and packages have samples of each kind)', () => {
    for (const f of [
      'packages/sdk/README.md',
      'packages/status-api/README.md',
      'dashboards/README.md',
      'collector/README.md',
      'examples/auth-service/README.md',
    ]) {
      expect(docFiles).toContain(f);
    }
    expect(tsBlocks.some((b) => b.file.startsWith('packages/'))).toBe(true);
    expect(yamlBlocks.length).toBeGreaterThan(0);
    expect(jsonBlocks.length).toBeGreaterThan(0);
  });

  it('the run-or-proven check rejects what nothing runs or proves', () => {
    const f = 'docs/x.md';
    expect(
      unprovenCommands(
        f,
        'bash scripts/demo\nscripts/authlens serve\ncurl -s http://127.0.0.1:9464/metrics | grep x',
      ),
    ).toEqual([]);
    expect(unprovenCommands(f, 'node server.js')[0]).toContain('needs Node >= 22.15');
    expect(unprovenCommands(f, '# needs Node >= 22.15\nnode server.js')).toEqual([]);
    expect(unprovenCommands(f, 'pnpm demo')[0]).toContain('use scripts/pnpm');
    expect(unprovenCommands(f, 'docker run x')[0]).toContain('neither run by a test');
    expect(unprovenCommands(f, '# illustrative: needs Docker\ndocker run x')).toEqual([]);
    expect(unprovenCommands(f, 'NO_SUCH_SETTING=1')[0]).toContain('NO_SUCH_SETTING is documented in neither');
    expect(unprovenCommands(f, 'curl http://127.0.0.1:7777/x')[0]).toContain('no config, page or route');
    expect(unprovenCommands(f, "curl -s 'http://127.0.0.1:8888/nope' | grep 'a|b'")[0]).toContain(
      '8888/nope',
    );
    expect(unprovenCommands(f, '"$(bash scripts/otelcol)" --config collector/nope.yaml')[0]).toContain(
      'no such file',
    );
    expect(endpoints.get(8888)?.test('/metrics')).toBe(true);
    expect(endpoints.get(13133)?.test('/')).toBe(true);
  });

  it('every command listed as run by a test is in its file, as written', () => {
    const missing = executedCommands.filter(
      (c) =>
        !shellBlocks
          .filter((b) => b.file === c.file)
          .some((b) => commandLines(b.code).some((l) => l.line === c.command)),
    );
    expect(missing).toEqual([]);
  });

  it('the curl check knows the routes and rejects unknown paths and methods', () => {
    expect(routeTableFailure).toBeUndefined();
    const table = routes!;
    expect(
      checkCurl(
        "curl -X POST http://localhost:8000/monitoring/alerts/create/ \\\n  -d '{}'\ncurl -s \"$URL/monitoring/alerts/<id>/resolve/\" -d '{}'\ncurl http://127.0.0.1:3000/monitoring/health/detailed/",
        table,
      ),
    ).toEqual([]);
    expect(checkCurl('curl http://localhost:8000/monitoring/nope/', table)).toEqual([
      'line 1: `curl` GET /monitoring/nope/: the status API has no such route',
    ]);
    expect(checkCurl('curl -X DELETE http://localhost:8000/monitoring/health/', table)[0]).toContain(
      'DELETE /monitoring/health/',
    );
    expect(checkCurl('curl -X PUT localhost:8000/monitoring/alerts/create/', table)[0]).toContain(
      'PUT /monitoring/alerts/create/',
    );
  });

  it('docs/troubleshooting.md has the debug commands for health, metrics and a test alert (checked against the routes below)', () => {
    const text = readFileSync(path.join(repoRoot, 'docs/troubleshooting.md'), 'utf8');
    const section = text.slice(text.indexOf('\n## Debug commands'));
    const block = extractBlocks('docs/troubleshooting.md', section).find((b) => b.lang === 'sh');
    const code = block?.code.replace(/\\\n/g, ' ') ?? '';
    expect(code).toMatch(/curl [^\n]*\/monitoring\/health\/detailed\//);
    expect(code).toMatch(/curl [^\n]*\/monitoring\/metrics\//);
    expect(code).toMatch(/curl -X POST [^\n]*\/monitoring\/alerts\/create\/[^\n]*-d '\{"name": "test_alert"/);
    // Every page's curl lines are checked; there are enough of them for that to mean something.
    const curls = shellBlocks
      .flatMap((b) => b.code.split('\n'))
      .filter((l) => /curl .*\/monitoring\//.test(l));
    expect(curls.length).toBeGreaterThan(15);
  });

  it('the YAML and JSON checks reject broken samples', () => {
    expect(yamlProblems('a: 1\nb: [2, 3]\n---\nc: d\n')).toEqual([]);
    expect(yamlProblems('a: [1, 2\nb: 3').length).toBeGreaterThan(0);
    expect(jsonProblem('{"a": [1, 2]}')).toBeUndefined();
    expect(jsonProblem('{"a": 1, …}')).toBeDefined();
  });

  it('the alert routing sample in docs/alerting.md loads through the routing loader', async () => {
    const sample = yamlBlocks.find((b) => b.file === 'docs/alerting.md' && /^routes:/m.test(b.code));
    expect(sample, 'a YAML block with `routes:` in docs/alerting.md').toBeDefined();
    const dir = mkdtempSync(path.join(tmpdir(), 'authlens-docs-routing-'));
    try {
      const file = path.join(dir, 'alert-routing.yaml');
      writeFileSync(file, sample!.code);
      const open = (env: Record<string, string>) =>
        createAlertManager({
          storeUrl: `sqlite:${path.join(dir, 'alerts.db')}`,
          routing: file,
          env,
          workers: false,
        });
      const manager = await open(routingEnv);
      await manager.close();
      // The loader really read the sample: without the secret it names the variable.
      const { SECOPS_WEBHOOK_SECRET: _, ...withoutSecret } = routingEnv;
      await expect(open(withoutSecret)).rejects.toThrow(/SECOPS_WEBHOOK_SECRET/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("README's intro says what authlens is in exactly three sentences", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const intro = readme.slice(readme.indexOf('\n') + 1, readme.indexOf('\n## ')).trim();
    const prose = intro.replace(/`[^`]*`/g, 'CODE');
    const sentences = prose.split(/(?<=[.!?])\s+(?=[A-Z])/).filter(Boolean);
    expect(sentences, intro).toHaveLength(3);
    expect(sentences[0]).toMatch(/^authlens is /);
  });

  it("README's quick start is exactly the two commands: the demo and the tests", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const first = extractBlocks('README.md', section.slice(0, section.indexOf('\n## ', 3)))[0];
    const commands = (first?.code ?? '')
      .split('\n')
      .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual(['bash scripts/demo', 'bash scripts/test']);
  });

  it('docs/README.md links every page in docs/', () => {
    const index = readFileSync(path.join(repoRoot, 'docs/README.md'), 'utf8');
    const missing = docFiles
      .filter((f) => f.startsWith('docs/') && f !== 'docs/README.md')
      .filter((f) => !index.includes(`](${path.basename(f)})`) && !index.includes(`](${path.basename(f)}#`));
    expect(missing).toEqual([]);
  });

  describe.each(docFiles)('%s', (file) => {
    // A sample outside this test's owners' reach that is known to be broken: `it.fails` keeps
    // it visible and fails once it is fixed (then remove the entry).
    it('TypeScript samples compile', () => {
      expect(tsDiagnostics).toBeDefined();
      const found = tsDiagnostics?.get(file) ?? [];
      expect(found.map((d) => `${d.where}: ${d.message}`).join('\n')).toBe('');
    });

    it('shell samples name existing commands, flags, scripts and files', () => {
      expect(shellProblems(file, (code) => checkShell(code, path.dirname(file)))).toBe('');
    });

    it.runIf(file === 'README.md' || file.startsWith('docs/'))(
      'every shell command is run by a test as written, or proven',
      () => {
        expect(shellProblems(file, (code) => unprovenCommands(file, code))).toBe('');
      },
    );

    it('curl lines of /monitoring/… name routes of the status API', () => {
      expect(routes, routeTableFailure).toBeDefined();
      expect(shellProblems(file, (code) => checkCurl(code, routes!))).toBe('');
    });

    it('YAML and JSON samples parse', () => {
      const problems = [
        ...yamlBlocks
          .filter((b) => b.file === file)
          .flatMap((b) => yamlProblems(b.code).map((p) => `${file}:${b.line}: YAML: ${p}`)),
        ...jsonBlocks
          .filter((b) => b.file === file)
          .flatMap((b) => {
            const p = jsonProblem(b.code);
            return p ? [`${file}:${b.line}: JSON: ${p}`] : [];
          }),
      ];
      expect(problems.join('\n')).toBe('');
    });
  });
});
