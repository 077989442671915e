/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Starts FerretDB once per run (and provisions the test servers on a fresh machine).
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/quiet-sdk-logs.ts'],
  // Workflow tests bundle code and start a test server per file: seconds, not milliseconds.
  testTimeout: 120_000,
  maxWorkers: 2,
};
