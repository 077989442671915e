import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type Tool = 'temporal-cli' | 'ferretdb' | 'test-server';

/** The clone's root, whether this file runs from source (ts-jest) or from dist/. */
export const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();

/**
 * Runs scripts/provision/<tool>.sh, which builds the tool on first use, caches it outside the
 * clone and prints its path. Progress goes straight to our stderr so a first run never looks hung.
 */
export function provisionTool(tool: Tool): string {
  const script = path.join(REPO_ROOT, 'scripts', 'provision', `${tool}.sh`);
  const result = spawnSync('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const binary = result.stdout?.trim().split('\n').pop();
  if (result.status !== 0 || !binary) {
    throw new Error(`provisioning ${tool} failed (exit ${result.status ?? result.signal}); see the messages above`);
  }
  return binary;
}
