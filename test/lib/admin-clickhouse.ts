// The ClickHouse admin URL (user `default`) for tests that need one. `npm test` provides TEST_CLICKHOUSE_URL; a
// test file run alone (npx ava test/newcomer.test.ts) starts a throwaway native ClickHouse instead, stopped on exit.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './hcl.ts';

interface ServicesModule {
  newServicesDir(prefix: string): string;
  startServices(dir: string, which: { postgres: boolean; clickhouse: boolean }): Promise<{ env: Record<string, string>; stop(): void }>;
}

let started: Promise<string> | undefined;

export function adminClickHouseUrl(): Promise<string> {
  const fromEnv = process.env.TEST_CLICKHOUSE_URL;
  if (fromEnv) return Promise.resolve(fromEnv);
  started ??= (async () => {
    const services = (await import(pathToFileURL(join(repoRoot, 'scripts', 'services.mjs')).href)) as ServicesModule;
    const dir = services.newServicesDir('repo-test-ch-');
    const running = await services.startServices(dir, { postgres: false, clickhouse: true });
    process.once('exit', () => {
      running.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return running.env.TEST_CLICKHOUSE_URL!;
  })();
  return started;
}
