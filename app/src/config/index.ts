export { ConfigError, loadClickHouseConfig, loadConfig, secretVariableNames, type Config, type Env } from './config.ts';
export { configVariables, type ConfigVariable, type VariableName } from './variables.ts';
export { DURATION_FORMAT, parseDurationSeconds } from './duration.ts';
export { SIGNING_KEY_STATES, parseSigningJwkSet, type SigningJwk, type SigningJwkSet, type SigningKeyState } from './jwk-set.ts';
