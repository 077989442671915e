import type { Supervisor } from '../../scripts/local-stack/supervisor';

/** Environment variables through which the global setup tells test files where the servers are. */
export const TEST_ENV = {
  testServerPath: 'AMIABLE_TEST_SERVER_PATH',
  temporalCliPath: 'AMIABLE_TEST_TEMPORAL_CLI_PATH',
  mongodbUri: 'AMIABLE_TEST_MONGODB_URI',
} as const;

export type TestRunState = typeof globalThis & {
  amiableTestRun?: { supervisor: Supervisor; dataDir: string };
};

export function requireTestEnv(name: (typeof TEST_ENV)[keyof typeof TEST_ENV]): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (npm test), whose global setup sets it`);
  return value;
}
