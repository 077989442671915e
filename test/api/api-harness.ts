/**
 * The whole product in one test file's reach: a time-skipping Temporal server, a database on the
 * run's FerretDB, a worker running the case workflow with its real activities (simulated
 * transports), and the HTTP API served on an ephemeral port with one key per role. Tests talk to
 * it over HTTP only, as a client would, and move the server's virtual clock with `env.sleep`.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Connection } from 'mongoose';
import { createCaseActivities, type CaseActivitiesDependencies } from '../../activities/case-activities';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { createApi, type Api, type ApiDependencies } from '../../api/app';
import type { Role } from '../../config';
import { alertModel } from '../../models/alert';
import { callTaskModel } from '../../models/call-task';
import { caseRecordModel } from '../../models/case-record';
import { documentModel } from '../../models/document';
import { journalEntryModel } from '../../models/journal-entry';
import { messageSendModel } from '../../models/message-send';
import { createLogger } from '../../observability/logger';
import { registerSearchAttributes } from '../../worker/register-search-attributes';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';
import { bundleWorkflows, createDevServerEnv, createTimeSkippingEnv } from '../helpers/temporal';

export const KEYS: Record<Role, string> = {
  operations: `ops-${'o'.repeat(24)}`,
  agent: `agent-${'a'.repeat(24)}`,
  manager: `manager-${'m'.repeat(24)}`,
};

export interface ApiResponse {
  status: number;
  // Tests read whatever the API answered; the schemas are asserted, not assumed.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

export interface RequestOptions {
  as?: Role | 'nobody';
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface ApiTestContext {
  env: TestWorkflowEnvironment;
  database: Connection;
  api: Api;
  baseUrl: string;
  dataKey: Buffer;
  taskQueue: string;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** The server's virtual "now" in Paris. */
  now(): Promise<DateTime>;
  /** Shuts the file's worker down: nothing answers the workflows any more (queries wait). */
  stopWorker(): Promise<void>;
}

export async function callApi(baseUrl: string, method: string, path: string, options: RequestOptions = {}) {
  const as = options.as ?? 'manager';
  const headers: Record<string, string> = { ...(as === 'nobody' ? {} : { authorization: `Bearer ${KEYS[as]}` }) };
  let payload: string | undefined = options.raw;
  if (payload === undefined && options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...options.headers },
    ...(payload !== undefined ? { body: payload } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (e.g. the /docs page): the text is the body.
  }
  return { status: response.status, body, headers: response.headers } as ApiResponse;
}

/** What a file may plug in instead of the simulated defaults (real SDK clients against stand-ins…). */
export interface ApiFileOptions {
  channels?: () => Promise<Pick<CaseActivitiesDependencies, 'transports' | 'dossierDelivery' | 'letters'>>;
  webhooks?: ApiDependencies['webhooks'];
  /** The API's waits on Temporal (defaults of api/app.ts otherwise). */
  timeouts?: Pick<ApiDependencies, 'temporalTimeoutMs'>;
  /**
   * `dev`: a real dev server instead of the time-skipping one, for `GET /cases`, which reads
   * Temporal's visibility (the time-skipping server has no ListWorkflowExecutions). Its clock is
   * the machine's and cannot be moved: open quiet cases (first step days away).
   */
  server?: 'time-skipping' | 'dev';
}

/** Sets the context up before the file's tests and tears it down after them. */
export function setUpApiFile(label: string, options: ApiFileOptions = {}): ApiTestContext {
  const context = {} as ApiTestContext;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let server: Server | undefined;

  beforeAll(async () => {
    const [env, bundle, database] = await Promise.all([
      options.server === 'dev' ? createDevServerEnv() : createTimeSkippingEnv(),
      bundleWorkflows(require.resolve('../../workflows')),
      connectTestDatabase(label),
    ]);
    // Unique indexes carry the idempotency: they must exist before the first write.
    await Promise.all(
      [caseRecordModel, journalEntryModel, callTaskModel, messageSendModel, documentModel, alertModel].map((model) =>
        model(database).createIndexes(),
      ),
    );
    await registerSearchAttributes(env.connection, 'default');
    const dataKey = randomBytes(32);
    const taskQueue = `api-${label}`;
    const logger = createLogger('test', 'silent');
    const simulated = () => new SimulatedTransport();
    const channels = (await options.channels?.()) ?? {
      transports: { email: simulated(), sms: simulated(), letter: simulated() },
    };
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createCaseActivities({ connection: database, dataKey, logger, ...channels }),
    });
    running = worker.run();
    const api = createApi({
      temporal: env.connection,
      database,
      logger,
      namespace: 'default',
      taskQueue,
      keys: (Object.keys(KEYS) as Role[]).map((role) => ({ role, key: KEYS[role] })),
      dataKey,
      now: async () => new Date(await env.currentTimeMs()),
      ...(options.webhooks ? { webhooks: options.webhooks } : {}),
      ...options.timeouts,
    });
    server = api.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(context, {
      env,
      database,
      api,
      baseUrl,
      dataKey,
      taskQueue,
      request: (method: string, path: string, options?: RequestOptions) => callApi(baseUrl, method, path, options),
      now: async () => DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' }),
      stopWorker: async () => {
        if (worker?.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await context.env?.teardown();
    if (context.database) await dropTestDatabase(context.database);
  });

  return context;
}

let counter = 0;

/**
 * A collectable business claim due `dueDaysAgo` days ago (in the server's time), with a reference of
 * its own. Three days: the standard policy's first reminder is due at once; one day: it is two days
 * away, so nothing leaves while a test looks at the case just opened.
 */
export function openCaseBody(today: DateTime, overrides: Record<string, unknown> = {}, dueDaysAgo = 3) {
  counter += 1;
  return {
    reference: `INV-${today.toFormat('yyyyMMdd')}-${counter}-${randomBytes(2).toString('hex')}`,
    creditor: {
      id: 'acme',
      name: 'ACME SAS',
      legalId: '552100554',
      address: '1 rue de la Paix, 75001 Paris',
      email: 'compta@acme.example',
    },
    debtor: {
      kind: 'business',
      name: 'Dupont SARL',
      email: 'contact@dupont.example',
      phone: '+33612345678',
      address: '5 avenue Foch, 69006 Lyon',
      legalId: '123456789',
    },
    claim: {
      nature: 'Prestation de maintenance, octobre',
      basis: 'Bon de commande BC-778 signé',
      currency: 'EUR',
      invoices: [
        {
          number: `F-${counter}`,
          issueDate: today.minus({ days: 30 + dueDaysAgo }).toISODate()!,
          dueDate: today.minus({ days: dueDaysAgo }).toISODate()!,
          amountCents: 185000,
        },
      ],
    },
    policy: 'standard',
    ...overrides,
  };
}

/** Opens a case over HTTP and returns it; fails the test with the API's answer otherwise. */
export async function openCase(context: ApiTestContext, overrides: Record<string, unknown> = {}, dueDaysAgo = 3) {
  const response = await context.request('POST', '/cases', {
    as: 'operations',
    body: openCaseBody(await context.now(), overrides, dueDaysAgo),
  });
  if (response.status !== 201)
    throw new Error(`POST /cases answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string; reference: string; workflowId: string; [field: string]: unknown };
}

/** Polls until `check` passes: the projection and journal are written by activities, a moment after the Update. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Lets virtual time run, one wake-up of the case at a time, until `done` holds. A reminder is not
 * due at a known instant: its step comes due on a day, then R4 defers it to the next contact window
 * (10:00, 14:00, Monday, the day after a holiday), which the case shows as its next action only once
 * that day has come. So the clock moves to each next action in turn, as the case would live it,
 * whatever hour and day the test clock started at; the contact rules are never bypassed.
 */
export async function advanceUntil(
  context: ApiTestContext,
  caseId: string,
  done: () => boolean | Promise<boolean>,
  { maxWakes = 10, timeoutMs = 30_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let wakes = 0;
  while (!(await done())) {
    const read = await context.request('GET', `/cases/${caseId}`, { as: 'agent' });
    const at: string | undefined = read.body?.nextAction?.at;
    const wait = at === undefined ? 0 : Date.parse(at) - (await context.env.currentTimeMs());
    if (wait > 0) {
      if (wakes >= maxWakes) throw new Error(`still not done after ${maxWakes} wake-ups of case ${caseId}`);
      wakes += 1;
      // A second past the instant: the workflow's timer fires, then its activities run.
      await context.env.sleep(wait + 1_000);
    } else {
      // The action is due or in flight: its activities and the projection follow in real time.
      if (Date.now() > deadline) throw new Error(`case ${caseId}: not done ${timeoutMs} ms after its next action`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
