// One app on one fresh database for a whole test file. The hooks are registered on the file's `test`;
// the returned objects forward to the real ones once `test.before` has run.
import type { TestFn } from 'ava';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.ts';

export function sharedTestApp(test: TestFn, options: TestAppOptions = {}, { checkOpenApi = true } = {}): { app: TestApp; db: TestDatabase } {
  const state: { app?: TestApp; db?: TestDatabase } = {};
  test.before(async () => {
    state.db = await createTestDatabase();
    state.app = await startTestApp(state.db, options);
  });
  test.after.always(async () => {
    await state.app?.close();
    await state.db?.drop();
  });
  if (checkOpenApi) {
    test.afterEach.always('every response matched its OpenAPI documentation', (t) => {
      t.deepEqual(state.app?.undocumented, []);
    });
  }
  return { app: lateBound(() => state.app, 'app'), db: lateBound(() => state.db, 'db') };
}

function lateBound<T extends object>(get: () => T | undefined, name: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const value = get();
      if (!value) throw new Error(`the shared test ${name} is used before test.before ran`);
      // Members are returned as they are: binding would strip the properties of callable objects such as
      // postgres.js's `sql` (sql.begin, sql.end, ...). The helpers' methods are closures, not `this`-bound.
      return Reflect.get(value, property, value);
    },
  });
}
