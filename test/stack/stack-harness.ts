/**
 * The local stack as `npm start` runs it — the compiled scripts/start.js supervising the Temporal
 * dev server, FerretDB, the worker and the API as real processes — in a temporary data directory on
 * free ports, so tests can kill its parts and watch it recover.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../scripts/local-stack/ports';
import { provisionTool } from '../../scripts/local-stack/provision';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The product compiled to JavaScript without type-checking (`npm run typecheck` does that): these
 * tests are about processes, and a fresh build keeps them from running a stale dist/.
 */
export function compileForStack(): string {
  const parent = path.join(ROOT, '.test-build');
  mkdirSync(parent, { recursive: true });
  const outDir = mkdtempSync(path.join(parent, 'stack-'));
  execFileSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--noCheck',
    ],
    { stdio: 'inherit' },
  );
  return outDir;
}

export interface StackState {
  pid: number;
  services: Partial<Record<'temporal' | 'ferretdb' | 'worker' | 'api', number>>;
}

export interface RunningStack {
  /** The process that was started: start.js itself, or npm running it. */
  top: ChildProcess;
  apiUrl: string;
  dataDir: string;
  keys: Record<'operations' | 'agent' | 'manager', string>;
  output: () => string;
  state: () => StackState | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  cleanup: () => Promise<void>;
}

export interface StackOptions {
  buildDir: string;
  /** Runs `npm start`'s script through npm (a temporary package.json) instead of node directly. */
  viaNpm?: boolean;
  env?: NodeJS.ProcessEnv;
}

let tools: { temporal: string; ferretdb: string } | undefined;

export async function startStack({ buildDir, viaNpm = false, env = {} }: StackOptions): Promise<RunningStack> {
  tools ??= { temporal: provisionTool('temporal-cli'), ferretdb: provisionTool('ferretdb') };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'amiable-stack-'));
  const [temporalPort, uiPort, ferretdbPort, apiPort] = await freePorts(4);
  const stackEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    AMIABLE_DATA_DIR: dataDir,
    TEMPORAL_CLI_PATH: tools.temporal,
    FERRETDB_PATH: tools.ferretdb,
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    FERRETDB_PORT: String(ferretdbPort),
    API_PORT: String(apiPort),
    ...env,
  };
  const startJs = path.join(buildDir, 'scripts/start.js');
  let top: ChildProcess;
  if (viaNpm) {
    // npm start's own script, minus the build (done once for the file): the same `exec` and the
    // same signal forwarding by npm.
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts;
    const command = scripts.start.replace(/^npm run build && /, '').replace('dist/scripts/start.js', startJs);
    const projectDir = path.join(dataDir, 'npm-project');
    mkdirSync(projectDir);
    const pkg = { name: 'amiable-stack-test', version: '0.0.0', private: true, scripts: { start: command } };
    writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify(pkg));
    top = spawn('npm', ['start', '--silent'], { cwd: projectDir, env: stackEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    top = spawn(process.execPath, [startJs], { cwd: ROOT, env: stackEnv, stdio: ['ignore', 'pipe', 'pipe'] });
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
  try {
    await waitFor(() => output.includes('Amiable is running') || topExited, 120_000, 'the stack to start');
    if (topExited) throw new Error(`the stack exited while starting:\n${output}`);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const keys = JSON.parse(readFileSync(path.join(dataDir, 'dev-api-keys.json'), 'utf8')) as RunningStack['keys'];
  return { top, apiUrl: `http://127.0.0.1:${apiPort}`, dataDir, keys, output: () => output, state, exited, cleanup };
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort());
  return [...ports];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One request; never throws (a refused connection is status 0). */
export async function request(
  url: string,
  { method = 'GET', key, body }: { method?: string; key?: string; body?: unknown } = {},
): Promise<{ status: number; headers: Headers | undefined; body: unknown; ms: number }> {
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed, ms: Date.now() - started };
  } catch {
    return { status: 0, headers: undefined, body: undefined, ms: Date.now() - started };
  }
}
