// How the launchers (npm run dev, npm test, scripts/services.mjs, scripts/with-services.mjs) end on a failure:
// one plain line that says what is wrong and what to do, never a stack trace.

/** Runs `main`; an error thrown from it is printed as `[name] <first line of its message>` and exits 1. */
export async function runMain(name, main) {
  try {
    await main();
  } catch (error) {
    const message = String(error instanceof Error ? error.message : error).trim().split('\n')[0];
    process.stderr.write(`[${name}] ${message}\n`);
    process.exit(1);
  }
}
