/**
 * How the workflow code is bundled and run, in one place: the worker (worker/main.ts), the replay
 * tests and the workflow tests (test/helpers/temporal.ts) and the memory bench all use it, so a
 * history replays under the options that run the cases.
 */
import type { WorkerOptions } from '@temporalio/worker';

/**
 * Modules evaluated once in the worker's shared V8 context instead of once per workflow: the pure
 * domain rules the workflows import (with what they import: luxon, zod, the policies and
 * calendars). Each workflow evaluating them again cost ≈ 1.6 MB per cached case (issue 14;
 * `npm run bench:worker-memory`). Safe only because these modules keep no state that a workflow
 * could change: test/worker/preloaded-modules.test.ts fails if one gains mutable module state or
 * if the workflows import a domain module that is not listed here.
 */
export const PRELOADED_WORKFLOW_MODULES: readonly string[] = [
  '../domain/case/actions',
  '../domain/case/alerts',
  '../domain/case/channel-events',
  '../domain/case/installment-plan',
  '../domain/case/message-amounts',
  '../domain/case/prescription-review',
  '../domain/case/progress',
  '../domain/case/rates',
  '../domain/case/rules-version',
  '../domain/case/state',
  '../domain/case/view',
  '../domain/dates',
  '../domain/installments',
  '../domain/money',
];

export const CASE_WORKFLOWS_PATH = require.resolve('../workflows');

export interface WorkflowBundleSettings {
  workflowsPath: string;
  /** Absolute paths, so the bundler resolves them to the very modules the workflows import. */
  preloadModules: string[];
}

/** For `bundleWorkflowCode({ ...workflowBundleSettings(), logger })`. */
export function workflowBundleSettings(workflowsPath: string = CASE_WORKFLOWS_PATH): WorkflowBundleSettings {
  return { workflowsPath, preloadModules: PRELOADED_WORKFLOW_MODULES.map((module) => require.resolve(module)) };
}

/**
 * Worker options that decide how workflow code runs. `reuseV8Context` is the SDK's default in
 * 1.24, set here because preloading only shares modules within one reused context.
 */
export function workflowRuntimeOptions(
  workflowsPath: string = CASE_WORKFLOWS_PATH,
): Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions' | 'reuseV8Context'> {
  const { preloadModules } = workflowBundleSettings(workflowsPath);
  return { workflowsPath, bundlerOptions: { preloadModules }, reuseV8Context: true };
}
