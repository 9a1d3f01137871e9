import tseslint from 'typescript-eslint';

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
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
