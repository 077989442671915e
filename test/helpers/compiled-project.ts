import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The project compiled to JavaScript, for tests that need a real second process (a worker to kill
 * with SIGKILL). Inside the project so that `node_modules` resolves from it; one directory per
 * call, so parallel test files never compile over each other.
 */
export function compileProject(): string {
  const parent = path.join(ROOT, '.test-build');
  mkdirSync(parent, { recursive: true });
  const outDir = mkdtempSync(path.join(parent, 'run-'));
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir],
    { stdio: 'inherit' },
  );
  return outDir;
}
