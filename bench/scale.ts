/**
 * The scale benchmark of issue 14: the local stack as `npm start` runs it (Temporal dev server,
 * FerretDB, worker, API), in a data directory and on ports of its own, loopback only, filled to N
 * open cases for each N asked, and at each N, side by side:
 *
 * - intake: the fill itself, through `POST /cases` at concurrency 32 (cases/s, p50/p90/p99, every
 *   non-2xx by status), against a bare `client.workflow.start` on the same server (a workflow type
 *   no worker polls, on a task queue of its own, closed by its execution timeout): the ratio;
 * - lost writes: every case the API said it opened must read back by `GET /cases/:id` and appear
 *   once in `GET /cases` paging;
 * - p50/p90/p99 of `GET /cases/:id`, `GET /cases` (first and a deep page), `GET /call-tasks` and
 *   `POST /cases/:id/payments` (small partial payments), K requests each at a fixed concurrency;
 * - worker RSS, and CPU-seconds per request / per opened case of each process of the stack
 *   (/proc/<pid>/stat utime + stime around each phase).
 *
 * Then the rush: R cases whose first reminder is due at a window opening T, each at the offset the
 * product's opening spread gives it (or, with --rush-herd, all at T), with action latency measured
 * while they drain (see `runRush`). Only the public surfaces are used (the HTTP API,
 * @temporalio/client, the stack starter), so the bench does not depend on how the product stores
 * its data.
 *
 *   npm run bench:scale -- [levels] [--requests K] [--concurrency C] [--read-concurrency c]
 *                          [--bare B] [--rush R | --no-rush] [--rush-herd] [--max-minutes M]
 *                          [--out file.json]
 *
 * levels: comma-separated open-case counts, default 1000,10000 (try 200 first). A baseline at a
 * few dozen cases is measured first unless --no-baseline. Bounded: it stops filling when the time
 * budget (--max-minutes, default 45) runs short, measures what it has and says so.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DateTime } from 'luxon';
import { caseIdFor } from '../api/intake';
import { holidayRegionOfAddress } from '../domain/calendar';
import { reachableChannelsOf } from '../domain/case/reachability';
import type { CaseInput } from '../domain/case/types';
import { DEFAULT_CONTACT_RULES, NO_RESTRICTIONS, nextAllowedContact } from '../domain/contact-limits';
import { OPENING_SPREAD_MINUTES, spreadAfterOpening } from '../domain/case/opening-spread';
import { defaultPolicyIdFor } from '../domain/policies';
import { REPO_ROOT } from '../scripts/local-stack/provision';
import { benchCaseBody } from './case-body';
import {
  request as stackRequest,
  sleep,
  startStack,
  type RunningStack,
  type StackPart,
} from '../scripts/local-stack/stack-process';
import { CASE_WORKFLOW_TYPE, caseWorkflowId } from '../workflows/case-definitions';
import { BalanceCents, CaseStage, CaseStatus, CreditorId, DebtorKind } from '../workflows/search-attributes';

// ---------------------------------------------------------------------------------------------
// Options

export interface ScaleOptions {
  levels: number[];
  baseline: boolean;
  /** Requests per measured route at each level. */
  requests: number;
  /** Intake and bare-start concurrency (the issue's 32). */
  concurrency: number;
  /** Concurrency of the read and action measurements. */
  readConcurrency: number;
  /** Bare workflow starts per level. */
  bare: number;
  /** Cases in the rush (at most the last level); 0: no rush. */
  rush: number;
  /**
   * `opening`: the rush as the product runs it at 10:00, every contact due at a window opening
   * and each case at its own offset after it (domain/case/opening-spread.ts). `herd`: every case
   * at the same instant, the worst case, which the product's spread avoids.
   */
  rushShape: RushShape;
  maxMinutes: number;
  out: string;
}

function parseArgs(argv: string[]): ScaleOptions {
  const options: ScaleOptions = {
    levels: [1000, 10_000],
    baseline: true,
    requests: 200,
    concurrency: 32,
    readConcurrency: 8,
    bare: 500,
    rush: 10_000,
    rushShape: 'opening',
    maxMinutes: 45,
    out: path.join(REPO_ROOT, 'bench/results', `scale-${DateTime.utc().toFormat("yyyy-MM-dd'T'HHmmss")}.json`),
  };
  const positiveInt = (flag: string, value: string | undefined, max: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${flag} must be an integer from 0 to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (arg === '--requests') options.requests = Math.max(1, positiveInt(arg, next(), 10_000));
    else if (arg === '--concurrency') options.concurrency = Math.max(1, positiveInt(arg, next(), 256));
    else if (arg === '--read-concurrency') options.readConcurrency = Math.max(1, positiveInt(arg, next(), 256));
    else if (arg === '--bare') options.bare = positiveInt(arg, next(), 20_000);
    else if (arg === '--rush') options.rush = positiveInt(arg, next(), 20_000);
    else if (arg === '--no-rush') options.rush = 0;
    else if (arg === '--rush-herd') options.rushShape = 'herd';
    else if (arg === '--no-baseline') options.baseline = false;
    else if (arg === '--max-minutes') options.maxMinutes = Math.max(1, positiveInt(arg, next(), 24 * 60));
    else if (arg === '--out') options.out = path.resolve(next() ?? options.out);
    else if (/^\d[\d,]*$/.test(arg))
      options.levels = arg
        .split(',')
        .filter(Boolean)
        .map((level) => positiveInt('levels', level, 50_000));
    else throw new Error(`unknown argument ${arg} (see the comment at the top of bench/scale.ts)`);
  }
  options.levels = [...new Set(options.levels)].sort((a, b) => a - b);
  return options;
}

// ---------------------------------------------------------------------------------------------
// Measuring

export interface Latency {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answers that were not 2xx, by status (0: no answer within a minute). */
  failures: Record<string, number>;
}

export function latencyOf(samples: readonly { ms: number; status: number }[]): Latency {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  // Nearest rank: p99 of 200 samples is the second slowest, a real answer, not an interpolation.
  const at = (q: number): number =>
    sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!) : NaN;
  const failures: Record<string, number> = {};
  for (const { status } of samples) if (status < 200 || status >= 300) failures[status] = (failures[status] ?? 0) + 1;
  return { n: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), failures };
}

/** Runs `work` for indexes 0…count-1, at most `concurrency` at a time, until done or `stop()`. */
async function pool(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(0, Math.min(concurrency, count)) }, async () => {
      while (next < count && !stop()) await work(next++);
    }),
  );
  return Math.min(next, count);
}

/**
 * One request, timed; never throws. Its own timeout, a minute, rather than the stack helper's
 * 15 s: a slow answer's real latency belongs in the p99.
 */
const request = (url: string, options: Parameters<typeof stackRequest>[1] = {}, timeoutMs = 60_000) =>
  stackRequest(url, options, timeoutMs);

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds (all its threads); undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function memoryOf(pid: number | undefined): { rssMb: number; peakRssMb: number } | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}

const PARTS: StackPart[] = ['ferretdb', 'temporal', 'worker', 'api'];
type CpuPart = StackPart | 'bench';

interface CpuSnapshot {
  pids: Partial<Record<StackPart, number>>;
  seconds: Partial<Record<CpuPart, number>>;
}

function cpuSnapshot(stack: RunningStack): CpuSnapshot {
  const pids = stack.state()?.services ?? {};
  const seconds: CpuSnapshot['seconds'] = {};
  for (const part of PARTS) {
    const pid = pids[part];
    const cpu = pid ? cpuSecondsOf(pid) : undefined;
    if (cpu !== undefined) seconds[part] = cpu;
  }
  const self = process.cpuUsage();
  seconds.bench = (self.user + self.system) / 1e6;
  return { pids, seconds };
}

/** CPU-seconds each process spent between two snapshots; `restarted` names a part whose pid changed. */
export interface CpuDelta {
  seconds: Partial<Record<CpuPart, number>>;
  restarted: StackPart[];
}

function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuDelta {
  const seconds: CpuDelta['seconds'] = {};
  const restarted: StackPart[] = [];
  for (const part of [...PARTS, 'bench'] as CpuPart[]) {
    if (part !== 'bench' && before.pids[part] !== after.pids[part]) {
      restarted.push(part);
      continue;
    }
    const a = before.seconds[part];
    const b = after.seconds[part];
    if (a !== undefined && b !== undefined) seconds[part] = Math.round((b - a) * 1000) / 1000;
  }
  return { seconds, restarted };
}

/** Below this many cores, summed over the stack's processes, the stack has no backlog left. */
const QUIET_CORES = 0.25;

/** Polls the stack's CPU every 5 s until one window stays under QUIET_CORES, or `budgetMs()` passes. */
async function waitForQuiet(stack: RunningStack, budgetMs: () => number): Promise<{ quiet: boolean; seconds: number }> {
  const started = Date.now();
  const deadline = started + budgetMs();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  while (Date.now() < deadline) {
    const before = cpuSnapshot(stack);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const delta = cpuDelta(before, cpuSnapshot(stack));
    const busy = PARTS.reduce((sum, part) => sum + (delta.seconds[part] ?? 0), 0);
    if (busy / 5 < QUIET_CORES) return { quiet: true, seconds: seconds() };
  }
  return { quiet: false, seconds: seconds() };
}

/** A call's duration as a route sample (status 200, or 0 when it threw). */
async function timed(call: () => Promise<unknown>): Promise<{ ms: number; status: number }> {
  const started = Date.now();
  try {
    await call();
    return { ms: Date.now() - started, status: 200 };
  } catch {
    return { ms: Date.now() - started, status: 0 };
  }
}

function perUnit(delta: CpuDelta, units: number): Partial<Record<CpuPart, number>> {
  const out: Partial<Record<CpuPart, number>> = {};
  for (const [part, seconds] of Object.entries(delta.seconds))
    out[part as CpuPart] = units ? Math.round((seconds / units) * 10_000) / 10_000 : NaN;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The cases

const PARIS = 'Europe/Paris';

/**
 * A collectable business claim. `overdueDays` 1: the standard policy's first reminder (due + 3
 * days, domain/policies.ts) is two days away, so the filled cases are quiet and the fill measures
 * intake, not sends. `overdueDays` 5: the first reminder is due at once (the rush).
 */
function caseBody(creditorId: string, reference: string, index: number, overdueDays: number) {
  const dueDate = DateTime.now().setZone(PARIS).startOf('day').minus({ days: overdueDays });
  return benchCaseBody({ creditor: { id: creditorId, name: 'Banc d’essai SAS' }, reference, index, dueDate });
}
type CaseBody = ReturnType<typeof caseBody>;

/** What api/intake.ts's `workflowInput` derives from the same body (kept in step by its types). */
function workflowInputOf(body: CaseBody, openedAt: Date): CaseInput {
  return {
    caseId: caseIdFor(body.creditor.id, body.reference),
    reference: body.reference,
    creditorId: body.creditor.id,
    debtorKind: body.debtor.kind,
    policyId: defaultPolicyIdFor(body.debtor.kind),
    currency: 'EUR',
    invoices: body.claim.invoices.map(({ number, issueDate, dueDate, amountCents }) => ({
      number,
      issueDate,
      dueDate,
      amountCents,
    })),
    openedAt: openedAt.toISOString(),
    reachableChannels: reachableChannelsOf(body.debtor),
    holidayRegion: holidayRegionOfAddress(body.debtor.address),
  };
}

const caseIdOf = (body: unknown): string | undefined => (body as { id?: unknown })?.id as string | undefined;

// ---------------------------------------------------------------------------------------------
// Results

export interface LevelResult {
  /** Open cases the API had confirmed when this level was measured (fill + any rush cases before). */
  openCases: number;
  targetCases: number;
  /** The fill stopped before the target (time budget). */
  fillCutShort: boolean;
  intake: {
    requests: number;
    opened: number;
    seconds: number;
    casesPerSecond: number;
    latency: Latency;
    cpuPerOpenedCase: Partial<Record<CpuPart, number>>;
    restarted: StackPart[];
  };
  bare: { starts: number; failed: number; seconds: number; startsPerSecond: number; latency: Latency };
  /** intake cases/s ÷ bare starts/s, both on this server at this size. */
  intakeToBareRatio: number;
  lostWrites: {
    checked: number;
    notReadable: number;
    readFailures: Record<string, number>;
    caseState: Record<string, number>;
    listed: number;
    /** null: the list was not paged to the end. */
    missingFromList: number | null;
    duplicatedInList: number;
    listPages: number;
    listFailures: Record<string, number>;
  };
  /** After the read-back: how long until the stack went quiet (false: the budget ran out first). */
  drain: { quiet: boolean; seconds: number };
  routes: Record<string, Latency & { cpuPerRequest: Partial<Record<CpuPart, number>>; restarted: StackPart[] }>;
  worker: { rssMb: number; peakRssMb: number } | undefined;
  processesMemory: Partial<Record<StackPart, { rssMb: number; peakRssMb: number }>>;
  loadAverage: number[];
}

export type RushShape = 'opening' | 'herd';

export interface RushResult {
  skipped?: string;
  shape: RushShape;
  cases: number;
  /** T, Paris time. */
  at?: string;
  windowClosesAt?: string;
  /** `intake`: the POST /cases of the rush cases, their workflows already started (15 s timeout). */
  setup?: { seconds: number; overranT: boolean; startFailures: number; intake: Latency };
  /** Seconds from T until every rush case showed CaseStage reminder_1 (undefined: not all did). */
  allSentAfterSeconds?: number;
  sentByEnd?: number;
  /** [seconds after T, cases at reminder_1]. */
  timeline?: [number, number][];
  journalSample?: { checked: number; sentOrSimulated: number; other: Record<string, number> };
  during?: Record<string, Latency>;
  cpu?: Partial<Record<CpuPart, number>>;
  worker?: { rssMb: number; peakRssMb: number };
}

export interface ScaleResult {
  startedAt: string;
  machine: { cpus: number; memoryGb: number; loadAverageAtStart: number[]; node: string };
  options: Omit<ScaleOptions, 'out'>;
  levels: LevelResult[];
  rush: RushResult | undefined;
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// The run

export async function runScale(options: ScaleOptions, log: (line: string) => void): Promise<ScaleResult> {
  const deadline = Date.now() + options.maxMinutes * 60_000;
  const remainingMs = (): number => deadline - Date.now();
  const run = randomBytes(3).toString('hex');
  const fillCreditor = `bench-fill-${run}`;
  const notes: string[] = [];
  const result: ScaleResult = {
    startedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version,
    },
    options: (({ out: _out, ...rest }) => rest)(options),
    levels: [],
    rush: undefined,
    notes,
  };

  log('[scale] starting the stack (Temporal dev server, FerretDB, worker, API) in a data directory of its own…');
  const stack = await startStack({ buildDir: path.resolve(__dirname, '..'), startTimeoutMs: 180_000 });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
    const { apiUrl, keys } = stack;
    const opened: string[] = [];
    let filled = 0;
    let lastIntakeRate = 0;
    const levels = options.baseline && (options.levels[0] ?? 0) > 50 ? [32, ...options.levels] : options.levels;

    for (const target of levels) {
      if (remainingMs() < 60_000) {
        notes.push(`level ${target} not measured: time budget spent`);
        break;
      }
      // Fill: one reference per attempt, so a failed request is counted and the fill goes on.
      log(`[scale] filling to ${target} open cases through POST /cases (concurrency ${options.concurrency})…`);
      const intakeSamples: { ms: number; status: number }[] = [];
      const segment: string[] = [];
      const cpuBefore = cpuSnapshot(stack);
      const fillStarted = Date.now();
      // The fill keeps a third of the remaining time for the measurements and the rush.
      const fillDeadline = Date.now() + remainingMs() * 0.6;
      let attempt = 0;
      let inFlight = 0;
      let lastLog = Date.now();
      const seenStatuses = new Set<number>();
      await pool(
        Number.MAX_SAFE_INTEGER,
        options.concurrency,
        async () => {
          const index = filled + attempt++;
          const body = caseBody(fillCreditor, `SCALE-${run}-${index}`, index, 1);
          inFlight++;
          const answer = await request(`${apiUrl}/cases`, { method: 'POST', key: keys.operations, body });
          inFlight--;
          intakeSamples.push({ ms: answer.ms, status: answer.status });
          if (!seenStatuses.has(answer.status) && (answer.status < 200 || answer.status >= 300)) {
            seenStatuses.add(answer.status);
            log(`[scale]   first ${answer.status || 'no answer'} of the fill: ${JSON.stringify(answer.body)}`);
          }
          const id = caseIdOf(answer.body);
          if ((answer.status === 201 || answer.status === 200) && id) {
            segment.push(id);
            opened.push(id);
          }
          if (Date.now() - lastLog > 15_000) {
            lastLog = Date.now();
            log(
              `[scale]   ${opened.length} open, ${(segment.length / ((Date.now() - fillStarted) / 1000)).toFixed(1)}/s`,
            );
          }
        },
        // Requests in flight count as opened: a failed one is replaced, the level is not overshot.
        () => opened.length + inFlight >= target || Date.now() > fillDeadline,
      );
      filled += attempt;
      const fillSeconds = (Date.now() - fillStarted) / 1000;
      const fillCpu = cpuDelta(cpuBefore, cpuSnapshot(stack));
      const fillCutShort = opened.length < target;
      if (fillCutShort) notes.push(`level ${target}: fill stopped at ${opened.length} open cases (time budget)`);
      lastIntakeRate = segment.length / fillSeconds;

      // Bare starts on the same server: nothing polls their task queue; the execution timeout closes them.
      log(`[scale] ${options.bare} bare workflow starts (concurrency ${options.concurrency})…`);
      const bareSamples: { ms: number; status: number }[] = [];
      const bareStarted = Date.now();
      await pool(options.bare, options.concurrency, async (index) => {
        const started = Date.now();
        let status = 201;
        try {
          const body = caseBody('bench-bare', `BARE-${run}-${target}-${index}`, index, 1);
          await client.workflow.start('benchBareWorkflow', {
            workflowId: `bench-bare-${run}-${target}-${index}`,
            taskQueue: `bench-bare-${run}`,
            args: [workflowInputOf(body, new Date())],
            workflowExecutionTimeout: '1 minute',
            typedSearchAttributes: [
              { key: CaseStatus, value: 'active' },
              { key: CaseStage, value: 'none' },
              { key: BalanceCents, value: 185_000 },
              { key: CreditorId, value: 'bench-bare' },
              { key: DebtorKind, value: 'business' },
            ],
          });
        } catch {
          status = 0;
        }
        bareSamples.push({ ms: Date.now() - started, status });
      });
      const bareSeconds = (Date.now() - bareStarted) / 1000;
      const bareOk = bareSamples.filter((sample) => sample.status === 201).length;

      // Lost writes: this segment's cases each read back, and every opened case listed once.
      log(`[scale] reading back ${segment.length} cases and paging GET /cases…`);
      const readSamples: { ms: number; status: number }[] = [];
      const caseState: Record<string, number> = {};
      // Each check gets at most 15% of the time left: at 10,000 cases a slow read must not eat the run.
      const readBackDeadline = Date.now() + remainingMs() * 0.15;
      await pool(
        segment.length,
        options.concurrency,
        async (index) => {
          const answer = await request(`${apiUrl}/cases/${segment[index]}`, { key: keys.operations });
          readSamples.push({ ms: answer.ms, status: answer.status });
          if (answer.status === 200) {
            const state = answer.headers?.get('x-case-state') ?? 'none';
            caseState[state] = (caseState[state] ?? 0) + 1;
          }
        },
        () => Date.now() > readBackDeadline,
      );
      if (readSamples.length < segment.length)
        notes.push(`level ${target}: read back ${readSamples.length} of ${segment.length} cases (time budget)`);
      const listed = new Map<string, number>();
      const listSamples: { ms: number; status: number }[] = [];
      const cursors: string[] = [];
      let cursor: string | null = null;
      let listComplete = false;
      const listDeadline = Date.now() + remainingMs() * 0.15;
      do {
        const answer = await request(
          `${apiUrl}/cases?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { key: keys.operations },
        );
        listSamples.push({ ms: answer.ms, status: answer.status });
        if (answer.status !== 200) break;
        const page = answer.body as { items: { id: string }[]; nextCursor: string | null };
        for (const item of page.items) listed.set(item.id, (listed.get(item.id) ?? 0) + 1);
        cursor = page.nextCursor;
        if (cursor) cursors.push(cursor);
        else listComplete = true;
      } while (cursor && Date.now() < listDeadline);
      if (!listComplete) notes.push(`level ${target}: GET /cases not paged to the end (time budget or an error)`);
      const readLatency = latencyOf(readSamples);
      const listLatency = latencyOf(listSamples);

      // The fill leaves first workflow tasks and saves queued behind it; routes measured then would
      // measure that backlog, not N open cases. Wait for the stack to go quiet, and say how long.
      const drain = await waitForQuiet(stack, () => Math.min(remainingMs() * 0.15, 15 * 60_000));
      log(
        drain.quiet
          ? `[scale] backlog drained ${drain.seconds} s after the read-back`
          : `[scale] backlog NOT drained after ${drain.seconds} s (time budget): routes measured under it`,
      );
      if (!drain.quiet) notes.push(`level ${target}: routes measured before the backlog drained`);

      // The routes, K requests each at a fixed concurrency, CPU around each.
      const routes: LevelResult['routes'] = {};
      const deepCursor = cursors[Math.floor(cursors.length * 0.75)];
      const today = DateTime.now().setZone(PARIS).toISODate()!;
      const measured: [string, (index: number) => Promise<{ ms: number; status: number }>][] = [
        [
          'GET /cases/:id',
          (i) => request(`${apiUrl}/cases/${opened[(i * 7919) % opened.length]}`, { key: keys.operations }),
        ],
        ['GET /cases (first page of 50)', () => request(`${apiUrl}/cases?limit=50`, { key: keys.operations })],
        // The floor of that list: the same visibility call with nothing of ours around it.
        [
          'visibility list alone (page of 50)',
          () =>
            timed(() =>
              client.workflowService.listWorkflowExecutions({
                namespace: client.options.namespace,
                pageSize: 50,
                query: `WorkflowType = '${CASE_WORKFLOW_TYPE}'`,
              }),
            ),
        ],
        ...(deepCursor
          ? ([
              [
                `GET /cases (deep: after ${(Math.floor(cursors.length * 0.75) + 1) * 200} cases)`,
                () =>
                  request(`${apiUrl}/cases?limit=50&cursor=${encodeURIComponent(deepCursor)}`, {
                    key: keys.operations,
                  }),
              ],
            ] as [string, (index: number) => Promise<{ ms: number; status: number }>][])
          : []),
        ['GET /call-tasks', () => request(`${apiUrl}/call-tasks?limit=50`, { key: keys.agent })],
        [
          'POST /cases/:id/payments',
          (i) =>
            request(`${apiUrl}/cases/${opened[(i * 104_729) % opened.length]}/payments`, {
              method: 'POST',
              key: keys.operations,
              body: { amountCents: 100, paidAt: today, reference: `PAY-${run}-${target}-${i}` },
            }),
        ],
      ];
      for (const [name, call] of measured) {
        if (remainingMs() < 20_000 || !opened.length) break;
        log(`[scale]   ${name} ×${options.requests} (concurrency ${options.readConcurrency})`);
        const samples: { ms: number; status: number }[] = [];
        const before = cpuSnapshot(stack);
        // A route answering in tens of seconds must not eat the rest of the run: n says how many.
        const routeDeadline = Date.now() + Math.max(60_000, remainingMs() * 0.05);
        await pool(
          options.requests,
          options.readConcurrency,
          async (i) => {
            const { ms, status } = await call(i);
            samples.push({ ms, status });
          },
          () => Date.now() > routeDeadline,
        );
        const delta = cpuDelta(before, cpuSnapshot(stack));
        routes[name] = {
          ...latencyOf(samples),
          cpuPerRequest: perUnit(delta, samples.length),
          restarted: delta.restarted,
        };
      }

      const pids = stack.state()?.services ?? {};
      const processesMemory: LevelResult['processesMemory'] = {};
      for (const part of PARTS) {
        const memory = memoryOf(pids[part]);
        if (memory) processesMemory[part] = memory;
      }
      const openedSet = new Set(opened);
      const level: LevelResult = {
        openCases: opened.length,
        targetCases: target,
        fillCutShort,
        intake: {
          requests: intakeSamples.length,
          opened: segment.length,
          seconds: Math.round(fillSeconds * 10) / 10,
          casesPerSecond: Math.round(lastIntakeRate * 100) / 100,
          latency: latencyOf(intakeSamples),
          cpuPerOpenedCase: perUnit(fillCpu, segment.length),
          restarted: fillCpu.restarted,
        },
        bare: {
          starts: bareOk,
          failed: bareSamples.length - bareOk,
          seconds: Math.round(bareSeconds * 10) / 10,
          startsPerSecond: Math.round((bareOk / bareSeconds) * 100) / 100,
          latency: latencyOf(bareSamples),
        },
        intakeToBareRatio: Math.round((lastIntakeRate / (bareOk / bareSeconds)) * 1000) / 1000,
        lostWrites: {
          checked: readSamples.length,
          notReadable: readSamples.filter((sample) => sample.status !== 200).length,
          readFailures: readLatency.failures,
          caseState,
          listed: [...listed.keys()].filter((id) => openedSet.has(id)).length,
          missingFromList: listComplete ? opened.filter((id) => !listed.has(id)).length : null,
          duplicatedInList: [...listed.values()].filter((count) => count > 1).length,
          listPages: listSamples.length,
          listFailures: listLatency.failures,
        },
        drain,
        routes: {
          'GET /cases/:id (read-back, concurrency 32)': { ...readLatency, cpuPerRequest: {}, restarted: [] },
          ...routes,
        },
        worker: memoryOf(pids.worker),
        processesMemory,
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      };
      result.levels.push(level);
      log(formatLevel(level));
    }

    if (options.rush > 0 && opened.length) {
      result.rush = await runRush({
        stack,
        client,
        run,
        cases: Math.min(options.rush, options.levels[options.levels.length - 1] ?? 0),
        shape: options.rushShape,
        concurrency: options.concurrency,
        readConcurrency: options.readConcurrency,
        intakeRate: lastIntakeRate,
        remainingMs,
        actionTargets: opened,
        log,
      });
    }
  } finally {
    await connection.close().catch(() => undefined);
    log('[scale] stopping the stack…');
    await stack.stop();
  }
  return result;
}

/**
 * The 10:00 rush, at any hour of the contact window. R cases have their first reminder due at one
 * instant T (the invoice is 5 days overdue, the standard policy says 3). Each case's workflow is
 * started directly with `startDelay` (the input api/intake.ts would give it, same workflow id), then
 * the same body goes through `POST /cases`, which writes the record and finds its workflow there.
 *
 * - `opening` (the default): T plays a window opening. Every case wakes at the instant the product
 *   gives a contact deferred to an opening, T plus its own offset (`spreadAfterOpening`, the
 *   workflow's function, not a copy). The bench cannot move the contact window to its own hour, so
 *   the start delay stands in for the timer a deferred case would be waiting on.
 * - `herd`: every case wakes at T itself, the worst case, which the spread avoids.
 *
 * Measured: time from T until every case's CaseStage search attribute says reminder_1 (set once the
 * e-mail is journaled), a journal sample, and action latency (payments and reads on the filled
 * cases) meanwhile. Outside a contact window (Mon–Fri 10:00–13:00, 14:00–20:00 Paris, no public
 * holiday) the sends would be deferred: the rush is skipped, not faked.
 */
async function runRush({
  stack,
  client,
  run,
  cases: wanted,
  shape,
  concurrency,
  readConcurrency,
  intakeRate,
  remainingMs,
  actionTargets,
  log,
}: {
  stack: RunningStack;
  client: Client;
  run: string;
  cases: number;
  shape: RushShape;
  concurrency: number;
  readConcurrency: number;
  intakeRate: number;
  remainingMs: () => number;
  actionTargets: string[];
  log: (line: string) => void;
}): Promise<RushResult> {
  const { apiUrl, keys } = stack;
  const allowedAt = (at: Date): boolean => {
    const next = nextAllowedContact('email', at, [], NO_RESTRICTIONS);
    return next.kind === 'allowed' && !next.deferred;
  };
  // Setup runs at about the intake rate measured last. A herd's setup may take 40% of the time
  // left, so the drain has the rest; a spread rush needs its whole spread after T whatever its size.
  const rate = Math.max(0.5, intakeRate);
  const spreadMs = shape === 'opening' ? OPENING_SPREAD_MINUTES * 60_000 : 0;
  const setupBudgetMs = shape === 'opening' ? remainingMs() - spreadMs - 10 * 60_000 : remainingMs() * 0.4;
  const cases = Math.max(0, Math.min(wanted, Math.floor((rate * setupBudgetMs) / 1000 / 1.3)));
  if (cases < wanted) log(`[scale] rush cut to ${cases} cases (time budget at ${rate.toFixed(1)} cases/s)`);
  if (!cases) return { skipped: 'no time left for a rush', shape, cases: 0 };
  const setupMs = Math.max(30_000, Math.ceil((cases / rate) * 1.3 * 1000) + 15_000);
  const at = new Date(Date.now() + setupMs);
  const paris = (date: Date): string => DateTime.fromJSDate(date, { zone: PARIS }).toFormat('ccc dd/MM HH:mm:ss');
  if (!allowedAt(at) || !allowedAt(new Date(at.getTime() + spreadMs))) {
    const reason = `the rush needs a contact window: from T = ${paris(at)} Paris to ${paris(new Date(at.getTime() + spreadMs))}, e-mails may not all leave (Mon–Fri 10:00–13:00, 14:00–20:00, no public holiday); run it then`;
    log(`[scale] rush skipped: ${reason}`);
    return { skipped: reason, shape, cases };
  }
  // When each case wakes: T, or its offset after T as the product spreads a window opening.
  const wakeOf = (caseId: string): Date =>
    shape === 'opening' ? spreadAfterOpening(caseId, at, 'email', [], NO_RESTRICTIONS, DEFAULT_CONTACT_RULES) : at;
  let windowEnd = at;
  while (allowedAt(windowEnd) && windowEnd.getTime() - at.getTime() < 12 * 3_600_000)
    windowEnd = new Date(windowEnd.getTime() + 60_000);
  log(
    `[scale] rush (${shape}): ${cases} cases due at T = ${paris(at)} Paris (window until ${paris(windowEnd)}); setting up…`,
  );

  const creditor = `bench-rush-${run}`;
  const ids: string[] = [];
  let startFailures = 0;
  const intakeSamples: { ms: number; status: number }[] = [];
  const setupStarted = Date.now();
  await pool(cases, concurrency, async (index) => {
    const body = caseBody(creditor, `RUSH-${run}-${index}`, index, 5);
    const input = workflowInputOf(body, new Date());
    try {
      await client.workflow.start(CASE_WORKFLOW_TYPE, {
        workflowId: caseWorkflowId(input.caseId),
        taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'amiable-cases',
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        startDelay: Math.max(1, wakeOf(input.caseId).getTime() - Date.now()),
        typedSearchAttributes: [
          { key: CaseStatus, value: 'active' },
          { key: CaseStage, value: 'none' },
          { key: BalanceCents, value: 185_000 },
          { key: CreditorId, value: creditor },
          { key: DebtorKind, value: 'business' },
        ],
      });
    } catch {
      startFailures++;
    }
    // 15 s at most: the record is written before the API answers, and an API that waits for the
    // workflow's first task (a query) would hold every answer until T.
    const answer = await request(`${apiUrl}/cases`, { method: 'POST', key: keys.operations, body }, 15_000);
    intakeSamples.push({ ms: answer.ms, status: answer.status });
    ids.push(input.caseId);
  });
  const setupSeconds = (Date.now() - setupStarted) / 1000;
  const overranT = Date.now() > at.getTime();
  log(`[scale] rush set up in ${setupSeconds.toFixed(0)} s${overranT ? ' (after T: some cases started late)' : ''}`);
  while (Date.now() < at.getTime()) await sleep(200);

  // Action load while the cases drain: payments and reads on the filled cases, a few at a time.
  let draining = true;
  const payments: { ms: number; status: number }[] = [];
  const reads: { ms: number; status: number }[] = [];
  const today = DateTime.now().setZone(PARIS).toISODate()!;
  const actions = pool(
    Number.MAX_SAFE_INTEGER,
    Math.max(2, Math.floor(readConcurrency / 2)),
    async (i) => {
      const id = actionTargets[(i * 7919) % actionTargets.length];
      if (i % 2)
        payments.push(
          await request(`${apiUrl}/cases/${id}/payments`, {
            method: 'POST',
            key: keys.operations,
            body: { amountCents: 100, paidAt: today, reference: `RUSHPAY-${run}-${i}` },
          }),
        );
      else reads.push(await request(`${apiUrl}/cases/${id}`, { key: keys.operations }));
      await sleep(100);
    },
    () => !draining,
  );
  const cpuBefore = cpuSnapshot(stack);
  const timeline: [number, number][] = [];
  let sent = 0;
  let allSentAfterSeconds: number | undefined;
  const stopAt = Math.min(windowEnd.getTime(), Date.now() + remainingMs() - 30_000);
  while (Date.now() < stopAt) {
    try {
      sent = (await client.workflow.count(`CreditorId = "${creditor}" AND CaseStage = "reminder_1"`)).count;
    } catch {
      // visibility busy: next poll
    }
    const after = Math.round((Date.now() - at.getTime()) / 100) / 10;
    timeline.push([after, sent]);
    if (sent >= cases) {
      allSentAfterSeconds = after;
      break;
    }
    await sleep(2000);
  }
  draining = false;
  await actions;
  const cpu = cpuDelta(cpuBefore, cpuSnapshot(stack));
  log(
    allSentAfterSeconds !== undefined
      ? `[scale] rush: all ${cases} at reminder_1 ${allSentAfterSeconds} s after T`
      : `[scale] rush: ${sent} of ${cases} at reminder_1 when it stopped`,
  );

  // Evidence: the journal of a sample says the first reminder was sent (simulated: no provider).
  const sample = ids.slice(0, 100);
  const journalSample = { checked: sample.length, sentOrSimulated: 0, other: {} as Record<string, number> };
  await pool(sample.length, readConcurrency, async (index) => {
    const answer = await request(`${apiUrl}/cases/${sample[index]}/journal`, { key: keys.operations });
    const entries =
      (answer.body as { entries?: { stage?: string; status?: string; channel?: string }[] })?.entries ?? [];
    const statuses = entries
      .filter((entry) => entry.stage === 'reminder_1' && entry.channel === 'email' && entry.status)
      .map((entry) => entry.status!);
    if (statuses.some((status) => status === 'sent' || status === 'simulated')) journalSample.sentOrSimulated++;
    else {
      const key = answer.status === 200 ? (statuses.at(-1) ?? 'no reminder_1 entry') : `HTTP ${answer.status}`;
      journalSample.other[key] = (journalSample.other[key] ?? 0) + 1;
    }
  });
  return {
    shape,
    cases,
    at: paris(at),
    windowClosesAt: paris(windowEnd),
    setup: {
      seconds: Math.round(setupSeconds),
      overranT,
      startFailures,
      intake: latencyOf(intakeSamples),
    },
    allSentAfterSeconds,
    sentByEnd: sent,
    timeline: timeline.filter((_, i) => i % 5 === 0 || i === timeline.length - 1),
    journalSample,
    during: { 'POST /cases/:id/payments': latencyOf(payments), 'GET /cases/:id': latencyOf(reads) },
    cpu: cpu.seconds,
    worker: memoryOf(stack.state()?.services.worker),
  };
}

// ---------------------------------------------------------------------------------------------
// Printing

const fmtLatency = (l: Latency): string => {
  const failures = Object.entries(l.failures)
    .map(([status, count]) => `${count}×${status === '0' ? 'no answer' : status}`)
    .join(', ');
  return `p50 ${l.p50} / p90 ${l.p90} / p99 ${l.p99} ms (n=${l.n}${failures ? `; non-2xx: ${failures}` : ''})`;
};
const fmtCpu = (cpu: Partial<Record<CpuPart, number>>): string =>
  Object.entries(cpu)
    .map(([part, seconds]) => `${part} ${seconds}`)
    .join(', ');

export function formatLevel(level: LevelResult): string {
  const rows: [string, string][] = [
    ['open cases', `${level.openCases}${level.fillCutShort ? ` (target ${level.targetCases}: cut short)` : ''}`],
    [
      'intake (this fill)',
      `${level.intake.opened} opened in ${level.intake.seconds} s = ${level.intake.casesPerSecond}/s; ${fmtLatency(level.intake.latency)}`,
    ],
    ['bare workflow start', `${level.bare.startsPerSecond}/s; ${fmtLatency(level.bare.latency)}`],
    ['intake ÷ bare', String(level.intakeToBareRatio)],
    ['CPU-s per opened case', fmtCpu(level.intake.cpuPerOpenedCase)],
    [
      'lost writes',
      `${level.lostWrites.notReadable} of ${level.lostWrites.checked} unreadable, ${level.lostWrites.missingFromList ?? '? (not paged to the end)'} of ${level.openCases} missing from GET /cases (${level.lostWrites.listPages} pages of 200), ${level.lostWrites.duplicatedInList} listed twice; read by ${JSON.stringify(level.lostWrites.caseState)}`,
    ],
    [
      'backlog drained',
      level.drain
        ? `${level.drain.quiet ? '' : 'NOT quiet after '}${level.drain.seconds} s after the read-back (stack < ${QUIET_CORES} cores)`
        : 'not waited for',
    ],
    ...Object.entries(level.routes).map(([name, route]): [string, string] => [
      name,
      `${fmtLatency(route)}${Object.keys(route.cpuPerRequest).length ? `; CPU-s/request ${fmtCpu(route.cpuPerRequest)}` : ''}`,
    ]),
    ['worker RSS', level.worker ? `${level.worker.rssMb} MB (peak ${level.worker.peakRssMb} MB)` : 'unknown'],
    [
      'RSS by process',
      Object.entries(level.processesMemory)
        .map(([part, memory]) => `${part} ${memory.rssMb} MB`)
        .join(', '),
    ],
    ['load average', level.loadAverage.join(' ')],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    '',
    `── at ${level.openCases} open cases`,
    ...rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`),
  ].join('\n');
}

export function formatRush(rush: RushResult): string {
  if (rush.skipped) return `\n── rush (${rush.shape}): skipped (${rush.skipped})`;
  const rows: [string, string][] = [
    [
      'cases, T',
      `${rush.cases} due at ${rush.at} Paris, ${rush.shape === 'opening' ? `each at its offset in the ${OPENING_SPREAD_MINUTES} minutes after (opening spread)` : 'all at that instant (herd)'} (window closes ${rush.windowClosesAt})`,
    ],
    [
      'setup',
      `${rush.setup?.seconds} s${rush.setup?.overranT ? ' (overran T)' : ''}; start failures ${rush.setup?.startFailures}; POST /cases ${rush.setup ? fmtLatency(rush.setup.intake) : ''}`,
    ],
    [
      'all sent after T',
      rush.allSentAfterSeconds !== undefined
        ? `${rush.allSentAfterSeconds} s`
        : `NOT ALL: ${rush.sentByEnd} of ${rush.cases}`,
    ],
    [
      'journal sample',
      `${rush.journalSample?.sentOrSimulated} of ${rush.journalSample?.checked} sent/simulated${Object.keys(rush.journalSample?.other ?? {}).length ? `; other ${JSON.stringify(rush.journalSample?.other)}` : ''}`,
    ],
    ...Object.entries(rush.during ?? {}).map(([name, l]): [string, string] => [`${name} during`, fmtLatency(l)]),
    ['CPU-s during the drain', fmtCpu(rush.cpu ?? {})],
    ['worker RSS after', rush.worker ? `${rush.worker.rssMb} MB (peak ${rush.worker.peakRssMb} MB)` : 'unknown'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return ['', `── rush (${rush.shape})`, ...rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`)].join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const result = await runScale(options, (line) => console.error(line));
  console.log('\nScale benchmark (issue 14). Machine:', JSON.stringify(result.machine));
  for (const level of result.levels) console.log(formatLevel(level));
  if (result.rush) console.log(formatRush(result.rush));
  for (const note of result.notes) console.log(`note: ${note}`);
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nJSON: ${options.out}`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
