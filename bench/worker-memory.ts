/**
 * What a cached case costs the worker, and what a case evicted from the cache costs when it wakes
 * (issue 14, "Bound the worker").
 *
 *   npm run bench:worker-memory [cases] [bounded cases]     # default 1000 and 3000, at most 20,000
 *
 * It starts a Temporal dev server (loopback, a fresh in-memory state), then, for each configuration
 * in turn, a worker process with the real workflow bundle and its options (worker/workflow-bundle.ts,
 * worker/sizing.ts) and STUB activities (they answer at once and touch no database: this measures
 * the workflows, not mongoose), opens real collection-case workflows that go to sleep on their first
 * timer, and reads the worker's RSS (/proc) once they are all asleep:
 *
 *   1. every case cached, domain modules evaluated per workflow (the worker before issue 14);
 *   2. every case cached, domain modules preloaded once (the worker now);
 *   3. the worker as `npm start` sizes it (the cache bounded from AMIABLE_WORKER_MEMORY_MB or the
 *      machine's memory, node's heap limit), with more cases than its cache holds.
 *
 * Then it replays every recorded history of test/replay/histories with the worker's options and
 * prints the time per history event: what waking an evicted case costs.
 * Bounded in count and time (each phase gives up after 10 minutes); loopback only.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { CaseActivities } from '../activities/contracts';
import { DEFAULT_RATE_TABLE } from '../domain/late-charges';
import type { CaseInput } from '../domain/case/types';
import { provisionTool, REPO_ROOT } from '../scripts/local-stack/provision';
import { workerNodeArgs, workerSizing, type WorkerSizing } from '../worker/sizing';
import { workflowBundleSettings } from '../worker/workflow-bundle';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { caseWorkflowId } from '../workflows/case-definitions';

const MB = 1024 * 1024;
const MAX_CASES = 20_000;
const PHASE_TIMEOUT_MS = 10 * 60_000;

type ChildMessage =
  | { kind: 'ready'; heapLimitMb: number }
  | { kind: 'memory'; rssMb: number; heapUsedMb: number; projected: number; activities: number };

interface PhaseSpec {
  name: string;
  cases: number;
  preload: boolean;
  sizing: WorkerSizing;
  nodeArgs: string[];
}

interface PhaseResult {
  name: string;
  cases: number;
  maxCachedWorkflows: number;
  heapLimitMb: number;
  rssIdleMb: number;
  rssWarmMb: number;
  rssMb: number;
  heapUsedMb: number;
  perCachedCaseMb: number | undefined;
  openSeconds: number;
}

// ---------------------------------------------------------------------------------------------
// The worker process (forked with `worker` as its argument)

function stubActivities(onProjection: (caseId: string) => void, onActivity: () => void): CaseActivities {
  return {
    async sendMessage() {
      onActivity();
      return { status: 'simulated', summary: 'simulated' };
    },
    async createCallTask() {
      onActivity();
    },
    async closeCallTask() {
      onActivity();
    },
    async recordJournal() {
      onActivity();
    },
    async saveCaseProjection() {
      onActivity();
      onProjection(Context.current().info.workflowExecution?.workflowId ?? '');
    },
    async handOffCase() {
      onActivity();
      return { summary: 'dossier transmis (simulé)' };
    },
    async raiseManagerAlert() {
      onActivity();
    },
    async reopenUnknownSend() {
      onActivity();
    },
    async currentRates() {
      onActivity();
      return DEFAULT_RATE_TABLE;
    },
  };
}

async function runWorkerProcess(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const send = (message: ChildMessage) => process.send?.(message);
  const sizing = JSON.parse(process.env.BENCH_SIZING ?? '{}') as WorkerSizing;
  const preload = process.env.BENCH_PRELOAD === '1';
  const settings = workflowBundleSettings();
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: settings.workflowsPath,
    preloadModules: preload ? settings.preloadModules : [],
    logger: quietLogger,
  });
  const projected = new Set<string>();
  let activities = 0;
  const connection = await NativeConnection.connect({ address: process.env.BENCH_TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    workflowBundle,
    reuseV8Context: true,
    stickyQueueScheduleToStartTimeout: '2s',
    maxCachedWorkflows: sizing.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: sizing.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions: sizing.maxConcurrentActivityTaskExecutions,
    maxConcurrentLocalActivityExecutions: sizing.maxConcurrentLocalActivityExecutions,
    activities: stubActivities(
      (caseId) => projected.add(caseId),
      () => (activities += 1),
    ),
  });
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'memory') {
      global.gc?.();
      const usage = process.memoryUsage();
      send({
        kind: 'memory',
        rssMb: rssMbOf(process.pid) ?? usage.rss / MB,
        heapUsedMb: usage.heapUsed / MB,
        projected: projected.size,
        activities,
      });
    } else if (message.kind === 'stop') {
      worker.shutdown();
    }
  });
  const running = worker.run();
  send({ kind: 'ready', heapLimitMb: (await import('node:v8')).getHeapStatistics().heap_size_limit / MB });
  await running;
  await connection.close();
}

const ignore = (): void => undefined;
const quietLogger = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: console.error, log: ignore };

/** RSS from the kernel: it counts the workflow thread's V8 heap and the Rust core, which Node's numbers miss. */
function rssMbOf(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The driver

class WorkerChild {
  private readonly waiting: { resolve: (message: ChildMessage) => void; reject: (error: Error) => void }[] = [];
  private constructor(readonly process: ChildProcess) {
    process.on('message', (message: ChildMessage) => this.waiting.shift()?.resolve(message));
    process.once('exit', (code) => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`the worker process exited (${code})`));
    });
  }

  static start(spec: PhaseSpec, address: string, taskQueue: string): WorkerChild {
    const child = fork(__filename, ['worker'], {
      execArgv: ['--expose-gc', ...spec.nodeArgs],
      env: {
        ...process.env,
        BENCH_SIZING: JSON.stringify(spec.sizing),
        BENCH_PRELOAD: spec.preload ? '1' : '0',
        BENCH_TEMPORAL_ADDRESS: address,
        BENCH_TASK_QUEUE: taskQueue,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new WorkerChild(child);
  }

  next(): Promise<ChildMessage> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async memory(): Promise<Extract<ChildMessage, { kind: 'memory' }>> {
    const answer = this.next();
    this.process.send({ kind: 'memory' });
    const message = await answer;
    if (message.kind !== 'memory') throw new Error(`unexpected ${message.kind}`);
    return message;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.send({ kind: 'stop' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
  }
}

/** A business claim under the standard policy, due three days ago: its first reminder is days away. */
function caseInput(caseId: string, now: DateTime): CaseInput {
  return {
    caseId,
    reference: `BENCH-${caseId}`,
    creditorId: 'bench',
    debtorKind: 'business',
    policyId: 'standard',
    currency: 'EUR',
    invoices: [
      {
        number: 'F-1',
        issueDate: now.minus({ days: 33 }).toISODate()!,
        dueDate: now.minus({ days: 3 }).toISODate()!,
        amountCents: 185_000,
      },
    ],
    openedAt: now.toUTC().toISO()!,
  };
}

async function openCases(env: TestWorkflowEnvironment, taskQueue: string, from: number, to: number): Promise<void> {
  const now = DateTime.now().setZone('Europe/Paris');
  let next = from;
  const starter = async () => {
    while (next < to) {
      const caseId = `${taskQueue}-${next++}`;
      await env.client.workflow.start('collectionCase', {
        workflowId: caseWorkflowId(caseId),
        taskQueue,
        args: [caseInput(caseId, now)],
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, starter));
}

/** Until every case opened has stored its projection and no activity ran for two seconds. */
async function waitAsleep(child: WorkerChild, cases: number, deadline: number): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const memory = await child.memory();
    if (memory.activities !== last) {
      last = memory.activities;
      stableSince = Date.now();
    } else if (memory.projected >= cases && Date.now() - stableSince >= 2_000) {
      return;
    }
    if (Date.now() > deadline) throw new Error(`gave up: ${memory.projected} of ${cases} cases asleep`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function runPhase(env: TestWorkflowEnvironment, spec: PhaseSpec, index: number): Promise<PhaseResult> {
  const taskQueue = `bench-memory-${process.pid}-${index}`;
  const child = WorkerChild.start(spec, env.address, taskQueue);
  try {
    const ready = await child.next();
    if (ready.kind !== 'ready') throw new Error('the worker did not start');
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    const idle = await child.memory();
    // A few cases first: the first workflow pays for the bundle's code (compiled once), not the rest.
    const warm = Math.min(20, spec.cases);
    await openCases(env, taskQueue, 0, warm);
    await waitAsleep(child, warm, deadline);
    const warmed = await child.memory();
    const started = Date.now();
    await openCases(env, taskQueue, warm, spec.cases);
    await waitAsleep(child, spec.cases, deadline);
    const openSeconds = (Date.now() - started) / 1000;
    // Twice: the first GC of the main thread lets the workflow thread's garbage settle too.
    await child.memory();
    const full = await child.memory();
    const cachedAfterWarm = Math.min(spec.cases, spec.sizing.maxCachedWorkflows) - warm;
    return {
      name: spec.name,
      cases: spec.cases,
      maxCachedWorkflows: spec.sizing.maxCachedWorkflows,
      heapLimitMb: ready.heapLimitMb,
      rssIdleMb: idle.rssMb,
      rssWarmMb: warmed.rssMb,
      rssMb: full.rssMb,
      heapUsedMb: full.heapUsedMb,
      perCachedCaseMb: cachedAfterWarm > 0 ? (full.rssMb - warmed.rssMb) / cachedAfterWarm : undefined,
      openSeconds,
    };
  } finally {
    await child.stop();
  }
}

interface ReplayCost {
  histories: number;
  events: number;
  totalMs: number;
  msPerEvent: number;
  slowest: { workflowId: string; events: number; ms: number };
}

/** Replays every recorded case and plan history with the worker's bundle options, timed one by one. */
async function replayCost(): Promise<ReplayCost> {
  const workflowBundle = await bundleWorkflowCode({ ...workflowBundleSettings(), logger: quietLogger });
  const histories = ['collection-case', 'installment-plan'].flatMap((suite) => {
    const dir = path.join(REPO_ROOT, 'test', 'replay', 'histories', suite);
    return fs
      .readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => ({
        workflowId: `${suite}/${file}`,
        history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))),
      }));
  });
  const events = new Map(histories.map(({ workflowId, history }) => [workflowId, history.events?.length ?? 0]));
  // The first replay pays for the worker and the context: replayed once before the timed run.
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories.slice(0, 1))) {
    if (result.error) throw result.error;
  }
  let totalMs = 0;
  let slowest = { workflowId: '', events: 0, ms: 0 };
  let previous = performance.now();
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    const now = performance.now();
    const ms = now - previous;
    previous = now;
    if (result.error) throw new Error(`${result.workflowId} did not replay: ${String(result.error)}`);
    totalMs += ms;
    const count = events.get(result.workflowId) ?? 0;
    if (ms / Math.max(count, 1) > slowest.ms / Math.max(slowest.events, 1)) {
      slowest = { workflowId: result.workflowId, events: count, ms };
    }
  }
  const eventCount = [...events.values()].reduce((a, b) => a + b, 0);
  return { histories: histories.length, events: eventCount, totalMs, msPerEvent: totalMs / eventCount, slowest };
}

function count(arg: string | undefined, fallback: number): number {
  const value = arg === undefined ? fallback : Number(arg);
  if (!Number.isInteger(value) || value < 20 || value > MAX_CASES) {
    throw new Error(`case counts are integers from 20 to ${MAX_CASES}, not ${arg}`);
  }
  return value;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cases = count(process.argv[2], 1000);
  const boundedCases = count(process.argv[3], 3000);
  const unbounded = (preload: boolean): PhaseSpec => {
    const sizing = { ...workerSizing({ totalMemoryBytes: os.totalmem() }), maxCachedWorkflows: cases + 100 };
    return {
      name: preload ? 'all cached, domain preloaded' : 'all cached, per-workflow modules',
      cases,
      preload,
      sizing,
      // A heap large enough for every case: this phase measures cost, not the bound.
      nodeArgs: ['--max-old-space-size=8192'],
    };
  };
  const sized = workerSizing({
    totalMemoryBytes: os.totalmem(),
    ...(process.env.AMIABLE_WORKER_MEMORY_MB ? { memoryBudgetMb: Number(process.env.AMIABLE_WORKER_MEMORY_MB) } : {}),
  });
  const phases: PhaseSpec[] = [
    unbounded(false),
    unbounded(true),
    {
      name: 'as npm start sizes it',
      cases: boundedCases,
      preload: true,
      sizing: sized,
      nodeArgs: workerNodeArgs(sized),
    },
  ];

  process.stderr.write('[bench] starting a Temporal dev server (loopback)…\n');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: provisionTool('temporal-cli') },
      ip: '127.0.0.1',
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      ui: false,
    },
  });
  const results: PhaseResult[] = [];
  const failures: string[] = [];
  try {
    for (const [index, spec] of phases.entries()) {
      process.stderr.write(`[bench] ${spec.name}: ${spec.cases} cases, cache ${spec.sizing.maxCachedWorkflows}…\n`);
      // A phase that does not finish (a loaded server) is reported, and the others still are.
      await runPhase(env, spec, index).then(
        (result) => results.push(result),
        (error: unknown) => failures.push(`${spec.name}: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  } finally {
    await env.teardown();
  }
  process.stderr.write('[bench] replaying the recorded histories…\n');
  const replay = await replayCost();

  const fmt = (value: number | undefined, digits = 0) => (value === undefined ? '—' : value.toFixed(digits));
  const lines = [
    '',
    `worker memory (${os.cpus().length} CPUs, ${Math.round(os.totalmem() / MB)} MB; budget ${sized.memoryBudgetMb} MB → cache ${sized.maxCachedWorkflows}, heap ${sized.heapMb} MB, activities ${sized.maxConcurrentActivityTaskExecutions}, workflow tasks ${sized.maxConcurrentWorkflowTaskExecutions})`,
    '',
    '| configuration | cases | cache | heap limit MB | RSS idle MB | RSS 20 cases MB | RSS all MB | main heap MB | RSS per cached case MB | open s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.cases} | ${r.maxCachedWorkflows} | ${fmt(r.heapLimitMb)} | ${fmt(r.rssIdleMb)} | ${fmt(r.rssWarmMb)} | ${fmt(r.rssMb)} | ${fmt(r.heapUsedMb)} | ${fmt(r.perCachedCaseMb, 3)} | ${fmt(r.openSeconds, 1)} |`,
    ),
    '',
    ...failures.map((failure) => `not measured: ${failure}`),
    '',
    `replay of an evicted case: ${replay.histories} recorded histories, ${replay.events} events in ${fmt(replay.totalMs)} ms = ${fmt(replay.msPerEvent, 3)} ms per event (slowest ${replay.slowest.workflowId}: ${replay.slowest.events} events in ${fmt(replay.slowest.ms)} ms)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  const out = path.join(REPO_ROOT, '.data', 'bench');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, 'worker-memory.json'),
    `${JSON.stringify({ sizing: sized, results, failures, replay }, null, 1)}\n`,
  );
}

if (process.argv[2] === 'worker') {
  runWorkerProcess().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
