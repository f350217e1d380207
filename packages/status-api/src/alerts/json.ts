/** The wire form of alerts, deliveries and silences (ISO 8601 times), used by the API and webhooks. */
import type { Alert, DeliveryWithHistory, Silence } from './types.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface AlertJson {
  id: string;
  fingerprint: string;
  name: string;
  severity: string;
  message: string;
  source: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: string;
  suppressedReason: string | null;
  occurrences: number;
  createdAt: string;
  updatedAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  escalationLevel: number;
  nextEscalationAt: string | null;
  lastNotifiedAt: string | null;
}

export function alertJson(a: Alert): AlertJson {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    name: a.name,
    severity: a.severity,
    message: a.message,
    source: a.source,
    labels: a.labels,
    annotations: a.annotations,
    status: a.status,
    suppressedReason: a.suppressedReason,
    occurrences: a.occurrences,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    resolvedAt: iso(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    escalationLevel: a.escalationLevel,
    nextEscalationAt: iso(a.nextEscalationAt),
    lastNotifiedAt: iso(a.lastNotifiedAt),
  };
}

export function deliveryJson(d: DeliveryWithHistory) {
  return {
    id: d.id,
    channel: d.channel,
    channelType: d.channelType,
    event: d.event,
    escalationLevel: d.escalationLevel,
    idempotencyKey: d.idempotencyKey,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt.toISOString(),
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    history: d.history.map((h) => ({ ...h, at: h.at.toISOString() })),
  };
}

export function silenceJson(s: Silence, now = Date.now()) {
  return {
    id: s.id,
    matchers: s.matchers,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
    status: s.endsAt.getTime() <= now ? 'expired' : s.startsAt.getTime() > now ? 'pending' : 'active',
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
