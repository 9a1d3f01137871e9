// Durations in configuration: a whole number with an optional unit, e.g. `900`, `900s`, `15m`, `12h`, `30d`.
// A bare number means seconds. One format everywhere keeps runbooks and Terraform unambiguous.

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const DURATION = /^(\d{1,9})(s|m|h|d)?$/;

export const DURATION_FORMAT = 'a whole number of seconds, or a number with unit s, m, h or d (e.g. 900, 15m, 12h, 30d)';

/**
 * Parses a duration to whole seconds, or returns undefined when it is not in the documented format.
 * @param text - e.g. `90`, `15m`, `12h`, `30d` (DURATION_FORMAT).
 * @returns whole seconds, or undefined when the text is not a duration.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_SECONDS;
  return Number(match[1]) * UNIT_SECONDS[unit];
}
