// The only place that reads process.env.
import type { Env } from './config.ts';

export function processEnv(): Env {
  return process.env;
}
