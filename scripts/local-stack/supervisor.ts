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

interface RunningService {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: boolean;
}

/**
 * Starts the processes of a local stack and watches them. If any of them dies while the stack is
 * up, `onUnexpectedExit` is told (the caller stops the rest): the stack is never left half-up.
 */
export class Supervisor {
  private readonly services: RunningService[] = [];
  private stopping = false;

  constructor(private readonly onUnexpectedExit: (name: string, detail: string) => void) {}

  start(spec: ServiceSpec): { isAlive: () => boolean; pid: number | undefined } {
    const output = spec.logFile ? fs.openSync(spec.logFile, 'a') : 'pipe';
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', output, output],
      // Own process group: Ctrl-C reaches only us, and we stop the services in order (API first,
      // servers last) instead of all of them racing to exit at once.
      detached: true,
    });
    const service: RunningService = { spec, child, exited: false };
    this.services.push(service);
    if (!spec.logFile) {
      for (const stream of [child.stdout, child.stderr]) {
        stream?.setEncoding('utf8');
        stream?.on('data', (chunk: string) => {
          for (const line of chunk.split('\n')) if (line) process.stdout.write(`[${spec.name}] ${line}\n`);
        });
      }
    }
    child.on('error', (err) => {
      service.exited = true;
      if (!this.stopping) this.onUnexpectedExit(spec.name, `could not start: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      service.exited = true;
      if (!this.stopping) {
        const tail = spec.logFile ? `\n--- last lines of ${spec.logFile} ---\n${tailOf(spec.logFile, 20)}` : '';
        this.onUnexpectedExit(spec.name, `exited with ${signal ?? `code ${code}`}${tail}`);
      }
    });
    return { isAlive: () => !service.exited, pid: child.pid };
  }

  /** Last resort when we are exiting without stopAll (e.g. an uncaught error): leave no orphans. */
  killAll(): void {
    for (const service of this.services) if (!service.exited) service.child.kill('SIGKILL');
  }

  /** Stops services in reverse start order: the API before the worker before the servers. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
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
