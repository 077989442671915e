import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, waitForPort } from '../../scripts/local-stack/ports';
import { provisionTool } from '../../scripts/local-stack/provision';
import { ferretdbArgs } from '../../scripts/local-stack/servers';
import { Supervisor } from '../../scripts/local-stack/supervisor';
import { TEST_ENV, type TestRunState } from './test-env';

/**
 * Runs once per `jest` run, before any test file: makes sure the servers exist (building them on a
 * fresh machine), starts one FerretDB for the whole run, and tells the test files where things are
 * through environment variables (jest workers inherit them). Each test file then starts its own
 * time-skipping server (skipped time is global to a server) or, for visibility queries, its own
 * dev server.
 */
export default async function globalSetup(): Promise<void> {
  process.env[TEST_ENV.testServerPath] = provisionTool('test-server');
  // The dev server, for what the test server lacks: visibility queries with a filter.
  process.env[TEST_ENV.temporalCliPath] = provisionTool('temporal-cli');

  if (process.env.MONGODB_URI) {
    process.env[TEST_ENV.mongodbUri] = process.env.MONGODB_URI;
    return;
  }
  const ferretdb = provisionTool('ferretdb');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'amiable-test-ferretdb-'));
  const port = await findFreePort();
  const supervisor = new Supervisor((name, detail) => {
    console.error(`\n[test setup] ${name} died during the test run: ${detail}`);
  });
  const service = supervisor.start({
    name: 'ferretdb',
    command: ferretdb,
    args: ferretdbArgs({ dataDir, port }),
    logFile: path.join(dataDir, 'ferretdb.log'),
  });
  await waitForPort(port, { what: 'FerretDB', stillAlive: service.isAlive, timeoutMs: 30_000 });
  process.env[TEST_ENV.mongodbUri] = `mongodb://127.0.0.1:${port}/`;
  (globalThis as TestRunState).amiableTestRun = { supervisor, dataDir };
}
