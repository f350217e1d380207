/**
 * Compliance recorders: data-subject requests (GDPR, CCPA) with open/overdue gauges and
 * completion time, consent changes, retention purges, the age of the oldest record kept per data
 * category, and audit event counts.
 *
 * Open requests are tracked in process (id → regulation, type, opened at) so `compliance.dsr.open`
 * and `compliance.dsr.overdue` are observable and `snapshot()` can feed the compliance report.
 * After a restart, `restore()` reloads the open requests from the application's own store.
 */
import type { Meter, ObservableResult } from '@opentelemetry/api';
import { invalidOption } from '../errors.ts';
import { ComplianceAttributeValues } from './attribute-values.ts';
import type { Known } from './auth-metrics.ts';
import { createValueGuard } from './cardinality.ts';
import { instrument, lazyInstruments } from './meter.ts';
import { clockMs, dateCheck, numberCheck, type RecorderOptions } from './recorder-support.ts';

export type Regulation = (typeof ComplianceAttributeValues.regulations)[number];
export type DsrType = (typeof ComplianceAttributeValues.dsrTypes)[number];
export type DsrStatus = 'received' | 'in_progress';

export interface DataSubjectRequest {
  /** The application's request ID (kept in memory for the snapshot, never a metric label). */
  id: string;
  regulation: Regulation;
  type: DsrType;
  /** Default: now. */
  receivedAt?: Date;
}

export interface OpenDataSubjectRequest {
  id: string;
  regulation: Regulation;
  type: DsrType;
  status: DsrStatus;
  receivedAt: Date;
  deadline: Date;
  overdue: boolean;
}

export interface ComplianceSnapshot {
  generatedAt: Date;
  /** Deadline per regulation, in days. */
  deadlineDays: Readonly<Record<Regulation, number>>;
  open: OpenDataSubjectRequest[];
  overdue: OpenDataSubjectRequest[];
}

export interface ComplianceMetrics {
  recordDsrReceived(request: DataSubjectRequest): void;
  recordDsrInProgress(id: string): void;
  /** Completes a tracked request (or an untracked one when regulation, type and receivedAt are given). */
  recordDsrCompleted(
    request: { id: string; completedAt?: Date } & Partial<Omit<DataSubjectRequest, 'id'>>,
  ): void;
  recordDsrRejected(request: { id: string } & Partial<Omit<DataSubjectRequest, 'id'>>): void;
  /** Reloads open requests (e.g. from the database after a restart) without counting them again. */
  restore(requests: readonly (DataSubjectRequest & { status?: DsrStatus })[]): void;
  snapshot(): ComplianceSnapshot;
  recordConsentChange(change: {
    purpose: Known<typeof ComplianceAttributeValues.consentPurposes>;
    action: Known<typeof ComplianceAttributeValues.consentActions>;
  }): void;
  recordRetentionPurge(purge: {
    category: Known<typeof ComplianceAttributeValues.dataCategories>;
    count: number;
  }): void;
  /**
   * Reports when the oldest record still kept in a data category was created (`null`: none is
   * kept). The last report per category is kept in memory; `compliance.retention.oldest_record_age`
   * observes its age at each collection, so the age keeps growing between reports.
   */
  recordRetentionState(state: {
    category: Known<typeof ComplianceAttributeValues.dataCategories>;
    oldestRecordAt: Date | null;
  }): void;
  recordAuditEvent(event: {
    category: Known<typeof ComplianceAttributeValues.auditCategories>;
    outcome: Known<typeof ComplianceAttributeValues.auditOutcomes>;
  }): void;
}

export interface ComplianceMetricsOptions extends RecorderOptions {
  /** Days to answer a request: GDPR 30, CCPA 45 by default. */
  deadlineDays?: Partial<Record<Regulation, number>>;
  /** Most open requests tracked (default 100 000); older ones are forgotten beyond it. */
  maxOpenRequests?: number;
  /** Clock (tests). */
  now?: () => Date;
}

export const DEFAULT_DEADLINE_DAYS: Readonly<Record<Regulation, number>> = { gdpr: 30, ccpa: 45 };
const DAY_MS = 86_400_000;

interface Tracked {
  regulation: Regulation;
  type: DsrType;
  status: DsrStatus;
  receivedAt: number;
}

/**
 * Builds a compliance recorder. Its open-request gauges observe this instance's state: create one
 * per MeterProvider (or use the default `complianceMetrics`), since two instances on one provider
 * would report over each other.
 */
export function createComplianceMetrics(options: ComplianceMetricsOptions = {}): ComplianceMetrics {
  const now = options.now ?? (() => new Date());
  const nowMs = clockMs(options.now);
  const deadlineDays = { ...DEFAULT_DEADLINE_DAYS, ...options.deadlineDays };
  for (const [regulation, days] of Object.entries(deadlineDays)) {
    if (!(typeof days === 'number' && days > 0))
      throw invalidOption(
        `deadlineDays.${regulation}`,
        `deadlineDays.${regulation} must be a positive number`,
      );
  }
  const maxOpen = options.maxOpenRequests ?? 100_000;
  if (!Number.isInteger(maxOpen) || maxOpen < 1)
    throw invalidOption('maxOpenRequests', 'maxOpenRequests must be a positive integer');
  const g = (name: string, key: string) => createValueGuard(name, key, options);
  const dsr = {
    regulation: g('compliance.dsr.requests', 'compliance.regulation'),
    type: g('compliance.dsr.requests', 'compliance.request.type'),
  };
  const consent = {
    purpose: g('compliance.consent.changes', 'compliance.consent.purpose'),
    action: g('compliance.consent.changes', 'compliance.consent.action'),
  };
  const purgeCategory = g('compliance.retention.purged', 'compliance.data.category');
  const stateCategory = g('compliance.retention.oldest_record_age', 'compliance.data.category');
  const audit = {
    category: g('compliance.audit.events', 'audit.category'),
    outcome: g('compliance.audit.events', 'audit.outcome'),
  };
  const countOk = numberCheck('count', 0, Number.MAX_SAFE_INTEGER, options.warn);
  const oldestDate = dateCheck('oldestRecordAt', options.warn);

  const open = new Map<string, Tracked>();
  const deadlineOf = (t: Tracked) => t.receivedAt + deadlineDays[t.regulation] * DAY_MS;

  const observeOpen = (result: ObservableResult) => {
    const counts = new Map<string, number>();
    for (const t of open.values())
      counts.set(`${t.regulation}|${t.type}`, (counts.get(`${t.regulation}|${t.type}`) ?? 0) + 1);
    // Zeros are observed too, so every series exists before the first request.
    for (const regulation of ComplianceAttributeValues.regulations) {
      for (const type of ComplianceAttributeValues.dsrTypes) {
        result.observe(counts.get(`${regulation}|${type}`) ?? 0, {
          'compliance.regulation': regulation,
          'compliance.request.type': type,
        });
      }
    }
  };
  const observeOverdue = (result: ObservableResult) => {
    const at = nowMs();
    const counts: Record<Regulation, number> = { gdpr: 0, ccpa: 0 };
    for (const t of open.values()) if (deadlineOf(t) < at) counts[t.regulation]++;
    for (const regulation of ComplianceAttributeValues.regulations)
      result.observe(counts[regulation], { 'compliance.regulation': regulation });
  };

  /** Category → oldest record's time in ms (`null`: none kept); only reported categories. */
  const oldestRecord = new Map<string, number | null>();
  const observeOldest = (result: ObservableResult) => {
    if (oldestRecord.size === 0) return;
    const at = nowMs();
    for (const [category, oldest] of oldestRecord) {
      // A record dated in the future (clock skew) counts as age 0, never negative.
      const seconds = oldest === null ? 0 : Math.max(0, (at - oldest) / 1000);
      result.observe(seconds, { 'compliance.data.category': category });
    }
  };

  const build = (meter: Meter) => {
    instrument.observableGauge(meter, 'compliance.dsr.open').addCallback(observeOpen);
    instrument.observableGauge(meter, 'compliance.dsr.overdue').addCallback(observeOverdue);
    instrument.observableGauge(meter, 'compliance.retention.oldest_record_age').addCallback(observeOldest);
    return {
      requests: instrument.counter(meter, 'compliance.dsr.requests'),
      completionTime: instrument.histogram(meter, 'compliance.dsr.completion_time'),
      consentChanges: instrument.counter(meter, 'compliance.consent.changes'),
      purged: instrument.counter(meter, 'compliance.retention.purged'),
      auditEvents: instrument.counter(meter, 'compliance.audit.events'),
    };
  };
  const get = lazyInstruments(options, build, 'COMPLIANCE_MONITORING_ENABLED');
  if (options.meter || options.meterProvider) get();

  const knownRegulations = new Set<string>(ComplianceAttributeValues.regulations);
  const knownTypes = new Set<string>(ComplianceAttributeValues.dsrTypes);
  /** Tracks a request whose regulation and type have already been through the guards. */
  const track = (id: string, r: string, t: string, status: DsrStatus, receivedAt: Date | undefined) => {
    // Only known regulations and types are tracked: their deadlines and gauge series exist.
    if (!knownRegulations.has(r) || !knownTypes.has(t)) return;
    if (!open.has(id) && open.size >= maxOpen) open.delete(open.keys().next().value as string);
    open.set(id, {
      regulation: r as Regulation,
      type: t as DsrType,
      status,
      receivedAt: receivedAt === undefined ? nowMs() : receivedAt.getTime(),
    });
  };

  const close = (
    request: { id: string; completedAt?: Date } & Partial<Omit<DataSubjectRequest, 'id'>>,
    status: 'completed' | 'rejected',
  ) => {
    const i = get();
    const tracked = open.get(request.id);
    open.delete(request.id);
    const regulation = tracked?.regulation ?? dsr.regulation(request.regulation);
    const type = tracked?.type ?? dsr.type(request.type);
    i.requests.add(1, {
      'compliance.regulation': regulation,
      'compliance.request.type': type,
      'compliance.request.status': status,
    });
    const receivedAt = tracked?.receivedAt ?? request.receivedAt?.getTime();
    if (status === 'completed' && receivedAt !== undefined) {
      const seconds = Math.max(0, ((request.completedAt?.getTime() ?? nowMs()) - receivedAt) / 1000);
      i.completionTime.record(seconds, {
        'compliance.regulation': regulation,
        'compliance.request.type': type,
      });
    }
  };

  return {
    recordDsrReceived({ id, regulation, type, receivedAt }) {
      const r = dsr.regulation(regulation);
      const t = dsr.type(type);
      get().requests.add(1, {
        'compliance.regulation': r,
        'compliance.request.type': t,
        'compliance.request.status': 'received',
      });
      track(id, r, t, 'received', receivedAt);
    },
    recordDsrInProgress(id) {
      const tracked = open.get(id);
      get().requests.add(1, {
        'compliance.regulation': tracked?.regulation ?? 'other',
        'compliance.request.type': tracked?.type ?? 'other',
        'compliance.request.status': 'in_progress',
      });
      if (tracked) tracked.status = 'in_progress';
    },
    recordDsrCompleted: (request) => close(request, 'completed'),
    recordDsrRejected: (request) => close(request, 'rejected'),
    restore(requests) {
      get();
      for (const r of requests) {
        track(r.id, dsr.regulation(r.regulation), dsr.type(r.type), r.status ?? 'received', r.receivedAt);
      }
    },
    snapshot() {
      const generatedAt = now();
      const openList: OpenDataSubjectRequest[] = [...open].map(([id, t]) => ({
        id,
        regulation: t.regulation,
        type: t.type,
        status: t.status,
        receivedAt: new Date(t.receivedAt),
        deadline: new Date(deadlineOf(t)),
        overdue: deadlineOf(t) < generatedAt.getTime(),
      }));
      openList.sort((a, b) => a.deadline.getTime() - b.deadline.getTime());
      return { generatedAt, deadlineDays, open: openList, overdue: openList.filter((r) => r.overdue) };
    },
    recordConsentChange({ purpose, action }) {
      get().consentChanges.add(1, {
        'compliance.consent.purpose': consent.purpose(purpose),
        'compliance.consent.action': consent.action(action),
      });
    },
    recordRetentionPurge({ category, count }) {
      if (countOk(count) && count > 0)
        get().purged.add(count, { 'compliance.data.category': purgeCategory(category) });
    },
    recordRetentionState({ category, oldestRecordAt }) {
      const at = oldestRecordAt === null ? null : oldestDate(oldestRecordAt);
      if (at === undefined) return;
      // Binds the instruments (and the gauge's callback) on first use, as the other methods do.
      get();
      oldestRecord.set(stateCategory(category), at);
    },
    recordAuditEvent({ category, outcome }) {
      get().auditEvents.add(1, {
        'audit.category': audit.category(category),
        'audit.outcome': audit.outcome(outcome),
      });
    },
  };
}

/** Default recorder bound lazily to the global MeterProvider. */
export const complianceMetrics: ComplianceMetrics = createComplianceMetrics();
