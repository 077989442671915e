/**
 * "A message may not leave twice, a worker crash included" (docs/domain.md), with a real crash: the
 * worker is a separate process running the compiled product against a SendGrid stand-in, and it
 * is killed with SIGKILL while SendGrid has the message but before the worker heard back, so
 * before anything was journaled. Temporal retries the activity on another worker once the attempt
 * times out; that worker must find the claimed send and report it, not send it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Connection } from 'mongoose';
import { createCaseActivities } from '../../activities/case-activities';
import { SendGridEmailTransport } from '../../activities/transports/sendgrid-email';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { createApi } from '../../api/app';
import { caseRecordModel } from '../../models/case-record';
import { documentModel } from '../../models/document';
import { journalEntryModel } from '../../models/journal-entry';
import { messageSendModel } from '../../models/message-send';
import { createLogger } from '../../observability/logger';
import { registerSearchAttributes } from '../../worker/register-search-attributes';
import { callApi, KEYS, openCaseBody } from '../api/api-harness';
import { compileProject } from '../helpers/compiled-project';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';
import { bundleWorkflows, createTimeSkippingEnv } from '../helpers/temporal';
import { requireTestEnv, TEST_ENV } from '../setup/test-env';

interface SeenRequest {
  idempotencyKey: string;
  to: string;
}

/** SendGrid's send endpoint: it keeps the first request unanswered (the crash happens meanwhile). */
function startHoldingSendGrid() {
  const seen: SeenRequest[] = [];
  let holdFirst = true;
  let firstArrived: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as {
        personalizations: { to: { email: string }[] }[];
        custom_args?: Record<string, string>;
      };
      seen.push({
        idempotencyKey: body.custom_args?.idempotencyKey ?? '?',
        to: body.personalizations[0]?.to[0]?.email ?? '?',
      });
      if (holdFirst) {
        holdFirst = false;
        firstArrived();
        return; // never answered: the worker dies waiting
      }
      res.writeHead(202, { 'x-message-id': `msg-${seen.length}` }).end();
    });
  });
  return {
    seen,
    arrived,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let env: TestWorkflowEnvironment;
let database: Connection;
let buildDir: string;
let child: ChildProcess | undefined;
const sendgrid = startHoldingSendGrid();

beforeAll(async () => {
  [env, database] = await Promise.all([createTimeSkippingEnv(), connectTestDatabase('worker_crash')]);
  await Promise.all(
    [caseRecordModel, journalEntryModel, messageSendModel, documentModel].map((model) =>
      model(database).createIndexes(),
    ),
  );
  await registerSearchAttributes(env.connection, 'default');
  buildDir = compileProject();
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await sendgrid.close();
  await env?.teardown();
  if (database) await dropTestDatabase(database);
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

// Bundling for two workers, then the heartbeat timeout in real time: about a minute.
test('killed between the provider call and the journal write: the e-mail left once, and the case says so', async () => {
  const baseUrl = await sendgrid.listen();
  const taskQueue = 'crash-test';
  const dataKey = randomBytes(32);
  const sendgridEnv = { apiKey: 'SG.test-key', from: 'relances@acme.example' };

  // The first worker: the compiled product in its own process, as `npm start` runs it.
  child = spawn(process.execPath, [path.join(buildDir, 'worker/main.js')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGODB_URI: `${requireTestEnv(TEST_ENV.mongodbUri).replace(/\/$/, '')}/${database.name}`,
      DATA_KEY: dataKey.toString('base64'),
      LOG_LEVEL: 'info',
      SENDGRID_API_KEY: sendgridEnv.apiKey,
      SENDGRID_FROM_EMAIL: sendgridEnv.from,
      SENDGRID_BASE_URL: baseUrl,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Bundling the workflows takes the new process a few seconds: open the case once it polls.
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('"worker running"')) resolve();
    });
    child!.once('exit', (code) => reject(new Error(`the worker process exited (${code}) before running:\n${output}`)));
  });

  const api = createApi({
    temporal: env.connection,
    database,
    logger: createLogger('test', 'silent'),
    namespace: 'default',
    taskQueue,
    keys: [{ role: 'operations', key: KEYS.operations }],
    dataKey,
    now: async () => new Date(await env.currentTimeMs()),
  });
  const server = api.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // Three days after the due date: the first reminder is due today, at once or at the next
    // allowed slot (this runs at the machine's time of day, nights and weekends included).
    const today = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' });
    const opening = callApi(apiUrl, 'POST', '/cases', { as: 'operations', body: openCaseBody(today) });
    await opening;
    const soon = new Promise((resolve) => setTimeout(() => resolve('not yet'), 5_000));
    if ((await Promise.race([sendgrid.arrived, soon])) === 'not yet') {
      // Off hours: straight to the next allowed slot. Not before: once the send is held, the Java
      // test server stops skipping time.
      const slot = Date.parse(((await opening).body as { nextAction: { at: string } }).nextAction.at);
      await env.sleep(Math.max(1, slot - (await env.currentTimeMs())) + 1_000);
    }
    await sendgrid.arrived;
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));

    // Another worker takes over, with the same real client, pointed at the same SendGrid.
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflows(require.resolve('../../workflows')),
      activities: createCaseActivities({
        connection: database,
        dataKey,
        logger: createLogger('test', 'silent'),
        transports: {
          email: new SendGridEmailTransport({ apiKey: sendgridEnv.apiKey, from: { email: sendgridEnv.from }, baseUrl }),
          sms: new SimulatedTransport(),
          letter: new SimulatedTransport(),
        },
      }),
    });
    const outcomeOf = () =>
      journalEntryModel(database)
        .find({ caseId, type: 'message', stage: 'reminder_1', status: { $ne: 'deferred' } })
        .lean();
    let caseId = '';
    await worker.runUntil(async () => {
      const opened = await opening;
      expect(opened.status).toBe(201);
      caseId = (opened.body as { id: string }).id;
      // The dead attempt stops heartbeating: after the 20 s heartbeat timeout it is retried here.
      // Real time: the Java test server does not skip time while the killed attempt holds its lock.
      for (let waited = 0; (await outcomeOf()).length === 0; waited += 500) {
        if (waited > 90_000) throw new Error('the retry never settled the send');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });

    const firstReminder = `${caseId}:reminder_1:email`;
    expect(sendgrid.seen.filter((request) => request.idempotencyKey === firstReminder)).toEqual([
      { idempotencyKey: firstReminder, to: 'contact@dupont.example' },
    ]);
    const send = await messageSendModel(database).findOne({ idempotencyKey: firstReminder }).lean();
    expect(send?.state).toBe('unknown');
    const journal = await outcomeOf();
    expect(journal.map((entry) => entry.status)).toEqual(['failed']);
    expect(journal[0]?.summary).toMatch(/outcome unknown after a crash: not re-sent/);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}, 300_000);
