/**
 * Users and data-subject requests: the small async interface both stores implement — SQLite
 * (`node:sqlite`, `users-sqlite.ts`) by default, PostgreSQL (`pg`, `users-postgres.ts`) when a
 * `DATABASE_URL` is given. The schema and row mapping they share are in `users-sql.ts`.
 */

export interface User {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string | null;
  mfaEnabled: boolean;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  /** Last accepted TOTP step: a code is never accepted twice. */
  totpLastStep: number | null;
  oauthProvider: string | null;
  oauthSubject: string | null;
  createdAt: string;
}

export interface NewUser {
  id: string;
  email: string;
  name?: string | null;
  passwordHash?: string | null;
  oauthProvider?: string | null;
  oauthSubject?: string | null;
}

export type DsrType = 'access' | 'erasure' | 'portability' | 'rectification';
export type DsrStatus = 'received' | 'in_progress' | 'completed' | 'rejected';

export interface DsrRequest {
  id: string;
  userId: string;
  regulation: 'gdpr' | 'ccpa';
  type: DsrType;
  status: DsrStatus;
  receivedAt: string;
  completedAt: string | null;
}

export class DuplicateEmailError extends Error {
  constructor() {
    super('email already registered');
    this.name = 'DuplicateEmailError';
  }
}

export interface UserStore {
  readonly kind: 'sqlite' | 'postgres';
  createUser(user: NewUser): Promise<User>;
  findById(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  findByOAuth(provider: string, subject: string): Promise<User | undefined>;
  setPendingTotp(id: string, secret: string): Promise<void>;
  enableTotp(id: string, secret: string, step: number): Promise<void>;
  setTotpLastStep(id: string, step: number): Promise<void>;
  deleteUser(id: string): Promise<boolean>;
  /**
   * Users in total, users with MFA on (for the MFA adoption gauge) and when the oldest account
   * kept was created (for the retention gauge; null when there is none).
   */
  counts(): Promise<{ users: number; mfa: number; oldestCreatedAt: Date | null }>;
  createDsr(request: DsrRequest): Promise<void>;
  completeDsr(id: string, completedAt: string): Promise<void>;
  listDsr(userId: string): Promise<DsrRequest[]>;
  /** Round trip to the database, for the health check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
