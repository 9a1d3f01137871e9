// `npm run migrate`: applies pending PostgreSQL migrations with the owner credentials
// (DATABASE_MIGRATION_URL, else DATABASE_URL), under the same advisory lock as start-up, then the
// ClickHouse migrations when CLICKHOUSE_URL is set.
import { ConfigError, loadConfig, type Config } from '../config/index.ts';
import { processEnv } from '../config/process-env.ts';
import { explainStartupFailure } from '../config/startup-failure.ts';
import { createLogger } from '../observability/logger.ts';
import { migrate } from '../store/migrations.ts';
import { migrateClickHouseFromConfig } from '../events/clickhouse-events.ts';

const fail = (details: object) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'migration failed', ...details })}\n`);
  process.exitCode = 1;
};

let config: Config | undefined;
try {
  config = loadConfig(processEnv());
} catch (error) {
  fail({ problems: error instanceof ConfigError ? error.problems : [error instanceof Error ? error.message : String(error)] });
}
if (config) {
  try {
    const logger = createLogger({ level: config.logLevel, serviceVersion: config.serviceVersion, environment: config.environment });
    const applied = await migrate({ url: config.database.migrationUrl, ssl: config.database.ssl, sslRootCert: config.database.sslRootCert, logger });
    logger.info({ applied: applied.length }, applied.length ? 'migrations applied' : 'database is up to date');
    // ClickHouse too when configured; a migration that needs a newer server is reported and stays pending.
    const clickhouse = await migrateClickHouseFromConfig(config, logger);
    if (clickhouse) logger.info({ applied: clickhouse.apply.length, waiting: clickhouse.skipped.map((m) => `${m.version}_${m.name}`), serverVersion: clickhouse.serverVersion }, 'ClickHouse schema is up to date');
  } catch (error) {
    // The same explanation as main.ts's start-up: the setting to change, never a stack trace nor a secret.
    const { setting, problem, code } = explainStartupFailure(error, config, processEnv());
    fail({ setting, problem, code });
  }
}
