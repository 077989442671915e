/* global process */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The fault-injection run kills real processes on a timing of its own: beside other suites on a
  // 2-core machine it starves. `npm test` runs it alone after the rest (`npm run test:faults`).
  testPathIgnorePatterns:
    process.env.AMIABLE_FAULT_INJECTION === 'alone'
      ? ['/node_modules/']
      : ['/node_modules/', '/test/stack/fault-injection'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Starts FerretDB once per run (and provisions the test servers on a fresh machine).
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/quiet-sdk-logs.ts'],
  // Workflow tests bundle code and start a test server per file: seconds, not milliseconds.
  testTimeout: 120_000,
  maxWorkers: 2,
};
