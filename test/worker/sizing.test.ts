import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadWorkerConfig, loadWorkerSizingEnv } from '../../config';
import { workerLaunch } from '../../scripts/local-stack/worker-launch';
import {
  ACTIVITY_MB,
  BASELINE_MB,
  CACHED_WORKFLOW_MB,
  MAX_ACTIVITY_CONCURRENCY,
  MIN_ACTIVITY_CONCURRENCY,
  workerNodeArgs,
  workerSizing,
} from '../../worker/sizing';

const GB = 1024 ** 3;
const DATA_KEY = Buffer.alloc(32, 7).toString('base64');

/** What the cache, the process and the activities in flight cost, by the measured figures. */
const footprintMb = (sizing: ReturnType<typeof workerSizing>) =>
  BASELINE_MB +
  sizing.maxCachedWorkflows * CACHED_WORKFLOW_MB +
  sizing.maxConcurrentActivityTaskExecutions * ACTIVITY_MB;

describe('the budget', () => {
  test.each([
    [24 * GB, 1024],
    [4 * GB, 1024],
    [2 * GB, 512],
    [1 * GB, 512],
    [0.5 * GB, 512],
  ])(
    'a machine of %d bytes gives the worker %d MB by default (a quarter, at least 512 MB, at most 1 GB)',
    (total, budget) => {
      expect(workerSizing({ totalMemoryBytes: total }).memoryBudgetMb).toBe(budget);
    },
  );

  test('AMIABLE_WORKER_MEMORY_MB wins over the machine', () => {
    expect(workerSizing({ totalMemoryBytes: 24 * GB, memoryBudgetMb: 2048 }).memoryBudgetMb).toBe(2048);
    expect(workerSizing({ totalMemoryBytes: 1 * GB, memoryBudgetMb: 2048 }).memoryBudgetMb).toBe(2048);
  });

  test('a budget too small to hold the worker is refused', () => {
    expect(() => workerSizing({ totalMemoryBytes: 24 * GB, memoryBudgetMb: 100 })).toThrow(/at least 512 MB/);
  });
});

describe('what the budget pays for', () => {
  test.each([512, 700, 1024, 2048, 8192])('%d MB: cache, activities and process fit in the budget', (budget) => {
    const sizing = workerSizing({ totalMemoryBytes: 24 * GB, memoryBudgetMb: budget });
    expect(footprintMb(sizing)).toBeLessThanOrEqual(budget);
    expect(sizing.maxCachedWorkflows).toBeGreaterThanOrEqual(2);
    expect(sizing.heapMb).toBeLessThan(budget);
  });

  test('the default budget caches over a thousand cases, well short of 10,000: the rest replay when they wake', () => {
    const sizing = workerSizing({ totalMemoryBytes: 24 * GB });
    expect(sizing).toEqual({
      memoryBudgetMb: 1024,
      heapMb: 768,
      maxCachedWorkflows: 1365,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 32,
      maxConcurrentLocalActivityExecutions: 40,
    });
  });

  test('activities at once stay between 8 and 50 whatever the memory: the database is the bound at 10:00', () => {
    for (const budget of [512, 600, 1024, 4096, 65536]) {
      const { maxConcurrentActivityTaskExecutions } = workerSizing({ totalMemoryBytes: GB, memoryBudgetMb: budget });
      expect(maxConcurrentActivityTaskExecutions).toBeGreaterThanOrEqual(MIN_ACTIVITY_CONCURRENCY);
      expect(maxConcurrentActivityTaskExecutions).toBeLessThanOrEqual(MAX_ACTIVITY_CONCURRENCY);
    }
  });

  test('overrides: the cache (0 turns it off), activities, workflow tasks never above the cache', () => {
    expect(workerSizing({ totalMemoryBytes: 24 * GB, maxCachedWorkflows: 0 })).toMatchObject({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 40,
    });
    expect(
      workerSizing({ totalMemoryBytes: 24 * GB, maxCachedWorkflows: 5, workflowTaskConcurrency: 40 }),
    ).toMatchObject({ maxCachedWorkflows: 5, maxConcurrentWorkflowTaskExecutions: 5 });
    expect(workerSizing({ totalMemoryBytes: 24 * GB, activityConcurrency: 3 })).toMatchObject({
      maxConcurrentActivityTaskExecutions: 3,
    });
  });

  test('the heap flag is three quarters of the budget', () => {
    expect(workerNodeArgs(workerSizing({ totalMemoryBytes: GB, memoryBudgetMb: 1024 }))).toEqual([
      '--max-old-space-size=768',
    ]);
  });
});

describe('where the numbers come from', () => {
  test('the environment: each variable parsed, a wrong one named', () => {
    expect(
      loadWorkerSizingEnv({
        AMIABLE_WORKER_MEMORY_MB: '512',
        TEMPORAL_MAX_CACHED_WORKFLOWS: '0',
        AMIABLE_WORKER_ACTIVITY_CONCURRENCY: '20',
        AMIABLE_WORKER_WORKFLOW_TASK_CONCURRENCY: '4',
      }),
    ).toEqual({ memoryBudgetMb: 512, maxCachedWorkflows: 0, activityConcurrency: 20, workflowTaskConcurrency: 4 });
    expect(loadWorkerSizingEnv({ AMIABLE_WORKER_MEMORY_MB: '' })).toEqual({});
    expect(() => loadWorkerSizingEnv({ AMIABLE_WORKER_MEMORY_MB: '100' })).toThrow(ConfigError);
    expect(() => loadWorkerSizingEnv({ AMIABLE_WORKER_MEMORY_MB: '100' })).toThrow(/AMIABLE_WORKER_MEMORY_MB/);
    expect(() => loadWorkerSizingEnv({ AMIABLE_WORKER_ACTIVITY_CONCURRENCY: 'lots' })).toThrow(
      /AMIABLE_WORKER_ACTIVITY_CONCURRENCY/,
    );
    expect(loadWorkerConfig({ DATA_KEY, AMIABLE_WORKER_MEMORY_MB: '512' }).sizing).toEqual({ memoryBudgetMb: 512 });
  });

  test('npm start launches the worker with the heap flag of its budget', () => {
    const launch = workerLaunch('/x/worker/main.js', { AMIABLE_WORKER_MEMORY_MB: '2048' }, 24 * GB);
    expect(launch.args).toEqual(['--max-old-space-size=1536', '/x/worker/main.js']);
    expect(workerLaunch('/x/worker/main.js', {}, 2 * GB).args).toEqual([
      '--max-old-space-size=384',
      '/x/worker/main.js',
    ]);
  });

  test("docker-compose.yml's worker heap flag is the one of its budget, and its container holds the budget", () => {
    const compose = parse(readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
      services: { worker: { command: string[]; environment: Record<string, string>; mem_limit?: string } };
    };
    const { command, environment, mem_limit: memLimit } = compose.services.worker;
    const budget = Number(environment.AMIABLE_WORKER_MEMORY_MB);
    // Containers see the host's memory in os.totalmem(): the budget must be given, not derived.
    expect(budget).toBeGreaterThan(0);
    const sizing = workerSizing({ totalMemoryBytes: 64 * GB, memoryBudgetMb: budget });
    expect(command.filter((arg) => arg.startsWith('--max-old-space-size'))).toEqual(workerNodeArgs(sizing));
    expect(Number(/^(\d+)m$/.exec(memLimit ?? '')?.[1])).toBeGreaterThan(budget);
  });
});
