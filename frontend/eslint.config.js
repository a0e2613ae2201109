import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';

export default [
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.{js,vue}'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    rules: {
      // Components talk to the API only through src/shared/api.js.
      'no-restricted-globals': ['error', {
        name: 'fetch',
        message: 'use the API client in src/shared/api.js',
      }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // The API client is the one place allowed to touch fetch.
    files: ['src/shared/api.js'],
    rules: { 'no-restricted-globals': 'off' },
  },
  {
    files: ['vite.config.js', 'eslint.config.js', 'tools/**/*.js', 'tools/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
];
