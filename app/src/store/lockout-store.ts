// PostgreSQL side of the login lockout: implements the LockoutStore port of auth/lockout.ts
// (structurally; composition.ts wires the two). The decision itself is a pure function there; this
// module only makes it atomic: both rows of an attempt are locked, read, decided and written in one
// transaction, so concurrent attempts on one account are serialised by the row locks.
//
// Lock order (issue 14): every statement that touches login_throttle locks the rows of one account in one
// order, the whole-account row (client_ip = '*') before the (account, client IP) row, and never waits for
// a lock while it holds a row of another account. The order comes from the statement itself (an ORDER BY
// under FOR UPDATE; the order of VALUES in an INSERT), not from a plan that picks an index scan: a
// DELETE ... WHERE client_ip IN (...) locks rows in scan order, which once made the reset after a
// successful login deadlock with the attempts (40P01 answered as 500). The purge takes only rows nobody
// holds (SKIP LOCKED), so it never waits and can close no cycle. Deadlocks, serialization failures and
// lock timeouts that still happen (they roll the transaction back) are retried a bounded number of times.
import type { Sql } from './db.ts';
import { connectionClosed, withTransientRetry, type TransientDatabaseFailure } from './transient-errors.ts';

/** The client_ip value of the whole-account row. Never a valid IP, so it cannot collide with one. */
export const ACCOUNT_WIDE = '*';

export interface ThrottleRow {
  attempts: number;
  windowStartedAt: Date | null;
  lockCount: number;
  lockedUntil: Date | null;
}

export const EMPTY_ROW: ThrottleRow = { attempts: 0, windowStartedAt: null, lockCount: 0, lockedUntil: null };

export interface ThrottleRows {
  accountIp: ThrottleRow;
  account: ThrottleRow;
}

/** What to write back; undefined leaves a row as it is. */
export interface ThrottleUpdate<T> {
  result: T;
  accountIp?: ThrottleRow;
  account?: ThrottleRow;
}

export interface LockoutStoreOptions {
  /** Called when a rolled-back transaction is run again (for a metric). */
  onRetry?: (failure: TransientDatabaseFailure) => void;
}

/**
 * The PostgreSQL implementation of auth/lockout.ts's LockoutStore port (table `login_throttle`).
 * @param sql - the pool.
 * @param options - `onRetry`, called when a rolled-back transaction is run again.
 * @returns the store.
 */
export function createLockoutStore(sql: Sql, options: LockoutStoreOptions = {}) {
  const retry = <T>(operation: () => Promise<T>) => withTransientRetry(operation, { onRetry: options.onRetry });
  return {
    /**
     * Runs `decide` on the locked rows of (account, '*') and (account, ip) and writes what it returns, in
     * one transaction on a reserved connection and in two round trips (issue 15): BEGIN pipelined with one
     * statement that creates the missing rows and locks and reads both, then the UPDATE of the rows that
     * changed (none when an attempt is refused by a lock already in place) pipelined with COMMIT.
     * Retried whole when PostgreSQL rolls it back (deadlock, serialization failure, lock timeout).
     */
    async withLockedRows<T>(accountKey: Buffer, clientIp: string, now: Date, decide: (rows: ThrottleRows) => ThrottleUpdate<T>): Promise<T> {
      return retry(async () => {
        const tx = await sql.reserve();
        let lost = false;
        try {
          // VALUES order is lock order: '*' first. PostgreSQL's documentation does not promise this: it is
          // a fact of the executor (a multi-row VALUES is a Values Scan that emits its rows in the order
          // written, and INSERT ... ON CONFLICT locks each row as it is produced), true of PostgreSQL 15 and
          // guarded by the store-level contention test (login-contention.test.ts: no deadlock logged). DO UPDATE (of a column to itself, so the update is HOT)
          // locks an existing row and returns it; a missing row is inserted, locked and returned. A row
          // that a reset deletes meanwhile is inserted afresh once the reset commits: no attempt is lost.
          const [, rows] = await Promise.all([
            tx`begin`,
            tx<Array<ThrottleRow & { clientIp: string }>>`
              insert into login_throttle (account_key, client_ip, updated_at)
              values (${accountKey}, ${ACCOUNT_WIDE}, ${now}), (${accountKey}, ${clientIp}, ${now})
              on conflict (account_key, client_ip) do update set attempts = login_throttle.attempts
              returning client_ip as "clientIp", attempts, window_started_at as "windowStartedAt",
                        lock_count as "lockCount", locked_until as "lockedUntil"`,
          ]);
          const pick = (ip: string): ThrottleRow => {
            const row = rows.find((candidate) => candidate.clientIp === ip);
            return row ? { attempts: row.attempts, windowStartedAt: row.windowStartedAt, lockCount: row.lockCount, lockedUntil: row.lockedUntil } : EMPTY_ROW;
          };
          const update = decide({ accountIp: pick(clientIp), account: pick(ACCOUNT_WIDE) });
          const value = (ip: string, row: ThrottleRow) =>
            tx`(${ip}::text, ${row.attempts}::int, ${row.windowStartedAt}::timestamptz, ${row.lockCount}::int, ${row.lockedUntil}::timestamptz)`;
          const writes = [
            ...(update.account ? [value(ACCOUNT_WIDE, update.account)] : []),
            ...(update.accountIp ? [value(clientIp, update.accountIp)] : []),
          ];
          if (writes.length === 0) {
            await tx`commit`;
          } else {
            // Both rows are locked by this transaction already, so the order of this update is free. If it
            // fails, PostgreSQL turns the pipelined COMMIT of the aborted transaction into a rollback.
            await Promise.all([
              tx`
                update login_throttle as t
                set attempts = v.attempts, window_started_at = v.window_started_at,
                    lock_count = v.lock_count, locked_until = v.locked_until, updated_at = ${now}
                from (values ${writes.length === 2 ? tx`${writes[0]!}, ${writes[1]!}` : writes[0]!}) as v (client_ip, attempts, window_started_at, lock_count, locked_until)
                where t.account_key = ${accountKey} and t.client_ip = v.client_ip`,
              tx`commit`,
            ]);
          }
          return update.result;
        } catch (error) {
          // Nothing more is sent on a connection that postgres.js reports closed, and it is not released:
          // see connectionClosed (postgres.js 3.4.9 would throw outside any promise and never settle).
          if (connectionClosed(error)) {
            lost = true;
            throw error;
          }
          // Never hand a live connection back inside a transaction. Outside one (the COMMIT already
          // rolled back), ROLLBACK is only a warning.
          await tx`rollback`.catch(() => {});
          throw error;
        } finally {
          if (!lost) tx.release();
        }
      });
    },

    /**
     * Clears the counters after a successful login; a lock that another attempt just set stays. One
     * statement: the CTE locks '*' before the IP row (ORDER BY under FOR UPDATE locks in sorted order),
     * then both are deleted. Idempotent, so retried like an attempt.
     */
    async reset(accountKey: Buffer, clientIp: string, now: Date): Promise<void> {
      await retry(
        () => sql`
          with locked as (
            select client_ip from login_throttle
            where account_key = ${accountKey} and client_ip in (${ACCOUNT_WIDE}, ${clientIp})
              and (locked_until is null or locked_until <= ${now})
            order by client_ip = ${ACCOUNT_WIDE} desc
            for update
          )
          delete from login_throttle as t using locked
          where t.account_key = ${accountKey} and t.client_ip = locked.client_ip`,
      );
    },

    /**
     * Deletes rows that hold no state any more: no running window and no lock. Returns how many. Rows
     * that a login holds are skipped (SKIP LOCKED) and go in a later purge: the purge never waits.
     */
    async purge(now: Date, windowSeconds: number): Promise<number> {
      const horizon = new Date(now.getTime() - windowSeconds * 1000);
      const result = await retry(
        () => sql`
          with stale as (
            select account_key, client_ip from login_throttle
            where updated_at < ${horizon}
              and (window_started_at is null or window_started_at <= ${horizon})
              and (locked_until is null or locked_until <= ${horizon})
            for update skip locked
          )
          delete from login_throttle as t using stale
          where t.account_key = stale.account_key and t.client_ip = stale.client_ip`,
      );
      return result.count;
    },
  };
}

export type PostgresLockoutStore = ReturnType<typeof createLockoutStore>;
