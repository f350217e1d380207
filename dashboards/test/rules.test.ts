import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '../../test/support/services.ts';
import { alertNames, ruleGroups } from '../src/rules.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rulesFile = path.join(root, 'rules', 'authlens.rules.yml');
const testsDir = path.join(root, 'rules', 'tests');
const alertmanagerExample = path.join(root, 'alertmanager', 'alertmanager.example.yml');

async function tool(cmd: string, args: string[]) {
  try {
    return await run(cmd, args, { cwd: root });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}`);
  }
}

const testFiles = async () =>
  (await readdir(testsDir)).filter((f) => f.endsWith('.test.yml')).map((f) => path.join(testsDir, f));

interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}

beforeAll(() => {
  // Debian's prometheus and prometheus-alertmanager packages ship promtool and amtool.
  requireBinary('promtool', 'prometheus');
  requireBinary('amtool', 'prometheus-alertmanager');
});

describe('Prometheus rules', () => {
  it('promtool check rules accepts the rule file', async () => {
    const { stdout } = await tool('promtool', ['check', 'rules', rulesFile]);
    const count = ruleGroups.reduce((n, g) => n + g.rules.length, 0);
    expect(stdout).toContain(`SUCCESS: ${count} rules found`);
  });

  it('promtool test rules passes every unit test', async () => {
    const { stdout } = await tool('promtool', ['test', 'rules', ...(await testFiles())]);
    expect(stdout).not.toContain('FAILED');
    expect(stdout.match(/SUCCESS/g)?.length).toBe((await testFiles()).length);
  }, 60_000);

  it('every alert is tested firing and not firing, and every tested alert exists', async () => {
    const tests: AlertTest[] = [];
    for (const file of await testFiles()) {
      const doc = parse(await readFile(file, 'utf8')) as { tests: { alert_rule_test?: AlertTest[] }[] };
      for (const t of doc.tests) tests.push(...(t.alert_rule_test ?? []));
    }
    const names = alertNames();
    expect(names.length).toBeGreaterThanOrEqual(18);
    const untested = names.flatMap((name) => {
      const mine = tests.filter((t) => t.alertname === name);
      return [
        ...(mine.some((t) => (t.exp_alerts ?? []).length > 0) ? [] : [`${name}: no firing case`]),
        ...(mine.some((t) => (t.exp_alerts ?? []).length === 0) ? [] : [`${name}: no not-firing case`]),
      ];
    });
    expect(untested).toEqual([]);
    expect(tests.map((t) => t.alertname).filter((n) => !names.includes(n))).toEqual([]);
  });

  it('every alert has severity, category and a runbook section in docs/grafana.md', async () => {
    const doc = await readFile(path.join(root, '..', 'docs', 'grafana.md'), 'utf8');
    for (const group of ruleGroups) {
      for (const rule of group.rules) {
        if (!('alert' in rule)) continue;
        expect(['critical', 'high', 'medium', 'low']).toContain(rule.labels.severity);
        expect(rule.annotations.runbook_url).toMatch(
          new RegExp(`docs/grafana\\.md#${rule.alert.toLowerCase()}$`),
        );
        expect(doc, rule.alert).toContain(`\n### ${rule.alert}\n`);
      }
    }
  });
});

describe('Alertmanager example', () => {
  it('amtool accepts it', async () => {
    const { stdout } = await tool('amtool', ['check-config', alertmanagerExample]);
    expect(stdout).toContain('SUCCESS');
  });

  it('sends to the status API webhook receiver with a bearer key from a file', async () => {
    const config = parse(await readFile(alertmanagerExample, 'utf8'));
    const receiver = config.receivers.find((r: { name: string }) => r.name === 'authlens-status-api');
    const [hook] = receiver.webhook_configs;
    expect(new URL(hook.url).pathname).toBe('/monitoring/alerts/webhooks/alertmanager/');
    expect(hook.http_config.authorization).toEqual({ type: 'Bearer', credentials_file: expect.any(String) });
    expect(hook.send_resolved).toBe(true);
  });

  it('routes every alert to the status API (delivery failures also to e-mail)', async () => {
    const rules = ruleGroups.flatMap((g) => g.rules.filter((r) => 'alert' in r));
    const routed = await Promise.all(
      rules.map(async (r) => {
        const { stdout } = await tool('amtool', [
          'config',
          'routes',
          'test',
          `--config.file=${alertmanagerExample}`,
          `alertname=${r.alert}`,
          `severity=${r.labels.severity}`,
          `category=${r.labels.category}`,
          'job=auth',
        ]);
        return [r.alert, stdout.trim()] as const;
      }),
    );
    for (const [alert, receivers] of routed) {
      expect(receivers, alert).toBe(
        alert === 'AuthlensAlertDeliveryFailing' ? 'ops-email,authlens-status-api' : 'authlens-status-api',
      );
    }
  });
});
