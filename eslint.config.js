// ESLint (flat config): typescript-eslint, React hooks, accessibility, import
// order and drizzle's delete/update-with-where rules. Formatting is Prettier's
// job (eslint-config-prettier turns off the rules that would fight it).
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import drizzle from 'eslint-plugin-drizzle'
import importX from 'eslint-plugin-import-x'
import jsxA11y from 'eslint-plugin-jsx-a11y'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
	{
		ignores: [
			'build/**',
			'build-*/**',
			'public/build/**',
			'node_modules/**',
			'test-results/**',
			'playwright-report/**',
			'.data/**',
			'.reports/**',
			'db/migrations/**',
			// Recipes run elsewhere (Forge, a vendor's job) and are written for people to copy.
			'docs/recipes/**',
		],
	},
	js.configs.recommended,
	...tseslint.configs.recommended,
	jsxA11y.flatConfigs.recommended,
	{
		languageOptions: {
			ecmaVersion: 2023,
			sourceType: 'module',
			globals: { ...globals.node, ...globals.browser },
		},
		// `~/…` (app) and `#db/…` (database) are the project's own modules.
		settings: { 'import-x/internal-regex': '^(~|#)' },
		plugins: { 'react-hooks': reactHooks, drizzle, 'import-x': importX },
		rules: {
			'react-hooks/rules-of-hooks': 'error',
			'react-hooks/exhaustive-deps': 'warn',
			// `db.delete(table)` or `db.update(table)` without `.where()` touches every row.
			'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
			'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
			'import-x/no-duplicates': ['error', { 'prefer-inline': true }],
			'import-x/first': 'error',
			'import-x/order': [
				'error',
				{
					groups: ['builtin', 'external', 'internal', ['parent', 'sibling', 'index'], 'type'],
					alphabetize: { order: 'asc', caseInsensitive: true },
				},
			],
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
			],
			'@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
			// Control characters are what the input checks look for.
			'no-control-regex': 'off',
			// \`catch {}\` is how a best-effort clean-up says "nothing to do".
			'no-empty': ['error', { allowEmptyCatch: true }],
			// The first field of a sign-in form takes focus (a component prop, not a DOM one elsewhere).
			'jsx-a11y/no-autofocus': ['error', { ignoreNonDOM: true }],
		},
	},
	prettier,
)
