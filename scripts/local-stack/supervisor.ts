import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the service's output goes: a file (noisy servers), or our own stdout with a prefix. */
  logFile?: string;
}

/**
 * When a service dies on its own it is started again after `initialDelayMs`, doubling up to
 * `maxDelayMs`. More than `maxRestarts` deaths within `windowMs` means it will not come back by
 * itself (a corrupt file, a port taken, a bad build): the supervisor gives up. A run that lasted
 * `stableAfterMs` resets the delay, so one crash a day never accumulates into a long wait.
 */
export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  maxRestarts: number;
  windowMs: number;
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  maxRestarts: 5,
  windowMs: 60_000,
  stableAfterMs: 30_000,
};

export interface SupervisorOptions {
  /** Without a policy a death is never retried: `onGiveUp` is told at once. */
  restart?: RestartPolicy;
  /** One human line per restart decision (the caller prints it). */
  onRestart?: (event: { name: string; detail: string; attempt: number; delayMs: number }) => void;
  /** A service got a new process (first start or restart). */
  onSpawn?: (name: string, pid: number | undefined) => void;
}

export interface ServiceHandle {
  name: string;
  isAlive: () => boolean;
  /** The current process: it changes when the service is restarted. */
  readonly pid: number | undefined;
  readonly restarts: number;
}

interface RunningService {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: boolean;
  startedAt: number;
  /** When it died unexpectedly, within the policy's window. */
  deaths: number[];
  consecutive: number;
  restarts: number;
  restartTimer?: NodeJS.Timeout;
  /** The last lines a piped service wrote, for the report when it dies. */
  recentLines: string[];
}

const TAIL_LINES = 20;

/**
 * Starts the processes of a local stack and watches them. A service that dies on its own is
 * restarted with backoff when a restart policy is given; when it keeps dying (or with no policy)
 * `onGiveUp` is told and the caller stops the rest: the stack is never left half-up.
 */
export class Supervisor {
  private readonly services: RunningService[] = [];
  private stopping = false;

  constructor(
    private readonly onGiveUp: (name: string, detail: string) => void,
    private readonly options: SupervisorOptions = {},
  ) {}

  start(spec: ServiceSpec): ServiceHandle {
    if (this.stopping) throw new Error(`not starting ${spec.name}: the stack is stopping`);
    const service: RunningService = {
      spec,
      child: undefined as unknown as ChildProcess,
      exited: false,
      startedAt: Date.now(),
      deaths: [],
      consecutive: 0,
      restarts: 0,
      recentLines: [],
    };
    this.services.push(service);
    this.spawn(service);
    return {
      name: spec.name,
      isAlive: () => !service.exited,
      get pid() {
        return service.exited ? undefined : service.child.pid;
      },
      get restarts() {
        return service.restarts;
      },
    };
  }

  /** The current process of every service still running, by name. */
  pids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const service of this.services) {
      if (!service.exited && service.child.pid !== undefined) pids[service.spec.name] = service.child.pid;
    }
    return pids;
  }

  private spawn(service: RunningService): void {
    const { spec } = service;
    const output = spec.logFile ? fs.openSync(spec.logFile, 'a') : 'pipe';
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', output, output],
      // Own process group: Ctrl-C reaches only us, and we stop the services in order (API first,
      // servers last) instead of all of them racing to exit at once.
      detached: true,
    });
    if (typeof output === 'number') fs.closeSync(output);
    service.child = child;
    service.exited = false;
    service.startedAt = Date.now();
    if (!spec.logFile) {
      for (const stream of [child.stdout, child.stderr]) {
        stream?.setEncoding('utf8');
        stream?.on('data', (chunk: string) => {
          for (const line of chunk.split('\n')) {
            if (!line) continue;
            process.stdout.write(`[${spec.name}] ${line}\n`);
            service.recentLines.push(line);
          }
          if (service.recentLines.length > TAIL_LINES)
            service.recentLines.splice(0, service.recentLines.length - TAIL_LINES);
        });
      }
    }
    let reported = false;
    const died = (detail: string): void => {
      service.exited = true;
      if (reported || this.stopping || service.child !== child) return;
      reported = true;
      this.handleDeath(service, detail);
    };
    child.on('error', (err) => died(`could not start: ${err.message}`));
    child.on('exit', (code, signal) => died(`exited with ${signal ?? `code ${code}`}`));
    this.options.onSpawn?.(spec.name, child.pid);
  }

  private handleDeath(service: RunningService, reason: string): void {
    const { spec } = service;
    const tail = spec.logFile
      ? `\n--- last lines of ${spec.logFile} ---\n${tailOf(spec.logFile, TAIL_LINES)}`
      : service.recentLines.length
        ? `\n--- last lines of ${spec.name} ---\n${service.recentLines.join('\n')}`
        : '';
    const policy = this.options.restart;
    if (!policy) {
      this.onGiveUp(spec.name, `${reason}${tail}`);
      return;
    }
    const now = Date.now();
    if (now - service.startedAt >= policy.stableAfterMs) service.consecutive = 0;
    service.deaths = [...service.deaths.filter((at) => now - at < policy.windowMs), now];
    if (service.deaths.length > policy.maxRestarts) {
      this.onGiveUp(
        spec.name,
        `${reason}; it died ${service.deaths.length} times within ${policy.windowMs / 1000} s, giving up${tail}`,
      );
      return;
    }
    const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** service.consecutive);
    service.consecutive += 1;
    service.restarts += 1;
    this.options.onRestart?.({ name: spec.name, detail: `${reason}${tail}`, attempt: service.restarts, delayMs });
    service.restartTimer = setTimeout(() => {
      service.restartTimer = undefined;
      if (!this.stopping) this.spawn(service);
    }, delayMs);
  }

  /** Last resort when we are exiting without stopAll (e.g. an uncaught error): leave no orphans. */
  killAll(): void {
    for (const service of this.services) {
      if (service.restartTimer) clearTimeout(service.restartTimer);
      if (!service.exited) service.child.kill('SIGKILL');
    }
  }

  /** Stops services in reverse start order: the API before the worker before the servers. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const service of this.services) if (service.restartTimer) clearTimeout(service.restartTimer);
    for (const service of [...this.services].reverse()) {
      if (service.exited) continue;
      const exited = new Promise<void>((resolve) => service.child.once('exit', () => resolve()));
      service.child.kill('SIGTERM');
      const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  }
}

export function tailOf(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
