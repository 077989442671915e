import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The project compiled to JavaScript, for tests that need real processes (a worker to kill with
 * SIGKILL, the whole local stack). Inside the project so that `node_modules` resolves from it; one
 * directory per call, so parallel test files never compile over each other. Without type-checking
 * (`npm run typecheck` does that): these tests are about processes, and a fresh build keeps them
 * from running a stale dist/.
 */
export function compileProject(prefix = 'run'): string {
  const parent = path.join(ROOT, '.test-build');
  mkdirSync(parent, { recursive: true });
  const outDir = mkdtempSync(path.join(parent, `${prefix}-`));
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
