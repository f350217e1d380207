/** The users schema and the row mapping both user stores share (SQL that SQLite and PostgreSQL both accept). */
import type { DsrRequest, DsrStatus, DsrType, NewUser, User } from './users.ts';

export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    password_hash TEXT,
    mfa_enabled INTEGER NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_pending_secret TEXT,
    totp_last_step BIGINT,
    oauth_provider TEXT,
    oauth_subject TEXT,
    created_at TEXT NOT NULL
  )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS users_oauth ON users (oauth_provider, oauth_subject)',
  `CREATE TABLE IF NOT EXISTS dsr_requests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    regulation TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL,
    completed_at TEXT
  )`,
];

export type Row = Record<string, unknown>;

// created_at is an ISO 8601 UTC string: its minimum is the oldest account.
export const COUNTS =
  'SELECT COUNT(*) AS users, COALESCE(SUM(mfa_enabled), 0) AS mfa, MIN(created_at) AS oldest FROM users';
export const countsOf = (row: Row) => ({
  users: Number(row.users),
  mfa: Number(row.mfa),
  oldestCreatedAt: row.oldest ? new Date(String(row.oldest)) : null,
});

export function toUser(row: Row): User {
  return {
    id: String(row.id),
    email: String(row.email),
    name: row.name == null ? null : String(row.name),
    passwordHash: row.password_hash == null ? null : String(row.password_hash),
    mfaEnabled: Number(row.mfa_enabled) === 1,
    totpSecret: row.totp_secret == null ? null : String(row.totp_secret),
    totpPendingSecret: row.totp_pending_secret == null ? null : String(row.totp_pending_secret),
    totpLastStep: row.totp_last_step == null ? null : Number(row.totp_last_step),
    oauthProvider: row.oauth_provider == null ? null : String(row.oauth_provider),
    oauthSubject: row.oauth_subject == null ? null : String(row.oauth_subject),
    createdAt: String(row.created_at),
  };
}

export function toDsr(row: Row): DsrRequest {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    regulation: String(row.regulation) as DsrRequest['regulation'],
    type: String(row.type) as DsrType,
    status: String(row.status) as DsrStatus,
    receivedAt: String(row.received_at),
    completedAt: row.completed_at == null ? null : String(row.completed_at),
  };
}

export function newUserRow(user: NewUser): unknown[] {
  return [
    user.id,
    user.email.toLowerCase(),
    user.name ?? null,
    user.passwordHash ?? null,
    user.oauthProvider ?? null,
    user.oauthSubject ?? null,
    new Date().toISOString(),
  ];
}

export const INSERT_USER =
  'INSERT INTO users (id, email, name, password_hash, oauth_provider, oauth_subject, created_at) VALUES ';
