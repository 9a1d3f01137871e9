import tseslint from 'typescript-eslint';

// The layers of app/src, lowest first: errors.ts and shared/ (small helpers) below everything; config and
// observability at the bottom of the rest; store and events
// (siblings) above them; auth above those; http above auth; composition.ts, main.ts and the ops CLIs on top.
// Each folder may import only from below it (issue 17). A relative specifier's folder is matched by name:
// from app/src/<folder>/x.ts, `../http/...` is app/src/http (no folder has a child named like a layer).
const LAYERS = ['config', 'observability', 'errors', 'store', 'events', 'auth', 'http', 'composition', 'main', 'ops'];
const ABOVE = {
  config: ['observability', 'errors', 'store', 'events', 'auth', 'http', 'composition', 'main', 'ops'],
  observability: ['store', 'events', 'auth', 'http', 'composition', 'main', 'ops'],
  store: ['events', 'auth', 'http', 'composition', 'main', 'ops'],
  events: ['store', 'auth', 'http', 'composition', 'main', 'ops'],
  auth: ['http', 'composition', 'main', 'ops'],
  http: ['store', 'composition', 'main', 'ops'],
  ops: ['http', 'composition', 'main'],
};
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
            message: `app/src/${folder} may import only from the layers below it (${LAYERS.filter((layer) => layer !== folder && !forbidden.includes(layer)).join(', ')}): see eslint.config.js.`,
          },
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
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.', message: 'app/src/errors.ts imports nothing of app/src: it is below every layer.' }] }] },
  },
  {
    // shared/ holds helpers every layer may use (deadline, backoff, migration files): it imports nothing else of app/src.
    files: ['app/src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: 'app/src/shared imports nothing of app/src outside shared/: it is below every layer.' }] }] },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
