// The one deadline helper: a promise raced against a timer that is always cleared, so a finished race
// never keeps the event loop (or a test) waiting. Used by readiness checks and the graceful shutdown.

/**
 * Resolves what `work` resolves, or `onTimeout` when `ms` milliseconds pass first. `work` is not
 * cancelled: it runs on, and its late result is ignored.
 * @param work - the promise to wait for.
 * @param ms - the deadline, in milliseconds from now.
 * @param onTimeout - the value to resolve with when the deadline passes first.
 * @returns the value of `work`, or `onTimeout`.
 * @throws what `work` rejects with, when it rejects before the deadline.
 */
export function withDeadline<T, F>(work: Promise<T>, ms: number, onTimeout: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
