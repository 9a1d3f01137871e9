// PostgreSQL side of the login lockout. The decision itself is a pure function (auth/lockout.ts); this
// module only makes it atomic: both rows of an attempt are locked, read, decided and written in one
// transaction, so concurrent attempts on one account are serialised by the row locks.
import type { Sql } from './db.ts';

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

export function createLockoutStore(sql: Sql) {
  return {
    /** Runs `decide` on the locked rows of (account, ip) and (account, '*') and writes what it returns. */
    async withLockedRows<T>(accountKey: Buffer, clientIp: string, now: Date, decide: (rows: ThrottleRows) => ThrottleUpdate<T>): Promise<T> {
      return sql.begin(async (tx) => {
        // The whole-account row comes first in every transaction, so row locks are always taken in the
        // same order and concurrent attempts from different IPs cannot deadlock.
        await tx`
          insert into login_throttle (account_key, client_ip, updated_at)
          values (${accountKey}, ${ACCOUNT_WIDE}, ${now}), (${accountKey}, ${clientIp}, ${now})
          on conflict (account_key, client_ip) do nothing`;
        const rows = await tx<Array<ThrottleRow & { clientIp: string }>>`
          select client_ip as "clientIp", attempts, window_started_at as "windowStartedAt",
                 lock_count as "lockCount", locked_until as "lockedUntil"
          from login_throttle
          where account_key = ${accountKey} and client_ip in (${ACCOUNT_WIDE}, ${clientIp})
          order by client_ip = ${ACCOUNT_WIDE} desc
          for update`;
        const pick = (ip: string): ThrottleRow => {
          const row = rows.find((candidate) => candidate.clientIp === ip);
          return row ? { attempts: row.attempts, windowStartedAt: row.windowStartedAt, lockCount: row.lockCount, lockedUntil: row.lockedUntil } : EMPTY_ROW;
        };
        const update = decide({ accountIp: pick(clientIp), account: pick(ACCOUNT_WIDE) });
        for (const [ip, row] of [[clientIp, update.accountIp], [ACCOUNT_WIDE, update.account]] as const) {
          if (!row) continue;
          await tx`
            update login_throttle set attempts = ${row.attempts}, window_started_at = ${row.windowStartedAt},
              lock_count = ${row.lockCount}, locked_until = ${row.lockedUntil}, updated_at = ${now}
            where account_key = ${accountKey} and client_ip = ${ip}`;
        }
        return update.result;
      }) as Promise<T>;
    },

    /** Clears the counters after a successful login; a lock that another attempt just set stays. */
    async reset(accountKey: Buffer, clientIp: string, now: Date): Promise<void> {
      await sql`
        delete from login_throttle
        where account_key = ${accountKey} and client_ip in (${ACCOUNT_WIDE}, ${clientIp})
          and (locked_until is null or locked_until <= ${now})`;
    },

    /** Deletes rows that hold no state any more: no running window and no lock. Returns how many. */
    async purge(now: Date, windowSeconds: number): Promise<number> {
      const horizon = new Date(now.getTime() - windowSeconds * 1000);
      const result = await sql`
        delete from login_throttle
        where updated_at < ${horizon}
          and (window_started_at is null or window_started_at <= ${horizon})
          and (locked_until is null or locked_until <= ${horizon})`;
      return result.count;
    },
  };
}

export type LockoutStore = ReturnType<typeof createLockoutStore>;
