/**
 * `auditLogger`: who did what to what, with which outcome — each record hash-chained to the
 * previous one (SHA-256 over the record's canonical JSON and the previous hash), so editing,
 * removing or reordering records is detectable with `verifyAuditChain`.
 *
 * Each logger instance is one chain (`chain` id, random by default); its first record links to a
 * genesis hash derived from the chain id. Records go to the `authlens.audit` JSON log and to an
 * optional `sink` (e.g. an INSERT into an append-only table) and are counted in
 * `compliance.audit.events`.
 *
 * A record is redacted (with the SDK's rule set) before it is hashed: the hash covers exactly what
 * the log line and the sink receive, so a chain rebuilt from the log verifies.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AuthlensError } from '../errors.ts';
import { sdkState } from '../state.ts';
import type { ComplianceAttributeValues } from './attribute-values.ts';
import type { Known } from './auth-metrics.ts';
import { type ComplianceMetrics, complianceMetrics } from './compliance-metrics.ts';
import { type LoggerOptions, lazyLogger } from './structured-logger.ts';

export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEntry {
  /** Who: a user ID, service account or `system`. */
  actor: string;
  /** What: e.g. `user.password_change`, `dsr.erasure`. */
  action: string;
  /** On what: e.g. `user:123`. */
  target: string;
  outcome: 'success' | 'failure';
  category?: Known<typeof ComplianceAttributeValues.auditCategories>;
  details?: AuditDetails;
}

export interface AuditRecord {
  chain: string;
  seq: number;
  timestamp: string;
  actor: string;
  action: string;
  target: string;
  outcome: 'success' | 'failure';
  category: string;
  details: AuditDetails;
  prevHash: string;
  hash: string;
}

export interface AuditLoggerOptions extends LoggerOptions {
  /** Chain ID (default: a random UUID per logger). */
  chain?: string;
  /** Continue an existing chain: the last record written (its seq and hash). */
  resumeFrom?: Pick<AuditRecord, 'seq' | 'hash'>;
  /** Receives every record after it is chained (persist it); errors are logged, not thrown. */
  sink?: (record: AuditRecord) => void | Promise<void>;
  /** Where `compliance.audit.events` goes (default: the `complianceMetrics` instance); `false` for none. */
  metrics?: Pick<ComplianceMetrics, 'recordAuditEvent'> | false;
  /** Clock (tests). */
  now?: () => Date;
}

export interface AuditLogger {
  log(entry: AuditEntry): AuditRecord;
  /** Hash of the last record (give it to `verifyAuditChain` as `expectedHead` to detect truncation). */
  head(): string;
}

export type AuditVerification =
  | { valid: true; count: number; head: string }
  | {
      valid: false;
      /** Index (in the given array) of the first record that fails. */
      index: number;
      reason: 'hash_mismatch' | 'broken_link' | 'sequence_gap' | 'chain_mismatch' | 'head_mismatch';
      message: string;
    };

/** The genesis hash a chain's first record links to. */
export function genesisHash(chain: string): string {
  return createHash('sha256').update(`authlens-audit-genesis:${chain}`).digest('hex');
}

/** JSON with sorted keys, so the hash does not depend on property order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The hash of a record: SHA-256 of its canonical JSON without the `hash` field. */
export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>): string {
  const { chain, seq, timestamp, actor, action, target, outcome, category, details, prevHash } = record;
  return createHash('sha256')
    .update(canonical({ chain, seq, timestamp, actor, action, target, outcome, category, details, prevHash }))
    .digest('hex');
}

function requireText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new AuthlensError('invalid_argument', `audit entry: ${field} must be a non-empty string`);
  return value;
}

export function createAuditLogger(options: AuditLoggerOptions = {}): AuditLogger {
  const chain = options.chain ?? randomUUID();
  const now = options.now ?? (() => new Date());
  const logger = lazyLogger(options, 'authlens.audit');
  const metrics = options.metrics === false ? undefined : (options.metrics ?? complianceMetrics);
  let seq = options.resumeFrom ? options.resumeFrom.seq + 1 : 0;
  // Without `resumeFrom`, the first record links to the genesis of the chain ID as emitted (redacted).
  let prevHash = options.resumeFrom?.hash;

  return {
    log(entry) {
      const outcome = entry.outcome;
      if (outcome !== 'success' && outcome !== 'failure')
        throw new AuthlensError('invalid_argument', 'audit entry: outcome must be success or failure');
      const actor = requireText('actor', entry.actor);
      const action = requireText('action', entry.action);
      const target = requireText('target', entry.target);
      // Hash what is emitted: the log format redacts again, a no-op on redacted values.
      const redactor = sdkState().redactor;
      const id = redactor.redactString(chain);
      const body: Omit<AuditRecord, 'hash'> = {
        chain: id,
        seq,
        timestamp: now().toISOString(),
        actor: redactor.redactString(actor),
        action: redactor.redactString(action),
        target: redactor.redactString(target),
        outcome,
        category: redactor.redactString(entry.category ?? 'other'),
        details: redactor.redact({ ...entry.details }),
        prevHash: prevHash ?? genesisHash(id),
      };
      const record: AuditRecord = { ...body, hash: hashAuditRecord(body) };
      seq += 1;
      prevHash = record.hash;
      logger().info(`audit: ${record.action}`, { 'event.category': 'audit', audit: record });
      metrics?.recordAuditEvent({ category: record.category, outcome });
      if (options.sink) {
        const fail = (err: unknown) =>
          logger().error('audit sink failed', {
            'audit.seq': record.seq,
            error: err instanceof Error ? err.message : String(err),
          });
        try {
          const pending = options.sink(record);
          if (pending) pending.catch(fail);
        } catch (err) {
          fail(err);
        }
      }
      return record;
    },
    head: () => prevHash ?? genesisHash(sdkState().redactor.redactString(chain)),
  };
}

/**
 * Checks a chain of records in write order. Detects an edited record (its hash no longer matches),
 * a removed or reordered record (a broken `prevHash` link or a sequence gap), and — when
 * `expectedHead` is given — records removed from the end.
 * Verify a segment that does not start at the chain's first record with `previous`.
 */
export function verifyAuditChain(
  records: readonly AuditRecord[],
  options: { previous?: Pick<AuditRecord, 'seq' | 'hash'>; expectedHead?: string } = {},
): AuditVerification {
  const fail = (
    index: number,
    reason: Extract<AuditVerification, { valid: false }>['reason'],
    message: string,
  ) => ({ valid: false, index, reason, message }) as const;
  const first = records[0];
  let expectedPrev = options.previous?.hash ?? (first ? genesisHash(first.chain) : '');
  let expectedSeq = options.previous ? options.previous.seq + 1 : 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.chain !== first!.chain)
      return fail(i, 'chain_mismatch', `record ${i} belongs to another chain`);
    if (hashAuditRecord(record) !== record.hash) {
      return fail(
        i,
        'hash_mismatch',
        `record ${i} (seq ${record.seq}) was modified: its hash does not match its content`,
      );
    }
    if (record.prevHash !== expectedPrev) {
      return fail(
        i,
        'broken_link',
        `record ${i} (seq ${record.seq}) does not follow the previous record: one was removed or reordered`,
      );
    }
    if (record.seq !== expectedSeq) {
      return fail(i, 'sequence_gap', `record ${i} has seq ${record.seq}, expected ${expectedSeq}`);
    }
    expectedPrev = record.hash;
    expectedSeq += 1;
  }
  if (options.expectedHead !== undefined && options.expectedHead !== expectedPrev) {
    return fail(
      records.length,
      'head_mismatch',
      'the chain does not end at the expected head: records were removed from the end',
    );
  }
  return { valid: true, count: records.length, head: expectedPrev };
}

/** Default audit logger (`logger: authlens.audit`, one chain per process). */
export const auditLogger: AuditLogger = createAuditLogger();
