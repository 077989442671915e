/**
 * The local stack as `npm start` runs it — a compiled scripts/start.js supervising FerretDB, the
 * worker, the API and (unless `temporalAddress` names another server) the Temporal dev server —
 * started in a temporary data directory on free ports, so that a test or a bench can kill its
 * parts and watch it recover. One starter for test/stack/ and bench/fault-injection.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './ports';
import { provisionTool, REPO_ROOT } from './provision';

export type StackPart = 'temporal' | 'ferretdb' | 'worker' | 'api';

/** `<data>/stack.json`, written by start.js: its own pid and the current process of each part. */
export interface StackState {
  pid: number;
  services: Partial<Record<StackPart, number>>;
}

export interface RunningStack {
  /** The process that was started: start.js itself, or npm running it. */
  top: ChildProcess;
  apiUrl: string;
  /** The Temporal frontend the stack uses (its own dev server, or `temporalAddress`). */
  temporalAddress: string;
  dataDir: string;
  keys: Record<'operations' | 'agent' | 'manager', string>;
  /** Everything start.js and the parts it pipes (worker, API) wrote so far. */
  output: () => string;
  state: () => StackState | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, as a user would stop it (waits up to 30 s), then `cleanup`. */
  stop: () => Promise<void>;
  /** SIGKILL to the top process and to every part still alive; the data directory removed. */
  cleanup: () => Promise<void>;
}

export interface StackOptions {
  /** Where the compiled product is: its scripts/start.js runs the stack. */
  buildDir: string;
  /** Runs `npm start`'s script through npm (a temporary package.json) instead of node directly. */
  viaNpm?: boolean;
  /** A Temporal server already running (e.g. a time-skipping test server): no dev server is started. */
  temporalAddress?: string;
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

const tools: { temporal?: string; ferretdb?: string } = {};

export async function startStack({
  buildDir,
  viaNpm = false,
  temporalAddress,
  env = {},
  startTimeoutMs = 120_000,
}: StackOptions): Promise<RunningStack> {
  tools.ferretdb ??= provisionTool('ferretdb');
  if (!temporalAddress) tools.temporal ??= provisionTool('temporal-cli');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'amiable-stack-'));
  const [ferretdbPort, apiPort, temporalPort, uiPort] = await freePorts(temporalAddress ? 2 : 4);
  const stackEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    AMIABLE_DATA_DIR: dataDir,
    FERRETDB_PATH: tools.ferretdb,
    FERRETDB_PORT: String(ferretdbPort),
    API_PORT: String(apiPort),
    ...(temporalAddress
      ? { TEMPORAL_ADDRESS: temporalAddress }
      : { TEMPORAL_CLI_PATH: tools.temporal, TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort) }),
    ...env,
  };
  const startJs = path.join(buildDir, 'scripts/start.js');
  let top: ChildProcess;
  if (viaNpm) {
    // npm start's own script, minus the build (done by the caller): the same `exec` and the same
    // signal forwarding by npm.
    const scripts = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts;
    const command = scripts.start.replace(/^npm run build && /, '').replace('dist/scripts/start.js', startJs);
    const projectDir = path.join(dataDir, 'npm-project');
    mkdirSync(projectDir);
    const pkg = { name: 'amiable-stack-test', version: '0.0.0', private: true, scripts: { start: command } };
    writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify(pkg));
    top = spawn('npm', ['start', '--silent'], { cwd: projectDir, env: stackEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    top = spawn(process.execPath, [startJs], { cwd: REPO_ROOT, env: stackEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  let output = '';
  for (const stream of [top.stdout, top.stderr])
    stream?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    top.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let topExited = false;
  void exited.then(() => (topExited = true));
  const state = (): StackState | undefined => {
    try {
      return JSON.parse(readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackState;
    } catch {
      return undefined;
    }
  };
  const cleanup = async (): Promise<void> => {
    const pids = Object.values(state()?.services ?? {});
    if (!topExited) {
      top.kill('SIGKILL');
      await exited;
    }
    for (const pid of pids) if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  const stop = async (): Promise<void> => {
    if (!topExited) {
      top.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
    }
    await cleanup();
  };
  try {
    await waitFor(() => output.includes('Amiable is running') || topExited, startTimeoutMs, 'the stack to start');
    if (topExited) throw new Error(`the stack exited while starting:\n${output}`);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const keys = JSON.parse(readFileSync(path.join(dataDir, 'dev-api-keys.json'), 'utf8')) as RunningStack['keys'];
  return {
    top,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    temporalAddress: temporalAddress ?? `127.0.0.1:${temporalPort}`,
    dataDir,
    keys,
    output: () => output,
    state,
    exited,
    stop,
    cleanup,
  };
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True as soon as `check` is, false when `timeoutMs` passed first. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  if (!(await waitUntil(check, timeoutMs)))
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

/** One request; never throws (a refused connection or no answer within `timeoutMs` is status 0). */
export async function request(
  url: string,
  { method = 'GET', key, body }: { method?: string; key?: string | undefined; body?: unknown } = {},
  timeoutMs = 15_000,
): Promise<{ status: number; headers: Headers | undefined; body: unknown; ms: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed, ms: performance.now() - started };
  } catch {
    return { status: 0, headers: undefined, body: undefined, ms: performance.now() - started };
  }
}
