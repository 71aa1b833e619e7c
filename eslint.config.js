// Lint, including the layer rules of docs/ARCHITECTURE.md: they are enforced here so they
// cannot rot (as VS Code and Signal do).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const electronImport = {
  name: 'electron',
  message: 'electron/core is plain Node: inject what it needs through its constructor (see electron/core/deps.ts).',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|describe|test)$/]",
          message: 'no focused tests',
        },
      ],
    },
  },
  {
    // The engine: no Electron, no DOM, no main-process glue.
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronImport],
          patterns: [
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**'],
              message: 'electron/core must not depend on the desktop shell or the renderer.',
            },
            {
              group: ['**/contract', '**/contract.js', '**/app/**', '**/headless/**', '**/simulator/**'],
              message:
                'electron/core is the bottom layer: the IPC contract, the application service (electron/app), headless and the simulator sit above it.',
            },
            { group: ['react', 'react-dom', 'zustand'], message: 'electron/core has no UI.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage'],
    },
  },
  {
    // The application service (electron/app): the engine plus what the desktop adds; no Electron.
    files: ['electron/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { ...electronImport, message: 'electron/app is plain Node: Electron reaches it through electron/main.' },
          ],
          patterns: [
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**'],
              message: 'electron/app sits below the desktop shell.',
            },
            { group: ['react', 'react-dom', 'zustand'], message: 'electron/app has no UI.' },
          ],
        },
      ],
    },
  },
  {
    // The simulator and headless mode run without Electron too.
    files: ['electron/simulator/**/*.ts', 'electron/headless/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronImport],
          patterns: [
            { group: ['**/main/**', '**/preload/**', '**/renderer/**'], message: 'runs without the desktop shell.' },
          ],
        },
      ],
    },
  },
  {
    // The renderer sees only the IPC contract.
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electronImport],
          patterns: [
            {
              regex: '^(\\.\\./)+electron/(?!contract(\\.js)?$)',
              message: 'renderer/ may import only electron/contract from electron/.',
            },
            { group: ['node:*'], message: 'the renderer is sandboxed: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // The preload exposes the contract's bridge and nothing else.
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!electron$|\\.\\./contract(\\.js)?$)',
              message: 'the preload may import only electron and ../contract.',
            },
          ],
        },
      ],
    },
  },
  {
    // Every window is created by createSecureWindow (security.ts), so none can skip the baseline.
    files: ['electron/main/**/*.ts'],
    ignores: ['electron/main/security.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='BrowserWindow']",
          message: 'create windows with createSecureWindow (electron/main/security.ts).',
        },
      ],
    },
  },
  {
    files: ['test/**/*.{ts,tsx}', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
