// Issue 17: the layers of app/src point one way (config <- store/events <- auth <- http <- composition/main),
// enforced by the no-restricted-imports blocks of eslint.config.js, which `npm run lint` runs. These tests run
// ESLint's Node API (ESLint#lintText, eslint 9) with the repository's own config on small in-memory files, so
// that a rule which stopped matching (a wrong regex, a block shadowed by a later one) fails here.
import test from 'ava';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

const DOWNWARD_VIOLATIONS: Array<[string, string]> = [
  ['app/src/store/x.ts', "import { errorBody } from '../http/errors.ts';"],
  ['app/src/store/x.ts', "import { createLoginThrottle } from '../auth/lockout.ts';"],
  ['app/src/store/x.ts', "import { createEventEmitter } from '../events/emitter.ts';"],
  ['app/src/events/x.ts', "import { createSql } from '../store/db.ts';"],
  ['app/src/config/x.ts', "import { SettingError } from '../store/db.ts';"],
  ['app/src/auth/x.ts', "import { createApp } from '../http/app.ts';"],
  ['app/src/auth/x.ts', "import { composeApp } from '../composition.ts';"],
  ['app/src/http/x.ts', "import { createSql } from '../store/db.ts';"],
  ['app/src/http/routes/x.ts', "import { createSql } from '../../store/db.ts';"],
  ['app/src/http/x.ts', "import { composeApp } from '../composition.ts';"],
  ['app/src/errors.ts', "import { ERRORS } from './http/errors.ts';"],
  ['app/src/shared/x.ts', "import { AppError } from '../errors.ts';"],
  // Other spellings of an upward import; each passed lint and tsc before the issue-17 review.
  ['app/src/store/x.ts', "import { errorBody } from './../http/errors.ts';"],
  ['app/src/store/x.ts', "import { errorBody } from '.././http/errors.ts';"],
  ['app/src/auth/x.ts', "import { errorBody } from '../store/../http/errors.ts';"],
  ['app/src/store/x.ts', "import { errorBody } from '../../src/http/errors.ts';"],
  ['app/src/http/routes/x.ts', "import { createSql } from '../../../src/store/db.ts';"],
  ['app/src/store/x.ts', "import { errorBody } from '@auth-platform/app/src/http/errors.ts';"],
  ['app/src/store/x.ts', "export { errorBody } from '../http/errors.ts';"],
  ['app/src/store/x.ts', "import type { AppState } from '../http/context.ts';"],
  ['app/src/shared/x.ts', "import { AppError } from './../errors.ts';"],
  ['app/src/shared/x.ts', "import { AppError } from './sub/../../errors.ts';"],
  ['app/src/errors.ts', "import { errorBody } from '@auth-platform/app/src/http/errors.ts';"],
];

for (const [filePath, code] of DOWNWARD_VIOLATIONS) {
  test(`lint refuses ${filePath}: ${code}`, async (t) => {
    const messages = await restrictedImports(filePath, `${code}\nexport const used = 1;\n`);
    t.is(messages.length, 1, `no-restricted-imports must flag: ${code}`);
    t.regex(messages[0] ?? '', /may import only from the layers below it|imports nothing of app\/src|normal form|without leaving it|not through the package name/);
  });
}

// no-restricted-imports does not see these forms, so app/src has none of them (no-restricted-syntax).
const HIDDEN_IMPORTS: Array<[string, string]> = [
  ['app/src/store/x.ts', "export async function load() { return import('../http/errors.ts'); }"],
  ['app/src/store/x.ts', "export type State = import('../http/context.ts').AppState;"],
  ['app/src/store/x.ts', "import errors = require('../http/errors.ts'); export const body = errors.errorBody;"],
];

for (const [filePath, code] of HIDDEN_IMPORTS) {
  test(`lint refuses ${filePath}: ${code}`, async (t) => {
    const [result] = await eslint.lintText(`${code}\nexport const used = 1;\n`, { filePath });
    const messages = (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-syntax');
    t.is(messages.length, 1, `no-restricted-syntax must flag: ${code}`);
    t.regex(messages[0]?.message ?? '', /checked by the layering rule/);
  });
}

const ALLOWED: Array<[string, string]> = [
  ['app/src/store/x.ts', "import { AppError } from '../errors.ts';"],
  ['app/src/store/x.ts', "import { SettingError } from '../config/setting-error.ts';"],
  ['app/src/auth/x.ts', "import { createSql } from '../store/db.ts';"],
  ['app/src/http/x.ts', "import { createAuthService } from '../auth/auth-service.ts';"],
  ['app/src/http/routes/x.ts', "import { AppError } from '../../errors.ts';"],
  ['app/src/composition.ts', "import { createApp } from './http/app.ts';"],
  ['app/src/store/x.ts', "import { pendingMigrations } from '../shared/migration-files.ts';"],
  ['app/src/shared/x.ts', "import { withDeadline } from './deadline.ts';"],
  ['app/src/http/routes/x.ts', "import { defineRoute } from '../route.ts';"],
  ['app/src/http/x.ts', "import { errorHandler } from './middleware/error-handler.ts';"],
  ['app/src/ops/x.ts', "import { createSql } from '../store/db.ts';"],
  ['app/src/events/x.ts', "import { exponentialBackoff } from '../shared/backoff.ts';"],
];

for (const [filePath, code] of ALLOWED) {
  test(`lint accepts ${filePath}: ${code}`, async (t) => {
    t.deepEqual(await restrictedImports(filePath, `${code}\nexport const used = 1;\n`), []);
  });
}
