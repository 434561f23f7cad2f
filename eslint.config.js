// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Folders may only import from folders earlier in the data flow (DESIGN.md §4):
 * model → expr → providers, scoping → engine → actuators → queue → triggers → api, cli, dashboard.
 * telemetry is a leaf any stage may use.
 */
const stages = [
  ['model'],
  ['expr'],
  ['providers', 'scoping'],
  ['engine'],
  ['actuators'],
  ['queue'],
  ['triggers'],
  ['api', 'cli', 'dashboard'],
];
const later = (index) => stages.slice(index + 1).flat();

const boundaryRules = stages.flatMap((group, index) =>
  group.map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: later(index).map((f) => ({
            group: [`**/${f}/*`, `**/${f}`],
            message: `src/${folder} may not import from src/${f}: data flows one way (DESIGN.md §4).`,
          })),
        },
      ],
    },
  })),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'src/dashboard/web/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...boundaryRules,
);
