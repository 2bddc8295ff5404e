'use strict'
const js = require('@eslint/js')
const globals = require('globals')

module.exports = [
  { ignores: ['binding.d.ts', 'target/**', 'artifacts/**', 'node_modules/**', 'docs/api/**', '**/*.d.ts', '__test__/types/**/*.ts'] },
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'commonjs',
      globals: { ...globals.node }
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      semi: ['error', 'never'],
      quotes: ['error', 'single', { avoidEscape: true }],
      'prefer-const': 'error',
      'no-var': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }]
    }
  }
]
