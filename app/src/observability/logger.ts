// Structured JSON logs. Secrets are removed by path before a line is written, as a second line of
// defence: the code never logs bodies or headers wholesale in the first place.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths redacted from every log line. Wildcards cover one level of nesting (e.g. `err.password`). */
export const REDACT_PATHS = [
  'password', '*.password', 'current_password', '*.current_password', 'new_password', '*.new_password',
  'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'token', '*.token', 'accessToken', 'refreshToken',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'headers.cookie', '*.headers.cookie',
  'd', '*.d', 'privateKey', '*.privateKey', 'signingKeys', '*.signingKeys',
  ...['JWT_SIGNING_KEYS', 'DATABASE_URL', 'DATABASE_MIGRATION_URL', 'CLICKHOUSE_PASSWORD'].flatMap((name) => [name, `*.${name}`]),
  'migrationUrl', '*.migrationUrl', 'database.url', '*.database.url', 'clickhouse.password', '*.clickhouse.password',
];

export interface LoggerOptions {
  level: string;
  serviceVersion?: string;
  environment?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

/**
 * The pino JSON logger, with secrets redacted (passwords, tokens, Authorization, cookies).
 * @param options - level, service version, environment and an optional destination stream.
 * @returns the logger.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'auth', version: options.serviceVersion, environment: options.environment },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
