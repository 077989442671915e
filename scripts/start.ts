/**
 * `npm start`: the whole product on one machine, with no accounts and no internet.
 *
 *   Temporal dev server (+ Web UI)  →  FerretDB  →  worker  →  API
 *
 * State lives in .data/ (or AMIABLE_DATA_DIR), so a second start finds the cases of the first.
 * TEMPORAL_ADDRESS / MONGODB_URI point at servers you run yourself instead. A process that dies is
 * restarted with backoff (the reason and its last log lines printed); one that keeps dying stops
 * everything, loudly: the stack is never left half-up. SIGTERM or SIGINT stops everything in order,
 * API first, servers last. `<data>/stack.json` names the current process of each part.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, loadLocalStackConfig, ROLES, type Role } from '../config';
import { isPortOpen, waitForPort } from './local-stack/ports';
import { provisionTool, REPO_ROOT } from './local-stack/provision';
import { ferretdbArgs, temporalDevServerArgs } from './local-stack/servers';
import { DEFAULT_RESTART_POLICY, Supervisor } from './local-stack/supervisor';
import { workerLaunch } from './local-stack/worker-launch';

const say = (line: string): void => void process.stdout.write(`[start] ${line}\n`);

/** Development API keys: random on first start, then kept with the data so they stay valid. */
function loadOrCreateDevKeys(dataDir: string): Record<Role, string> {
  const file = path.join(dataDir, 'dev-api-keys.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<Role, string>;
  const keys = Object.fromEntries(ROLES.map((role) => [role, `dev-${role}-${randomBytes(18).toString('base64url')}`]));
  fs.writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys as Record<Role, string>;
}

/** The development data key, kept with the data: sealed text in old histories stays readable. */
function loadOrCreateDataKey(dataDir: string): string {
  const file = path.join(dataDir, 'dev-data-key');
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

async function ensurePortFree(port: number, what: string, override: string): Promise<void> {
  if (await isPortOpen(port)) {
    throw new Error(`port ${port} (${what}) is already in use: is another stack running? Stop it, or set ${override}.`);
  }
}

async function waitForHealth(url: string, timeoutMs: number, stillUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline && stillUp()) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} is not healthy (${last})`);
}

async function main(): Promise<void> {
  const stack = loadLocalStackConfig();
  const dataDir = path.resolve(stack.dataDir ?? path.join(REPO_ROOT, '.data'));
  const logDir = path.join(dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });

  let shuttingDown = false;
  const restartPolicy = {
    ...DEFAULT_RESTART_POLICY,
    initialDelayMs: stack.restartDelayMs,
    maxDelayMs: Math.max(DEFAULT_RESTART_POLICY.maxDelayMs, stack.restartDelayMs),
  };
  const attemptedStart = new Set<string>();
  const stateFile = path.join(dataDir, 'stack.json');
  const writeState = (): void =>
    fs.writeFileSync(stateFile, JSON.stringify({ pid: process.pid, services: supervisor.pids() }, null, 2));
  const supervisor = new Supervisor(
    (name, detail) => {
      process.stderr.write(`\n[start] ✖ ${name} keeps failing: ${detail}\n[start] giving up, stopping everything.\n`);
      void shutdown(1);
    },
    {
      restart: restartPolicy,
      onRestart: ({ name, detail, attempt, delayMs }) =>
        process.stderr.write(
          `\n[start] ↻ ${name} stopped unexpectedly: ${detail}\n[start] restarting ${name} in ${delayMs / 1000} s ` +
            `(restart ${attempt}; more than ${restartPolicy.maxRestarts} deaths within ` +
            `${restartPolicy.windowMs / 1000} s stops the stack).\n`,
        ),
      onSpawn: (name, pid) => {
        if (attemptedStart.has(name)) say(`${name} restarted (pid ${pid ?? '?'}).`);
        attemptedStart.add(name);
        writeState();
      },
    },
  );
  const shutdown = async (code: number): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    say('stopping…');
    await supervisor.stopAll();
    fs.rmSync(stateFile, { force: true });
    say('stopped.');
    process.exit(code);
  };
  // npm forwards SIGTERM and SIGINT to its script, which `exec`s node (package.json): so a signal
  // to npm's process, not only Ctrl-C to the terminal's group, stops everything in order. A second
  // signal while stopping does not wait any more.
  const onSignal = (): void => {
    if (shuttingDown) {
      supervisor.killAll();
      process.exit(1);
    }
    void shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', () => supervisor.killAll());

  try {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
    const devKeys = process.env.API_KEYS ? undefined : loadOrCreateDevKeys(dataDir);
    env.DATA_KEY = process.env.DATA_KEY || loadOrCreateDataKey(dataDir);
    if (devKeys) env.API_KEYS = ROLES.map((role) => `${role}:${devKeys[role]}`).join(',');
    // Fail on a bad variable before starting anything.
    const namespace = loadConfig(env).temporal.namespace;

    if (stack.externalTemporalAddress) {
      say(`using your Temporal server at ${stack.externalTemporalAddress}`);
    } else {
      const { temporal: port, temporalUi: uiPort } = stack.ports;
      await ensurePortFree(port, 'Temporal', 'TEMPORAL_PORT or TEMPORAL_ADDRESS');
      await ensurePortFree(uiPort, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
      const cli = stack.temporalCliPath ?? provisionTool('temporal-cli');
      say('starting the Temporal dev server…');
      const temporal = supervisor.start({
        name: 'temporal',
        command: cli,
        args: temporalDevServerArgs({ dbFile: path.join(dataDir, 'temporal.db'), port, uiPort, namespace }),
        logFile: path.join(logDir, 'temporal.log'),
      });
      await waitForPort(port, { what: 'the Temporal dev server', stillAlive: temporal.isAlive });
      await waitForPort(uiPort, { what: 'the Temporal Web UI', stillAlive: temporal.isAlive });
      env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
      env.TEMPORAL_UI_URL = `http://localhost:${uiPort}`;
    }

    if (stack.externalMongodbUri) {
      say('using your MongoDB server (MONGODB_URI)');
    } else {
      const port = stack.ports.ferretdb;
      await ensurePortFree(port, 'FerretDB', 'FERRETDB_PORT or MONGODB_URI');
      const ferretdb = stack.ferretdbPath ?? provisionTool('ferretdb');
      const ferretdbDir = path.join(dataDir, 'ferretdb');
      fs.mkdirSync(ferretdbDir, { recursive: true });
      say('starting FerretDB (MongoDB-compatible, SQLite storage)…');
      const database = supervisor.start({
        name: 'ferretdb',
        command: ferretdb,
        args: ferretdbArgs({ dataDir: ferretdbDir, port }),
        logFile: path.join(logDir, 'ferretdb.log'),
      });
      await waitForPort(port, { what: 'FerretDB', stillAlive: database.isAlive });
      env.MONGODB_URI = `mongodb://127.0.0.1:${port}/amiable`;
    }

    const config = loadConfig(env);
    await ensurePortFree(config.api.port, 'API', 'API_PORT');
    say('starting the worker and the API…');
    const worker = workerLaunch(path.join(__dirname, '../worker/main.js'), env);
    say(
      `worker budget ${worker.sizing.memoryBudgetMb} MB: ${worker.sizing.maxCachedWorkflows} cases cached, heap ${worker.sizing.heapMb} MB, ${worker.sizing.maxConcurrentActivityTaskExecutions} activities at once`,
    );
    supervisor.start({
      name: 'worker',
      command: process.execPath,
      args: worker.args,
      env,
    });
    const api = supervisor.start({
      name: 'api',
      command: process.execPath,
      args: [path.join(__dirname, '../api/main.js')],
      env,
    });
    const apiUrl = `http://${config.api.host === '0.0.0.0' ? 'localhost' : config.api.host}:${config.api.port}`;
    await waitForHealth(`${apiUrl}/health`, 60_000, api.isAlive);

    const lines = [
      '',
      '  Amiable is running.',
      '',
      `  Temporal Web UI   ${config.temporal.uiUrl}`,
      `  API               ${apiUrl}`,
      `  API health        ${apiUrl}/health`,
      `  Data              ${dataDir}`,
      `  Server logs       ${logDir}`,
      '',
      ...(devKeys
        ? [
            '  Development API keys (Authorization: Bearer <key>):',
            ...ROLES.map((role) => `    ${role.padEnd(11)} ${devKeys[role]}`),
            '',
          ]
        : ['  API keys: from API_KEYS.', '']),
      '  Ctrl-C (or SIGTERM to this process) stops everything. A part that dies is restarted.',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (err) {
    process.stderr.write(`\n[start] ✖ ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    await shutdown(1);
  }
}

void main();
