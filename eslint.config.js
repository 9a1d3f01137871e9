import tseslint from 'typescript-eslint';

// The layers of app/src, lowest first: errors.ts and shared/ (small helpers) below everything; config and
// observability at the bottom of the rest; store and events
// (siblings) above them; auth above those; http above auth; composition.ts, main.ts and the ops CLIs on top.
// Each folder may import only from below it (issue 17). A relative specifier's folder is matched by name:
// from app/src/<folder>/x.ts, `../http/...` is app/src/http (no folder has a child named like a layer).
const LAYERS = ['shared', 'config', 'observability', 'errors', 'store', 'events', 'auth', 'http', 'composition', 'main', 'ops'];
const ABOVE = {
  config: ['observability', 'errors', 'store', 'events', 'auth', 'http', 'composition', 'main', 'ops'],
  observability: ['store', 'events', 'auth', 'http', 'composition', 'main', 'ops'],
  store: ['events', 'auth', 'http', 'composition', 'main', 'ops'],
  events: ['store', 'auth', 'http', 'composition', 'main', 'ops'],
  auth: ['http', 'composition', 'main', 'ops'],
  http: ['store', 'composition', 'main', 'ops'],
  ops: ['http', 'composition', 'main'],
};
// The per-folder patterns read a specifier as written, so every other way of naming an upper layer is
// refused too (each of these passed lint and tsc before, issue 17 review): a relative path that is not in
// normal form (`./../http/x.ts`, `.././http/x.ts`, `../store/../http/x.ts`), one that climbs out of app/src
// and back in through `src/` (`../../src/http/x.ts`), and the workspace's own package name
// (`@auth-platform/app/src/http/x.ts`, which node_modules links back to app/).
const EVERY_FOLDER_PATTERNS = [
  {
    regex: '^\\./\\.\\.(/|$)|/\\.(/|$)|(^|/)(?!\\.\\.?(/|$))[^/]+/\\.\\.(/|$)',
    message: 'Write a relative import in normal form (`../layer/file.ts`), so the layering rule of eslint.config.js can read it.',
  },
  { regex: '^\\.\\.?/(.*/)?src(/|$)', message: 'Import inside app/src without leaving it (no `../../src/...`): see eslint.config.js.' },
  { regex: '^@auth-platform/app(/|$)', message: 'Import app/src by relative path, not through the package name: see eslint.config.js.' },
];
// no-restricted-imports sees import and export declarations only: an `import()` expression, an import type
// (`import('../http/x.ts').T`) or `import x = require(...)` would reach any layer unseen, so app/src has none.
const NO_HIDDEN_IMPORTS = [
  'error',
  { selector: 'ImportExpression', message: 'No import() in app/src: a static import is checked by the layering rule (eslint.config.js).' },
  { selector: 'TSImportType', message: 'No import types in app/src: `import type` is checked by the layering rule (eslint.config.js).' },
  { selector: 'TSExternalModuleReference', message: 'No `import x = require()` in app/src: a static import is checked by the layering rule (eslint.config.js).' },
];
/** One flat-config block per folder: imports from a layer that is not below it are errors. */
const layering = Object.entries(ABOVE).map(([folder, forbidden]) => ({
  files: [`app/src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(${forbidden.join('|')})(/|\\.ts$)`,
            message: `app/src/${folder} may import only from the layers below it (${LAYERS.filter((layer) => layer !== folder && !forbidden.includes(layer)).join(', ') || 'none'}): see eslint.config.js.`,
          },
          ...EVERY_FOLDER_PATTERNS,
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.local/**', '**/.terraform/**', '**/.terragrunt-cache/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['app/src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-syntax': NO_HIDDEN_IMPORTS,
      // process.env is read in one place only: app/src/config.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through app/src/config.' }],
    },
  },
  {
    files: ['app/src/config/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...layering,
  {
    // errors.ts is the bottom of the app: it imports nothing of app/src.
    files: ['app/src/errors.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.', message: 'app/src/errors.ts imports nothing of app/src: it is below every layer.' }, ...EVERY_FOLDER_PATTERNS.slice(2)] }] },
  },
  {
    // shared/ holds helpers every layer may use (deadline, backoff, migration files): it imports nothing else of app/src.
    files: ['app/src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./|^\\./\\.\\.(/|$)|/\\.\\.(/|$)', message: 'app/src/shared imports nothing of app/src outside shared/: it is below every layer.' }, ...EVERY_FOLDER_PATTERNS.slice(2)] }] },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
