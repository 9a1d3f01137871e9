// Counts the tests a suite's output reports, for the summary of `npm test` (scripts/test.mjs).
// ava 7's default reporter (node_modules/ava/lib/reporters/default.js, ava 7.0.0) prints one `✔ title` line per
// passed test and ends with "N tests passed" only when nothing failed; with failures it ends with "N tests failed"
// alone, so passed tests are counted from their `✔` lines. A test file can also fail without a failed test: it
// "exited with a non-zero exit code: N", "exited due to SIGNAL" or "exited due to an error", or a test "remained
// pending after a timeout"; each of those counts as one failure here. scripts/test-iac.mjs ends with
// "N terraform test runs passed".

const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Returns `{ passed, failed, problems }` for the text a suite printed (ANSI colours allowed). `problems` are the
 * reporter's `✘` lines (failed tests, crashed files, timeouts), so a summary can repeat why a suite failed.
 * Uncaught exceptions, unhandled rejections, failed hooks, crashed test files and timeouts count as failures.
 */
export function countTests(output) {
  const plain = output.replace(ANSI, '');
  const sum = (pattern) => [...plain.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
  const count = (pattern) => [...plain.matchAll(pattern)].length;
  const ticks = count(/^\s*✔ /gm);
  const failed =
    sum(/^\s*(\d+) tests? failed/gm) +
    sum(/^\s*(\d+) hooks? failed/gm) +
    sum(/^\s*(\d+) uncaught exceptions?/gm) +
    sum(/^\s*(\d+) unhandled rejections?/gm) +
    sum(/^\s*(\d+) tests? remained pending after a timeout/gm) +
    count(/^\s*✘ .* exited (?:with a non-zero exit code|due to)/gm);
  const problems = [...new Set(plain.split('\n').filter((line) => /^\s*✘ /.test(line)).map((line) => line.trim()))];
  return {
    passed: Math.max(ticks, sum(/^\s*(\d+) tests? passed/gm)) + sum(/(\d+) terraform test runs passed/g),
    failed,
    problems,
  };
}
