// The only place that reads process.env.
import type { Env } from './config.ts';

/**
 * The one place that reads `process.env` (lint forbids it elsewhere).
 * @returns the environment, for loadConfig.
 */
export function processEnv(): Env {
  return process.env;
}
