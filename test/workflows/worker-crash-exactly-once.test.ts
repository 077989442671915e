/**
 * "A message may not leave twice, a worker crash included" (docs/domain.md) — nor not at all. With
 * a real crash: the first worker is a separate process running the compiled product against the
 * SendGrid stand-in, and it is killed with SIGKILL. Temporal retries the activity on a second
 * worker once the dead attempt stops heartbeating; that worker must settle what the first left:
 * - killed while SendGrid holds the request (SendGrid took it, the answer never came): the retry
 *   finds it through the Email Activity lookup, journals it sent, and does not send it again;
 * - killed before the request left (the write that marks the call as started is held on its way
 *   to the database): the retry knows the message never left and sends it, once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer as createTcpServer, Socket, type AddressInfo, type Server as TcpServer } from 'node:net';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Connection } from 'mongoose';
import { createCaseActivities } from '../../activities/case-activities';
import { SendGridEmailTransport } from '../../activities/transports/sendgrid-email';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { createApi } from '../../api/app';
import { alertModel } from '../../models/alert';
import { caseRecordModel } from '../../models/case-record';
import { documentModel } from '../../models/document';
import { journalEntryModel } from '../../models/journal-entry';
import { messageSendModel } from '../../models/message-send';
import { createLogger } from '../../observability/logger';
import { registerSearchAttributes } from '../../worker/register-search-attributes';
import { callApi, KEYS, openCaseBody } from '../api/api-harness';
import { compileProject } from '../helpers/compiled-project';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';
import { startSendGridStandIn, type StandIn } from '../helpers/provider-stand-ins';
import { bundleWorkflows, createTimeSkippingEnv } from '../helpers/temporal';
import { requireTestEnv, TEST_ENV } from '../setup/test-env';

/**
 * A TCP proxy in front of the database for the first worker. Armed, it holds for good the first
 * write from the worker whose bytes match (BSON keeps field names and strings readable), as a
 * process killed just before that write would: the database never sees it.
 */
async function startDatabaseProxy(target: URL) {
  let armed: ((bytes: Buffer) => boolean) | undefined;
  let heldWrite: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (heldWrite = resolve));
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((client) => {
    const upstream = new Socket();
    upstream.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    let holding = false;
    client.on('data', (chunk: Buffer) => {
      if (!holding && armed?.(chunk)) {
        holding = true;
        heldWrite();
      }
      if (!holding) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const proxied = new URL(target.toString());
  proxied.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    uri: proxied.toString(),
    held,
    holdFirstWriteWhere: (matches: (bytes: Buffer) => boolean) => void (armed = matches),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let env: TestWorkflowEnvironment;
let database: Connection;
let buildDir: string;
let bundle: WorkflowBundleWithSourceMap;
let child: ChildProcess | undefined;
let sendgrid: StandIn;
const dataKey = randomBytes(32);
const SENDGRID = { apiKey: 'SG.test-key', from: 'relances@acme.example' };

beforeAll(async () => {
  [env, database, sendgrid] = await Promise.all([
    createTimeSkippingEnv(),
    connectTestDatabase('worker_crash'),
    startSendGridStandIn(),
  ]);
  await Promise.all(
    [caseRecordModel, journalEntryModel, messageSendModel, documentModel, alertModel].map((model) =>
      model(database).createIndexes(),
    ),
  );
  await registerSearchAttributes(env.connection, 'default');
  buildDir = compileProject();
  bundle = await bundleWorkflows(require.resolve('../../workflows'));
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await sendgrid?.close();
  await env?.teardown();
  if (database) await dropTestDatabase(database);
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

/** The compiled worker in its own process, as `npm start` runs it; resolves once it polls. */
async function spawnWorker(taskQueue: string, mongodbUri: string): Promise<ChildProcess> {
  const worker = spawn(process.execPath, [path.join(buildDir, 'worker/main.js')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      MONGODB_URI: `${mongodbUri.replace(/\/$/, '')}/${database.name}`,
      DATA_KEY: dataKey.toString('base64'),
      LOG_LEVEL: 'info',
      SENDGRID_API_KEY: SENDGRID.apiKey,
      SENDGRID_FROM_EMAIL: SENDGRID.from,
      SENDGRID_BASE_URL: sendgrid.baseUrl,
      SENDGRID_EMAIL_ACTIVITY: 'true',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    worker.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('"worker running"')) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`the worker process exited (${code}) before running:\n${output}`)));
  });
  return worker;
}

/**
 * Opens a case through the API while the first worker runs, waits for `crashPoint` (the first
 * reminder is then in the worker's hands), kills the worker, and lets a second one settle the send.
 */
async function crashThenRetry(taskQueue: string, crashPoint: () => Promise<void>): Promise<string> {
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
    // allowed slot (R4: the test clock may stand outside the contact hours).
    const today = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' });
    const opening = callApi(apiUrl, 'POST', '/cases', { as: 'operations', body: openCaseBody(today) });
    const opened = await opening;
    expect(opened.status).toBe(201);
    const caseId = (opened.body as { id: string }).id;
    const soon = new Promise((resolve) => setTimeout(() => resolve('not yet'), 5_000));
    if ((await Promise.race([crashPoint(), soon])) === 'not yet') {
      // Off hours: straight to the next allowed slot. Not before: once the worker is stuck, the
      // Java test server stops skipping time.
      const slot = Date.parse((opened.body as { nextAction: { at: string } }).nextAction.at);
      await env.sleep(Math.max(1, slot - (await env.currentTimeMs())) + 1_000);
    }
    await crashPoint();
    child!.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;

    // Another worker takes over, with the same real client, pointed at the same SendGrid.
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createCaseActivities({
        connection: database,
        dataKey,
        logger: createLogger('test', 'silent'),
        transports: {
          email: new SendGridEmailTransport({
            apiKey: SENDGRID.apiKey,
            from: { email: SENDGRID.from },
            baseUrl: sendgrid.baseUrl,
            emailActivity: { settleMs: 10 * 60_000 },
          }),
          sms: new SimulatedTransport(),
          letter: new SimulatedTransport(),
        },
      }),
    });
    await worker.runUntil(async () => {
      // The dead attempt stops heartbeating: after the 20 s heartbeat timeout it is retried here.
      // Real time: the Java test server does not skip time while the killed attempt holds its lock.
      for (let waited = 0; (await firstReminderOutcome(caseId)).length === 0; waited += 500) {
        if (waited > 90_000) throw new Error('the retry never settled the send');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
    return caseId;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const firstReminderOutcome = (caseId: string) =>
  journalEntryModel(database)
    .find({ caseId, type: 'message', stage: 'reminder_1', status: { $ne: 'deferred' } })
    .lean();
const mailSendsFor = (key: string) =>
  sendgrid.requests.filter(
    (request) =>
      request.method === 'POST' &&
      (request.body as { custom_args?: { idempotencyKey?: string } }).custom_args?.idempotencyKey === key,
  );

// Compiling, bundling, then the heartbeat timeout in real time: about a minute each.
test('killed while SendGrid holds the request: found by the lookup, journaled sent, not sent again', async () => {
  sendgrid.respondWith({ take: 'hold' }); // SendGrid takes the first e-mail and never answers
  const taskQueue = 'crash-after-take';
  child = await spawnWorker(taskQueue, requireTestEnv(TEST_ENV.mongodbUri));
  const tookIt = sendgrid.waitForRequest((request) => request.method === 'POST');

  const caseId = await crashThenRetry(taskQueue, async () => void (await tookIt));

  const firstReminder = `${caseId}:reminder_1:email`;
  expect(mailSendsFor(firstReminder).map((request) => request.body)).toEqual([
    expect.objectContaining({
      personalizations: [expect.objectContaining({ to: [{ email: 'contact@dupont.example' }] })],
    }),
  ]);
  expect(sendgrid.taken.filter((message) => message.idempotencyKey === firstReminder)).toHaveLength(1);
  const send = await messageSendModel(database).findOne({ idempotencyKey: firstReminder }).lean();
  expect(send).toMatchObject({ state: 'sent', status: 'sent', providerMessageId: sendgrid.taken[0]!.id });
  const journal = await firstReminderOutcome(caseId);
  expect(journal.map((entry) => [entry.status, entry.summary])).toEqual([
    ['sent', 'E-mail envoyé : relance 1 (retrouvé chez le prestataire après une interruption)'],
  ]);
  expect(await alertModel(database).countDocuments({ caseId })).toBe(0);
}, 300_000);

test('killed before the request left: the retry sends the e-mail, exactly once', async () => {
  const proxy = await startDatabaseProxy(new URL(requireTestEnv(TEST_ENV.mongodbUri)));
  // The update that marks the provider call as started (state `calling`, callStartedAt).
  proxy.holdFirstWriteWhere((bytes) => bytes.includes('callStartedAt') && bytes.includes('calling'));
  const taskQueue = 'crash-before-call';
  const before = sendgrid.requests.length;
  try {
    child = await spawnWorker(taskQueue, proxy.uri);
    const caseId = await crashThenRetry(taskQueue, () => proxy.held);

    const firstReminder = `${caseId}:reminder_1:email`;
    expect(mailSendsFor(firstReminder)).toHaveLength(1);
    expect(sendgrid.taken.filter((message) => message.idempotencyKey === firstReminder)).toHaveLength(1);
    // Known not to have left: nothing was looked up.
    expect(sendgrid.requests.slice(before).filter((request) => request.method === 'GET')).toEqual([]);
    const send = await messageSendModel(database).findOne({ idempotencyKey: firstReminder }).lean();
    expect(send).toMatchObject({ state: 'sent', attempts: 2 });
    const journal = await firstReminderOutcome(caseId);
    expect(journal.map((entry) => [entry.status, entry.summary])).toEqual([['sent', 'E-mail envoyé : relance 1']]);
    expect(await alertModel(database).countDocuments({ caseId })).toBe(0);
  } finally {
    await proxy.close();
  }
}, 300_000);
