import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { requireTestEnv, TEST_ENV } from '../setup/test-env';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

/**
 * A time-skipping server of this test file's own: skipped time is global to a server, so files
 * running in parallel must not share one. The launcher is the one built by
 * scripts/provision/test-server.sh (the SDK's own download needs the internet).
 */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireTestEnv(TEST_ENV.testServerPath) } },
  });
}

/** A real dev server (no time skipping) with the case search attributes: for visibility queries. */
export function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTestEnv(TEST_ENV.temporalCliPath) },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      ui: false,
    },
  });
}

/** Bundle once per test file and hand the bundle to every worker the file creates. */
export function bundleWorkflows(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

const ignore = (): void => undefined;
const quietBundlerLogger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: console.error,
  log: ignore,
};
