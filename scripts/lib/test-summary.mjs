// Counts the tests a suite's output reports, for the summary of `npm test` (scripts/test.mjs).
// ava 7's default reporter prints one `✔ title` line per passed test and ends with "N tests passed" only when
// nothing failed; with failures it ends with "N tests failed" alone, so passed tests are counted from their
// `✔` lines. scripts/test-iac.mjs ends with "N terraform test runs passed".

/**
 * Returns `{ passed, failed }` for the text a suite printed (ANSI colours allowed).
 * Uncaught exceptions and unhandled rejections that ava reports count as failures.
 */
export function countTests(output) {
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const sum = (pattern) => [...plain.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
  const ticks = [...plain.matchAll(/^\s*✔ /gm)].length;
  return {
    passed: Math.max(ticks, sum(/^\s*(\d+) tests? passed/gm)) + sum(/(\d+) terraform test runs passed/g),
    failed: sum(/^\s*(\d+) tests? failed/gm) + sum(/^\s*(\d+) uncaught exceptions?/gm) + sum(/^\s*(\d+) unhandled rejections?/gm),
  };
}
