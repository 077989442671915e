import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DateTime } from 'luxon';
import { requireTestEnv, TEST_ENV } from '../setup/test-env';
import { workflowBundleSettings } from '../../worker/workflow-bundle';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { nextPinnedInstant, testClockPin } from './test-clock';

/**
 * A time-skipping server of this test file's own: skipped time is global to a server, so files
 * running in parallel must not share one. The launcher is the one built by
 * scripts/provision/test-server.sh (the SDK's own download needs the internet).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireTestEnv(TEST_ENV.testServerPath) } },
  });
  try {
    await moveToPinnedClock(env);
  } catch (error) {
    await env.teardown();
    throw error;
  }
  return env;
}

/**
 * The server starts on the machine's clock; R4 makes what a case does depend on the Paris hour and
 * day (windows, weekends, holidays), so before any workflow runs the virtual clock is moved to the
 * pin of AMIABLE_TEST_CLOCK (test/helpers/test-clock.ts): the same file behaves the same whenever
 * it runs, and `npm run test:clocks` runs the time-sensitive files at awkward pins.
 */
export async function moveToPinnedClock(env: TestWorkflowEnvironment): Promise<DateTime> {
  const target = nextPinnedInstant(await env.currentTimeMs(), testClockPin());
  await env.sleep(Math.max(1, target.toMillis() - (await env.currentTimeMs())));
  return target;
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

/**
 * Bundle once per test file and hand the bundle to every worker the file creates. Bundled as the
 * worker bundles it (domain modules preloaded, worker/workflow-bundle.ts), so tests and replays run
 * the code the way production does.
 */
export function bundleWorkflows(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ ...workflowBundleSettings(workflowsPath), logger: quietBundlerLogger });
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
