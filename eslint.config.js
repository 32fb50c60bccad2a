// ESLint for stayhere's browser code (flat config). The pages' scripts are ES modules served from our own
// origin; they run in the browser and load nothing from anywhere else. Run by scripts/js_checks.sh.
import js from '@eslint/js';
import globals from 'globals';

// Rules that catch real mistakes, beyond the recommended set.
const bugs = {
  'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none', ignoreRestSiblings: true }],
  eqeqeq: ['error', 'always'],
  'no-undef': 'error',
  'no-implicit-globals': 'error',
  'no-var': 'error',
  'prefer-const': ['error', { destructuring: 'all' }],
  'no-self-compare': 'error',
  'no-template-curly-in-string': 'error',
  'no-unmodified-loop-condition': 'error',
  'no-unreachable-loop': 'error',
  'no-promise-executor-return': 'error',
  'array-callback-return': 'error',
  'no-constructor-return': 'error',
  'no-new-native-nonconstructor': 'error',
  'no-shadow-restricted-names': 'error',
};

export default [
  { ignores: ['node_modules/**', 'stayhere/static/stayhere/vendor/**'] },  // vendor: libsodium.js as built
  js.configs.recommended,
  {
    files: ['stayhere/static/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.browser } },
    rules: {
      ...bugs,
      // A bare `event`, `name` or `status` is the window's, not a forgotten local: refuse them.
      'no-restricted-globals': ['error', 'event', 'name', 'status', 'length', 'closed', 'parent', 'top', 'self', 'opener', 'origin'],
      // Modules come from this site only: every import is a relative path to a file beside it.
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'Import only our own modules, by a ./ path: pages load nothing from another origin.' }] }],
    },
  },
  {
    files: ['tests/js/**/*.mjs', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    rules: bugs,
  },
];
