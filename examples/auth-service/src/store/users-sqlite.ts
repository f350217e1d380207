/** The user store on SQLite (`node:sqlite`), the default. */
import { DatabaseSync } from 'node:sqlite';
import { DuplicateEmailError, type UserStore } from './users.ts';
import { COUNTS, countsOf, INSERT_USER, newUserRow, type Row, SCHEMA, toDsr, toUser } from './users-sql.ts';

export function createSqliteUserStore(path: string): UserStore {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  for (const statement of SCHEMA) db.exec(statement);
  type SqlValue = string | number | null;
  const one = (sql: string, ...params: SqlValue[]) => {
    const row = db.prepare(sql).get(...params) as Row | undefined;
    return row ? toUser(row) : undefined;
  };
  const run = (sql: string, ...params: SqlValue[]) => db.prepare(sql).run(...params);
  return {
    kind: 'sqlite',
    async createUser(user) {
      try {
        run(`${INSERT_USER}(?, ?, ?, ?, ?, ?, ?)`, ...(newUserRow(user) as SqlValue[]));
      } catch (err) {
        if (err instanceof Error && /UNIQUE constraint failed: users\.email/.test(err.message)) {
          throw new DuplicateEmailError();
        }
        throw err;
      }
      return one('SELECT * FROM users WHERE id = ?', user.id)!;
    },
    async findById(id) {
      return one('SELECT * FROM users WHERE id = ?', id);
    },
    async findByEmail(email) {
      return one('SELECT * FROM users WHERE email = ?', email.toLowerCase());
    },
    async findByOAuth(provider, subject) {
      return one('SELECT * FROM users WHERE oauth_provider = ? AND oauth_subject = ?', provider, subject);
    },
    async setPendingTotp(id, secret) {
      run('UPDATE users SET totp_pending_secret = ? WHERE id = ?', secret, id);
    },
    async enableTotp(id, secret, step) {
      run(
        'UPDATE users SET totp_secret = ?, totp_pending_secret = NULL, mfa_enabled = 1, totp_last_step = ? WHERE id = ?',
        secret,
        step,
        id,
      );
    },
    async setTotpLastStep(id, step) {
      run('UPDATE users SET totp_last_step = ? WHERE id = ?', step, id);
    },
    async deleteUser(id) {
      return Number(run('DELETE FROM users WHERE id = ?', id).changes) > 0;
    },
    async counts() {
      const row = db.prepare(COUNTS).get() as Row;
      return countsOf(row);
    },
    async createDsr(r) {
      run(
        'INSERT INTO dsr_requests (id, user_id, regulation, type, status, received_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        r.id,
        r.userId,
        r.regulation,
        r.type,
        r.status,
        r.receivedAt,
        r.completedAt,
      );
    },
    async completeDsr(id, completedAt) {
      run("UPDATE dsr_requests SET status = 'completed', completed_at = ? WHERE id = ?", completedAt, id);
    },
    async listDsr(userId) {
      return (
        db.prepare('SELECT * FROM dsr_requests WHERE user_id = ? ORDER BY received_at').all(userId) as Row[]
      ).map(toDsr);
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (db.isOpen) db.close();
    },
  };
}
