// The one exponential backoff formula: a delay that doubles with each attempt, from `initial` up to
// `max` (the "capped exponential" of the AWS Architecture Blog's "Exponential Backoff And Jitter", 2015).
// Used by the ClickHouse sink and migrations (milliseconds) and the login lockout (seconds).

/**
 * min(max, initial * 2^(attempt - 1)): the delay before retry `attempt`, in the unit of `initial` and `max`.
 * @param attempt - 1 for the first retry; the exponent is capped at 30 so the product stays finite.
 * @param initial - the first delay (ms or seconds).
 * @param max - the cap, in the same unit.
 * @returns the delay, in the unit of `initial`.
 */
export function exponentialBackoff(attempt: number, initial: number, max: number): number {
  return Math.min(max, initial * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
}

/**
 * "Equal jitter": half the capped step fixed, half random, so that clients that failed together spread out.
 * @param attempt - 1 for the first retry.
 * @param initial - the first delay (ms).
 * @param max - the cap (ms).
 * @param random - a number in [0, 1), Math.random by default.
 * @returns the delay in whole milliseconds.
 */
export function equalJitterBackoffMs(attempt: number, initial: number, max: number, random: () => number = Math.random): number {
  const step = exponentialBackoff(attempt, initial, max);
  return Math.round(step / 2 + random() * (step / 2));
}
