/**
 * Fenced code blocks of a Markdown file, for tests that run or check the docs' samples, and the
 * Markdown files whose samples are checked.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface Block {
  file: string;
  /** 1-based line of the first code line in the Markdown file. */
  line: number;
  lang: string;
  code: string;
}

/** Fenced code blocks of a Markdown file (``` or ~~~, any indentation). */
export function extractBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let open: { fence: string; indent: number; lang: string; start: number; body: string[] } | undefined;
  for (const [i, line] of lines.entries()) {
    if (!open) {
      const m = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(line);
      if (m) open = { fence: m[2]!, indent: m[1]!.length, lang: m[3]!.toLowerCase(), start: i + 2, body: [] };
      continue;
    }
    const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1]!.startsWith(open.fence)) {
      blocks.push({ file, line: open.start, lang: open.lang, code: open.body.join('\n') });
      open = undefined;
      continue;
    }
    const lead = /^\s*/.exec(line)![0].length;
    open.body.push(line.slice(Math.min(lead, open.indent)));
  }
  return blocks;
}

/**
 * The documentation whose samples are checked, relative to `root`: README.md, docs/*.md, then each
 * package's README (`packages/*`, `dashboards/`, `collector/`, `examples/auth-service/`).
 */
export function documentationFiles(root: string): string[] {
  const packageReadmes = [
    ...readdirSync(path.join(root, 'packages'))
      .sort()
      .map((d) => `packages/${d}/README.md`),
    'dashboards/README.md',
    'collector/README.md',
    'examples/auth-service/README.md',
  ].filter((f) => existsSync(path.join(root, f)));
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs, ...packageReadmes];
}

/** The blocks of one `## heading` section of `text` (the heading's text must match `heading`). */
export function sectionBlocks(file: string, text: string, heading: RegExp): Block[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^#{2,3} /.test(l) && heading.test(l));
  if (start < 0) throw new Error(`${file}: no section matching ${heading}`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  let end = lines.findIndex((l, i) => i > start && new RegExp(`^#{2,${level}} `).test(l));
  if (end < 0) end = lines.length;
  // Keep the real line numbers: blank out everything outside the section.
  const masked = lines.map((l, i) => (i >= start && i < end ? l : '')).join('\n');
  return extractBlocks(file, masked);
}

/** The host's PATH without the repository's Node (node_modules/.bin, the `node` package). */
export function systemPath(path = process.env.PATH ?? ''): string {
  return path
    .split(':')
    .filter((dir) => dir && !dir.includes('node_modules'))
    .join(':');
}

/**
 * A new user's environment: this process's, without the repository's Node on PATH and without the
 * variables pnpm, npm and Vitest set for their children (`npm_config_engine_strict` from
 * pnpm-workspace.yaml would make the user's npm refuse the packages on an older Node).
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|NODE_|PNPM_)|^AUTHLENS_OTELCOL_BIN$|^OTEL_|^TEST$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, PATH: systemPath(), ...extra };
}
