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
];

for (const [filePath, code] of DOWNWARD_VIOLATIONS) {
  test(`lint refuses ${filePath}: ${code}`, async (t) => {
    const messages = await restrictedImports(filePath, `${code}\nexport const used = 1;\n`);
    t.is(messages.length, 1, `no-restricted-imports must flag: ${code}`);
    t.regex(messages[0] ?? '', /may import only from the layers below it|imports nothing of app\/src|imports nothing of app\/src outside shared/);
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
];

for (const [filePath, code] of ALLOWED) {
  test(`lint accepts ${filePath}: ${code}`, async (t) => {
    t.deepEqual(await restrictedImports(filePath, `${code}\nexport const used = 1;\n`), []);
  });
}
