// Typed ESLint for every workspace: each package runs `eslint .` from its own folder and this file
// is found by walking up. The layer rules (which package may import which) and the `process.env`
// rule live in tooling/eslint/layers.js.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { envRule, layerConfigs } from './tooling/eslint/layers.js';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/src/generated/**',
      '**/.turbo/**',
      '**/*.js',
      '**/*.mjs',
      '**/.next/**',
      '**/next-env.d.ts',
      '**/test-results/**',
      '**/playwright-report/**',
      '.stryker-tmp/**',
      'reports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...layerConfigs(),
  ...envRule,
);
