import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureSdkLogger,
  captureStructuredLogger,
  createMetricsHarness,
  type MetricsHarness,
} from '../../test/support/metrics-harness.ts';
import { type AuditRecord, createAuditLogger, genesisHash, verifyAuditChain } from './audit-logger.ts';
import { createComplianceMetrics } from './compliance-metrics.ts';

describe('audit logger hash chain', () => {
  let h: MetricsHarness;
  let records: AuditRecord[];
  const sunk: AuditRecord[] = [];
  const log = captureStructuredLogger();

  beforeAll(async () => {
    h = await createMetricsHarness();
    const audit = createAuditLogger({
      chain: 'test-chain',
      logger: log.logger,
      metrics: createComplianceMetrics({ meterProvider: h.provider }),
      sink: (r) => void sunk.push(r),
      now: () => new Date('2026-05-01T00:00:00Z'),
    });
    records = [
      audit.log({
        actor: 'user:1',
        action: 'user.login',
        target: 'session:9',
        outcome: 'success',
        category: 'authentication',
      }),
      audit.log({
        actor: 'admin:2',
        action: 'user.lock',
        target: 'user:7',
        outcome: 'success',
        category: 'security',
      }),
      audit.log({
        actor: 'user:7',
        action: 'dsr.erasure',
        target: 'user:7',
        outcome: 'failure',
        category: 'compliance',
        details: { reason: 'pending_legal_hold' },
      }),
      audit.log({
        actor: 'system',
        action: 'retention.purge',
        target: 'sessions',
        outcome: 'success',
        details: { rows: 42 },
      }),
    ];
    expect(audit.head()).toBe(records[3]!.hash);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('chains records, writes them to the log and the sink, and counts them', async () => {
    expect(records[0]!.prevHash).toBe(genesisHash('test-chain'));
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(sunk).toEqual(records);
    expect(log.lines).toHaveLength(4);
    expect(log.lines[2]).toMatchObject({
      'event.category': 'audit',
      audit: { action: 'dsr.erasure', hash: records[2]!.hash },
    });
    expect(
      await h.value('compliance.audit.events', {
        'audit.category': 'compliance',
        'audit.outcome': 'failure',
      }),
    ).toBe(1);
    expect(await h.value('compliance.audit.events')).toBe(4);
  });

  it('verifies an intact chain (also after a JSON round trip)', () => {
    expect(verifyAuditChain(records)).toEqual({ valid: true, count: 4, head: records[3]!.hash });
    const roundTrip = JSON.parse(JSON.stringify(records)) as AuditRecord[];
    expect(verifyAuditChain(roundTrip, { expectedHead: records[3]!.hash }).valid).toBe(true);
  });

  it('detects an edited record', () => {
    const edited = records.map((r) => ({ ...r }));
    edited[1] = { ...edited[1]!, target: 'user:8' };
    expect(verifyAuditChain(edited)).toMatchObject({ valid: false, index: 1, reason: 'hash_mismatch' });
    const editedDetails = records.map((r) => ({ ...r }));
    editedDetails[2] = { ...editedDetails[2]!, details: { reason: 'none' } };
    expect(verifyAuditChain(editedDetails)).toMatchObject({
      valid: false,
      index: 2,
      reason: 'hash_mismatch',
    });
  });

  it('detects an edited record whose hash was recomputed (the next link breaks)', async () => {
    const { hashAuditRecord } = await import('./audit-logger.ts');
    const forged = records.map((r) => ({ ...r }));
    const { hash: _old, ...body } = { ...forged[1]!, outcome: 'failure' as const };
    forged[1] = { ...body, hash: hashAuditRecord(body) };
    expect(verifyAuditChain(forged)).toMatchObject({ valid: false, index: 2, reason: 'broken_link' });
  });

  it('detects a removed record (middle, first, and last with the expected head)', () => {
    expect(verifyAuditChain([records[0]!, records[2]!, records[3]!])).toMatchObject({
      valid: false,
      index: 1,
      reason: 'broken_link',
    });
    expect(verifyAuditChain(records.slice(1))).toMatchObject({
      valid: false,
      index: 0,
      reason: 'broken_link',
    });
    expect(verifyAuditChain(records.slice(0, 3), { expectedHead: records[3]!.hash })).toMatchObject({
      valid: false,
      reason: 'head_mismatch',
    });
  });

  it('detects reordered records', () => {
    const swapped = [records[0]!, records[2]!, records[1]!, records[3]!];
    expect(verifyAuditChain(swapped)).toMatchObject({ valid: false, index: 1, reason: 'broken_link' });
  });

  it('verifies a segment given the record before it, and continues a chain', () => {
    expect(verifyAuditChain(records.slice(2), { previous: records[1]! }).valid).toBe(true);
    const resumed = createAuditLogger({
      chain: 'test-chain',
      resumeFrom: records[3]!,
      logger: captureStructuredLogger().logger,
      metrics: false,
    });
    const next = resumed.log({ actor: 'system', action: 'x.y', target: 'z', outcome: 'success' });
    expect(verifyAuditChain([...records, next])).toMatchObject({ valid: true, count: 5 });
  });

  it('rejects incomplete entries naming the field', () => {
    const audit = createAuditLogger({ logger: captureStructuredLogger().logger, metrics: false });
    expect(() => audit.log({ actor: '', action: 'a', target: 't', outcome: 'success' })).toThrow(/actor/);
    expect(() => audit.log({ actor: 'a', action: 'a', target: 't', outcome: 'maybe' as 'success' })).toThrow(
      /outcome/,
    );
  });
});

describe('audit chain rebuilt from the SDK logger output', () => {
  it('verifies records parsed from real getLogger JSON lines, secrets redacted before hashing', () => {
    const log = captureSdkLogger('authlens.audit');
    const audit = createAuditLogger({ chain: 'log-chain', logger: log.logger, metrics: false });
    const returned = [
      audit.log({
        actor: 'user:1',
        action: 'token.revoke',
        target: 'token:abc123secret',
        outcome: 'success',
      }),
      audit.log({
        actor: 'admin:2',
        action: 'user.password_change',
        target: 'user:7',
        outcome: 'success',
        details: { password: 'hunter2!', note: 'sent Bearer abcdefghijkl', api_key: 'sk_live_abcdefgh1234' },
      }),
      audit.log({
        actor: 'svc',
        action: 'oauth.callback',
        target: 'https://app.example/cb?code=xyz987&state=ok',
        outcome: 'failure',
        details: { attempts: 3, ok: false, none: null },
      }),
    ];
    const text = JSON.stringify(log.lines);
    for (const secret of ['abc123secret', 'hunter2!', 'abcdefghijkl', 'sk_live_abcdefgh1234', 'xyz987'])
      expect(text).not.toContain(secret);
    expect(log.lines).toHaveLength(3);
    expect(log.lines[0]).toMatchObject({ logger: 'authlens.audit', 'service.name': expect.any(String) });
    const parsed = log.lines.map((line) => line.audit as AuditRecord);
    expect(parsed[0]!.target).toBe('token:[REDACTED]');
    expect(parsed[1]!.details).toMatchObject({ password: '[REDACTED]', api_key: '[REDACTED]' });
    expect(parsed).toEqual(returned);
    expect(verifyAuditChain(parsed, { expectedHead: audit.head() })).toEqual({
      valid: true,
      count: 3,
      head: audit.head(),
    });
    const edited = parsed.map((r) => ({ ...r }));
    edited[0] = { ...edited[0]!, target: 'token:other' };
    expect(verifyAuditChain(edited)).toMatchObject({ valid: false, index: 0, reason: 'hash_mismatch' });
  });
});
