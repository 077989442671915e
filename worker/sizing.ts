/**
 * How big the worker may grow, and how much it may do at once, from one memory budget. Pure: the
 * machine's memory and the operator's overrides come in as arguments, so the numbers are tested
 * without a machine of each size (test/worker/sizing.test.ts).
 *
 * The figures below were measured with `npm run bench:worker-memory` (README, Performance): they
 * are what the worker costs, with margins, not guesses at what the SDK might need.
 */

const MB = 1024 * 1024;

/** Never more than this by default: issue 14's target for 10,000 open cases is RSS ≤ 1 GB. */
export const DEFAULT_BUDGET_CAP_MB = 1024;
/** Share of the machine's memory the worker takes by default: it shares it with the API and the servers. */
export const DEFAULT_BUDGET_SHARE = 0.25;
/** Below this the worker cannot hold its own code (BASELINE_MB), its activities and a useful cache. */
export const MIN_BUDGET_MB = 512;

/**
 * RSS of a worker holding no workflow: Node, the Rust core, the workflow bundle evaluated once in
 * its V8 context (≈ 300 MB measured with stub activities), plus mongoose, pino and the providers'
 * SDKs of the real worker.
 */
export const BASELINE_MB = 350;
/**
 * RSS per workflow kept in the cache with the domain modules preloaded once (measured ≈ 0.3 MB;
 * without preloading ≈ 1 to 1.9 MB), with a margin for cases whose state grew (a long journal, a plan).
 */
export const CACHED_WORKFLOW_MB = 0.4;
/**
 * Memory an activity in flight may hold: a mise en demeure or dossier PDF rendered with pdfkit,
 * the request and answer of a provider, a mongoose document (npm run bench:documents).
 */
export const ACTIVITY_MB = 4;

/**
 * Activities run at once. Each one holds a database connection or a provider call: at the 10:00
 * opening of the contact window every sleeping case wakes together, and more than this in flight
 * only queues in the database (FerretDB over SQLite writes one at a time) and starves the API.
 */
export const MIN_ACTIVITY_CONCURRENCY = 8;
export const MAX_ACTIVITY_CONCURRENCY = 50;
/**
 * Workflow tasks at once. Workflow code runs on one thread (a reused V8 context), but a task also
 * holds its slot while its bookkeeping local activities wait on the database: with 10 slots a
 * case's first task (journal, rates, view: ≈ 0.8 s of waiting under load) capped the worker at
 * ≈ 12 new cases a second, and intake at 34 a second left a backlog that every action then queued
 * behind (issue 14, `npm run bench:scale`: 8,848 of 9,000 cases not yet saved after the fill).
 */
export const DEFAULT_WORKFLOW_TASK_CONCURRENCY = 40;
/** The bookkeeping local activities (journal, view, rates) of the tasks above, one or two each. */
export const DEFAULT_LOCAL_ACTIVITY_CONCURRENCY = 40;
/** Share of the budget given to each V8 heap (the main thread's and the workflow thread's). */
export const HEAP_SHARE = 0.75;

export interface WorkerSizingInput {
  /** os.totalmem() */
  totalMemoryBytes: number;
  /** AMIABLE_WORKER_MEMORY_MB */
  memoryBudgetMb?: number;
  /** TEMPORAL_MAX_CACHED_WORKFLOWS: 0 turns the cache (and sticky queues) off. */
  maxCachedWorkflows?: number;
  /** AMIABLE_WORKER_ACTIVITY_CONCURRENCY */
  activityConcurrency?: number;
  /** AMIABLE_WORKER_WORKFLOW_TASK_CONCURRENCY */
  workflowTaskConcurrency?: number;
}

export interface WorkerSizing {
  memoryBudgetMb: number;
  /** Node's --max-old-space-size for the worker process (applies to each V8 isolate). */
  heapMb: number;
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

export function defaultMemoryBudgetMb(totalMemoryBytes: number): number {
  const share = Math.floor((totalMemoryBytes / MB) * DEFAULT_BUDGET_SHARE);
  return clamp(share, MIN_BUDGET_MB, DEFAULT_BUDGET_CAP_MB);
}

export function workerSizing(input: WorkerSizingInput): WorkerSizing {
  const memoryBudgetMb = input.memoryBudgetMb ?? defaultMemoryBudgetMb(input.totalMemoryBytes);
  if (!Number.isInteger(memoryBudgetMb) || memoryBudgetMb < MIN_BUDGET_MB) {
    throw new RangeError(
      `worker memory budget must be an integer of at least ${MIN_BUDGET_MB} MB, not ${memoryBudgetMb}`,
    );
  }
  const maxConcurrentActivityTaskExecutions =
    input.activityConcurrency ??
    clamp(Math.floor(memoryBudgetMb / 32), MIN_ACTIVITY_CONCURRENCY, MAX_ACTIVITY_CONCURRENCY);
  // What is left once the process and its activities in flight are paid for goes to the cache;
  // the SDK refuses a cache of 1 (0 is "no cache", otherwise at least 2).
  const forCache = memoryBudgetMb - BASELINE_MB - maxConcurrentActivityTaskExecutions * ACTIVITY_MB;
  const maxCachedWorkflows = input.maxCachedWorkflows ?? Math.max(2, Math.floor(forCache / CACHED_WORKFLOW_MB));
  // The SDK lowers task slots to the cache size (and refuses fewer than 2 with a cache).
  const workflowTasks = input.workflowTaskConcurrency ?? DEFAULT_WORKFLOW_TASK_CONCURRENCY;
  const maxConcurrentWorkflowTaskExecutions =
    maxCachedWorkflows === 0 ? workflowTasks : clamp(workflowTasks, 2, maxCachedWorkflows);
  return {
    memoryBudgetMb,
    heapMb: Math.floor(memoryBudgetMb * HEAP_SHARE),
    maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions,
    maxConcurrentLocalActivityExecutions: DEFAULT_LOCAL_ACTIVITY_CONCURRENCY,
  };
}

/** The node flags the worker process is started with (npm start, docker-compose.yml). */
export function workerNodeArgs(sizing: Pick<WorkerSizing, 'heapMb'>): string[] {
  return [`--max-old-space-size=${sizing.heapMb}`];
}
