/**
 * How long the time-skipping test server takes to accept connections after launch. The SDK gives
 * it about 5 s before giving up, on 2-core CI machines too.
 *
 *   npm run bench:test-server [runs]
 */
import { spawn } from 'node:child_process';
import { findFreePort, waitForPort } from '../scripts/local-stack/ports';
import { provisionTool } from '../scripts/local-stack/provision';

async function launchOnce(launcher: string): Promise<number> {
  const port = await findFreePort();
  const started = process.hrtime.bigint();
  const child = spawn(launcher, [String(port)], { stdio: 'ignore' });
  let alive = true;
  child.once('exit', () => (alive = false));
  await waitForPort(port, { timeoutMs: 30_000, stillAlive: () => alive, what: 'the test server' });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return elapsedMs;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 10);
  const launcher = provisionTool('test-server');
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await launchOnce(launcher));
  samples.sort((a, b) => a - b);
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(0);
  console.log(`test server: accepts connections after launch, ${runs} runs`);
  console.log(`  min ${pick(0)} ms   p50 ${pick(0.5)} ms   p90 ${pick(0.9)} ms   max ${pick(1)} ms`);
}

void main();
