/**
 * POST /cases over HTTP: the Case it answers, idempotency on creditor + reference, refusals that
 * leave nothing behind, concurrent identical requests, and the crash between the case record and
 * the workflow.
 */
import { Connection, WorkflowClient, WorkflowNotFoundError } from '@temporalio/client';
import { createApi } from '../../api/app';
import { caseIdFor } from '../../api/intake';
import { caseRecordModel } from '../../models/case-record';
import { caseViewModel } from '../../models/case-view';
import { pendingIntakeModel } from '../../models/pending-intake';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createLogger, REDACTED_PATHS, type Logger } from '../../observability/logger';
import { findFreePort } from '../../scripts/local-stack/ports';
import { connectTestDatabase } from '../helpers/database';
import { withServer } from '../helpers/http';
import { callApi, eventually, KEYS, openCaseBody, setUpApiFile } from './api-harness';

const context = setUpApiFile('intake');
// Request bodies are built wrong on purpose here: their shape is whatever the test needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;
const records = () => caseRecordModel(context.database);

/** Another API on the same servers, with one of them swapped (unreachable, closed). */
function apiWith(swap: {
  temporal?: Connection;
  database?: Awaited<ReturnType<typeof connectTestDatabase>>;
  logger?: Logger;
}) {
  return createApi({
    temporal: swap.temporal ?? context.env.connection,
    database: swap.database ?? context.database,
    logger: swap.logger ?? createLogger('test', 'silent'),
    namespace: 'default',
    taskQueue: context.taskQueue,
    keys: [{ role: 'operations', key: KEYS.operations }],
    dataKey: context.dataKey,
    now: async () => new Date(await context.env.currentTimeMs()),
    temporalTimeoutMs: 2_000,
  });
}

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await context.env.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

test('a collectable claim opens a case: 201, the Case of the contract, a running workflow', async () => {
  // Due yesterday: the first reminder is two days away, whatever the time of day the test runs at.
  const body = openCaseBody(await context.now(), {}, 1);
  const response = await context.request('POST', '/cases', { as: 'operations', body });

  expect(response.status).toBe(201);
  const opened = response.body;
  expect(opened.amounts.lateChargesCents).toBeGreaterThan(4000);
  expect(opened).toMatchObject({
    id: caseIdFor('acme', body.reference),
    reference: body.reference,
    creditorId: 'acme',
    status: 'active',
    debtor: { kind: 'business', name: 'Dupont SARL', email: 'contact@dupont.example', phone: '+33612345678' },
    // R3: one day late, a business claim already owes the €40 indemnity and a day of penalties.
    amounts: {
      principalCents: 185000,
      paidCents: 0,
      balanceCents: 185000 + opened.amounts.lateChargesCents,
      currency: 'EUR',
    },
    closedAt: null,
    promise: null,
    installmentPlan: null,
    dispute: null,
    workflowId: `case-${caseIdFor('acme', body.reference)}`,
  });
  expect(opened.openedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?[+-]\d\d:\d\d$/);
  expect(opened.prescription).toEqual({ date: expect.stringMatching(/^\d{4}-\d\d-\d\d$/), prescribed: false });
  expect(opened.nextAction).toEqual({ type: 'reminder_1', at: expect.any(String) });
  expect(await workflowExists(opened.workflowId)).toBe(true);

  const description = await context.env.client.workflow.getHandle(opened.workflowId).describe();
  expect(description.typedSearchAttributes.getAll().map((pair) => pair.key.name)).toEqual(
    expect.arrayContaining(['CaseStatus', 'CreditorId', 'BalanceCents']),
  );
  // No personal data in what the Web UI shows of the workflow (R7).
  expect(JSON.stringify(await context.env.client.workflow.getHandle(opened.workflowId).fetchHistory())).not.toMatch(
    /Dupont|contact@dupont|33612345678|Foch/,
  );
});

describe("the intake answer is the workflow's first view, computed without asking the workflow", () => {
  const consumer = {
    kind: 'consumer',
    name: 'Jean Martin',
    email: 'jean@example.fr',
    address: '3 rue Kléber, 67000 Strasbourg',
  };
  test.each([
    ['a business claim, standard policy', {}, 1],
    ['a business claim, gentle policy', { policy: 'gentle' }, 2],
    ['a consumer claim, its default policy', { debtor: consumer, policy: undefined }, 1],
    ['a consumer claim, standard policy, two invoices', { debtor: consumer, policy: 'standard' }, 1],
  ] as const)('%s', async (_label, overrides, dueDaysAgo) => {
    const body: Body = openCaseBody(await context.now(), overrides, dueDaysAgo);
    if (body.policy === undefined) delete body.policy;
    if (_label.includes('two invoices')) {
      body.claim.invoices.push({
        ...body.claim.invoices[0],
        number: `${body.claim.invoices[0].number}-b`,
        amountCents: 4200,
      });
    }
    const query = jest.spyOn(WorkflowClient.prototype, 'getHandle');
    const opened = await context.request('POST', '/cases', { as: 'operations', body });
    expect(opened.status).toBe(201);
    // Intake started the workflow and asked it nothing.
    expect(query).not.toHaveBeenCalled();
    query.mockRestore();

    // The workflow's own view, once its first task has run (the time-skipping clock stands still).
    const stored = await eventually(
      () => caseViewModel(context.database).findOne({ _id: opened.body.id }).lean(),
      (view) => view !== null,
    );
    const live = await context.request('GET', `/cases/${opened.body.id}`);
    expect(live.headers.get('x-case-state')).toBe('saved');
    expect(opened.body).toEqual(live.body);
    expect(stored?.view).toMatchObject({ revision: 1, stage: 'none', summary: opened.body.summary });
  });
});

test('the identical case again answers 200 with the same case; another payload on the reference is 409', async () => {
  const body = openCaseBody(await context.now());
  const first = await context.request('POST', '/cases', { as: 'operations', body });
  // Key order does not make it another payload.
  const reordered = {
    policy: body.policy,
    claim: body.claim,
    debtor: body.debtor,
    creditor: body.creditor,
    reference: body.reference,
  };
  const again = await context.request('POST', '/cases', { as: 'operations', body: reordered });
  expect(first.status).toBe(201);
  expect(again.status).toBe(200);
  expect(again.body.id).toBe(first.body.id);

  const changed = { ...body, claim: { ...body.claim, invoices: [{ ...body.claim.invoices[0]!, amountCents: 99 }] } };
  const conflict = await context.request('POST', '/cases', { as: 'operations', body: changed });
  expect(conflict.status).toBe(409);
  expect(conflict.body.error).toMatchObject({ code: 'conflict', details: [{ path: 'body.reference' }] });
  expect(await records().countDocuments({ reference: body.reference })).toBe(1);
});

test('eight concurrent identical POSTs open one case and one workflow', async () => {
  const body = openCaseBody(await context.now());
  const answers = await Promise.all(
    Array.from({ length: 8 }, () => context.request('POST', '/cases', { as: 'operations', body })),
  );
  const statuses = answers.map((answer) => answer.status).sort();
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
  expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
  expect(await records().countDocuments({ reference: body.reference })).toBe(1);
  // One workflow id, and Temporal refuses a second execution under it: one workflow.
  const history = await context.env.client.workflow.getHandle(answers[0]!.body.workflowId).fetchHistory();
  expect(history.events?.filter((event) => event.workflowExecutionStartedEventAttributes).length).toBe(1);
  expect(await workflowExists(answers[0]!.body.workflowId)).toBe(true);
});

test("cases of one debtor, across creditors, share the debtor's key in the record and the search attribute", async () => {
  const now = await context.now();
  const unique = `${Date.now()}`;
  const debtor = (extra: Body) => ({
    kind: 'business',
    name: 'Dupont SARL',
    address: '3 avenue Foch, 75116 Paris',
    ...extra,
  });
  const open = async (creditorId: string, debtorFields: Body) => {
    const body = openCaseBody(
      now,
      {
        creditor: { id: creditorId, name: `${creditorId} SAS`, address: '1 rue de la Paix, 75001 Paris' },
        debtor: debtor(debtorFields),
      },
      1,
    );
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(201);
    const record = await records().findOne({ _id: response.body.id }).lean();
    return { record: record!, workflowId: response.body.workflowId as string };
  };
  const first = await open('acme', { id: `CLI-${unique}`, email: `compta-${unique}@dupont.example` });
  // Another creditor, the same e-mail address: the same person.
  const second = await open('globex', { email: `compta-${unique}@dupont.example`, legalId: '552 100 554' });
  // A third creditor names only the company's SIRET: linked through the SIREN the second case gave.
  const third = await open('initech', { legalId: '55210055400013', phone: '+33700000000' });
  // The same creditor's other customer id is someone else, even at the same address.
  const other = await open('acme', { id: `CLI-${unique}-2`, address: '3 avenue Foch, 75116 Paris' });

  expect(first.record.debtorKey).toMatch(/^d_[0-9a-f]{20}$/);
  expect(second.record.debtorKey).toBe(first.record.debtorKey);
  expect(third.record.debtorKey).toBe(first.record.debtorKey);
  expect(other.record.debtorKey).not.toBe(first.record.debtorKey);
  const searchAttribute = async (workflowId: string) =>
    (await context.env.client.workflow.getHandle(workflowId).describe()).searchAttributes.DebtorKey;
  expect(await searchAttribute(third.workflowId)).toEqual([first.record.debtorKey]);
  // The debtor's page: its three cases across three creditors (not the other customer's), linked from each case.
  const page = await context.request('GET', `/debtors/${first.record.debtorKey}`, { as: 'agent' });
  expect(page.status).toBe(200);
  expect(page.body).toMatchObject({ id: first.record.debtorKey, openCases: 3, closedCases: 0, casesTruncated: false });
  expect(page.body.cases.map((item: { creditorId: string }) => item.creditorId)).toEqual(['acme', 'globex', 'initech']);
  expect(page.body.cases.every((item: { debtorKey: string }) => item.debtorKey === first.record.debtorKey)).toBe(true);
  const owed = page.body.cases.reduce(
    (sum: number, item: { amounts: { balanceCents: number } }) => sum + item.amounts.balanceCents,
    0,
  );
  expect(page.body.balances).toEqual([{ currency: 'EUR', balanceCents: owed }]);
  const unknown = await context.request('GET', '/debtors/d_00000000000000000000', { as: 'agent' });
  expect(unknown.status).toBe(404);
  const malformed = await context.request('GET', '/debtors/DROP', { as: 'agent' });
  expect(malformed.status).toBe(400);
  expect(malformed.body.error.details).toEqual([expect.objectContaining({ path: 'params.id' })]);
  // The key is no personal data: nothing of the debtor's identifiers in it or in the history.
  expect(JSON.stringify(await context.env.client.workflow.getHandle(third.workflowId).fetchHistory())).not.toMatch(
    /552100554|dupont\.example|33700000000/,
  );
});

describe('a claim that is not certaine, liquide, exigible is 422 not_collectable, and nothing is created', () => {
  test.each([
    [
      'no basis (certaine)',
      (body: ReturnType<typeof openCaseBody>) => ({ ...body, claim: { ...body.claim, basis: '' } }),
      'body.claim.basis',
      'certaine',
    ],
    [
      'an amount of 0 cents (liquide)',
      (body: ReturnType<typeof openCaseBody>) => ({
        ...body,
        claim: { ...body.claim, invoices: [{ ...body.claim.invoices[0]!, amountCents: 0 }] },
      }),
      'body.claim.invoices[0].amountCents',
      'liquide',
    ],
    [
      'an invoice not yet due (exigible)',
      (body: ReturnType<typeof openCaseBody>) => ({
        ...body,
        claim: { ...body.claim, invoices: [{ ...body.claim.invoices[0]!, dueDate: '2999-01-01' }] },
      }),
      'body.claim.invoices[0].dueDate',
      'exigible',
    ],
  ])('%s', async (_what, change, path, condition) => {
    const body = change(openCaseBody(await context.now()));
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('not_collectable');
    expect(response.body.error.details).toContainEqual(
      expect.objectContaining({ path, condition, reason: expect.any(String) }),
    );
    expect(await records().countDocuments({ reference: body.reference })).toBe(0);
    expect(await workflowExists(`case-${caseIdFor('acme', body.reference)}`)).toBe(false);
  });

  test('a consumer claim barred after two years (L218-2) is refused as time-barred', async () => {
    const today = await context.now();
    const base = openCaseBody(today);
    const body = {
      ...base,
      debtor: { ...base.debtor, kind: 'consumer', name: 'Jean Martin' },
      claim: {
        ...base.claim,
        invoices: [
          {
            number: 'F-OLD',
            issueDate: today.minus({ years: 3, days: 30 }).toISODate(),
            dueDate: today.minus({ years: 3 }).toISODate(),
            amountCents: 5000,
          },
        ],
      },
    };
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ condition: 'prescription' }));
  });
});

describe('malformed requests are 400 validation_failed naming the field, and create nothing', () => {
  test('malformed JSON', async () => {
    const response = await context.request('POST', '/cases', { as: 'operations', raw: '{"reference": "INV-1",' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        code: 'validation_failed',
        message: 'body: is not valid JSON',
        details: [{ path: 'body', reason: 'is not valid JSON' }],
      },
    });
  });

  test.each([
    ['a wrong type', (body: Record<string, unknown>) => ({ ...body, policy: 42 }), 'body.policy'],
    ['an unknown field', (body: Record<string, unknown>) => ({ ...body, discount: 10 }), 'body.discount'],
    [
      'an unknown nested field',
      (body: Body) => ({ ...body, debtor: { ...body.debtor, iban: 'FR76…' } }),
      'body.debtor.iban',
    ],
    ['a missing field', ({ debtor: _debtor, ...body }: Record<string, unknown>) => body, 'body.debtor'],
    [
      'a malformed date',
      (body: Body) => ({
        ...body,
        claim: { ...body.claim, invoices: [{ ...body.claim.invoices[0], dueDate: '31/10/2025' }] },
      }),
      'body.claim.invoices[0].dueDate',
    ],
    [
      'a float amount where the type is wrong',
      (body: Body) => ({
        ...body,
        claim: { ...body.claim, invoices: [{ ...body.claim.invoices[0], amountCents: '1850.00' }] },
      }),
      'body.claim.invoices[0].amountCents',
    ],
    ['an unknown policy', (body: Record<string, unknown>) => ({ ...body, policy: 'brutal' }), 'body.policy'],
    [
      'no way to reach the debtor',
      (body: Body) => ({ ...body, debtor: { kind: 'business', name: 'Sans Contact SAS' } }),
      'body.debtor',
    ],
    [
      'a phone number that is not international',
      (body: Body) => ({ ...body, debtor: { ...body.debtor, phone: '06 12 34 56 78' } }),
      'body.debtor.phone',
    ],
  ])('%s', async (_what, change, path) => {
    const body = change(openCaseBody(await context.now())) as { reference: string };
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details).toContainEqual({ path, reason: expect.any(String) });
    expect(response.body.error.message).toContain(path);
    expect(await records().countDocuments({ reference: body.reference })).toBe(0);
  });

  test('a body over 64 kB is 413 payload_too_large', async () => {
    const body = { ...openCaseBody(await context.now()), padding: 'x'.repeat(70_000) };
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({ code: 'payload_too_large', details: [{ path: 'body' }] });
  });

  test('a body not sent as JSON is 415 unsupported_media_type', async () => {
    const response = await context.request('POST', '/cases', {
      as: 'operations',
      raw: JSON.stringify(openCaseBody(await context.now())),
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(415);
    expect(response.body.error).toMatchObject({
      code: 'unsupported_media_type',
      details: [{ path: 'headers.content-type' }],
    });
  });
});

test('a crash between the case record and the workflow: the retry starts the workflow once, and so does the sweep', async () => {
  const dying = apiWith({});
  // The process "dies" right after the insert: the start never reaches Temporal.
  const start = jest.spyOn(WorkflowClient.prototype, 'start').mockRejectedValue(new Error('process died'));
  const retried = openCaseBody(await context.now());
  const swept = openCaseBody(await context.now());
  await withServer(dying.app, async (url) => {
    expect((await callApi(url, 'POST', '/cases', { as: 'operations', body: retried })).status).toBe(500);
    expect((await callApi(url, 'POST', '/cases', { as: 'operations', body: swept })).status).toBe(500);
  });
  start.mockRestore();
  for (const body of [retried, swept]) {
    const caseId = caseIdFor(body.creditor.id, body.reference);
    expect(await records().exists({ _id: caseId })).not.toBeNull();
    expect(await pendingIntakeModel(context.database).exists({ _id: caseId })).not.toBeNull();
  }

  // The client retries: the same case, and now its workflow.
  const retry = await context.request('POST', '/cases', { as: 'operations', body: retried });
  expect(retry.status).toBe(200);
  expect(await workflowExists(retry.body.workflowId)).toBe(true);

  // Nobody retries the other one: the sweep starts it once its grace period is over.
  expect(await context.api.intake.startPendingWorkflows(0)).toBe(1);
  const sweptRecord = await records()
    .findOne({ _id: caseIdFor(swept.creditor.id, swept.reference) })
    .lean();
  expect(await pendingIntakeModel(context.database).exists({ _id: sweptRecord!.caseId })).toBeNull();
  expect(await workflowExists(sweptRecord!.workflowId)).toBe(true);
  expect(await context.api.intake.startPendingWorkflows(0)).toBe(0);
  const live = await eventually(
    () => context.request('GET', `/cases/${sweptRecord!.caseId}`),
    (response) => response.body?.nextAction?.type === 'reminder_1',
  );
  expect(live.body.status).toBe('active');
});

test('with Temporal unreachable, POST /cases is 503 and leaves no record', async () => {
  const unreachable = Connection.lazy({ address: `127.0.0.1:${await findFreePort()}` });
  const api = apiWith({ temporal: unreachable });
  const body = openCaseBody(await context.now());
  await withServer(api.app, async (url) => {
    const response = await callApi(url, 'POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('unavailable');
  });
  expect(await records().countDocuments({ reference: body.reference })).toBe(0);
  expect(await pendingIntakeModel(context.database).exists({ _id: caseIdFor('acme', body.reference) })).toBeNull();
  await unreachable.close();
});

// GET /cases with the database unreachable: test/api/case-list.test.ts (lists need a dev server).
test('with the database unreachable, POST /cases and GET /cases/:id are 503', async () => {
  const closed = await connectTestDatabase('intake_closed');
  await closed.close();
  const api = apiWith({ database: closed });
  const body = openCaseBody(await context.now());
  await withServer(api.app, async (url) => {
    for (const [method, path, payload] of [
      ['POST', '/cases', body],
      ['GET', '/cases/c_00000000000000000000', undefined],
    ] as const) {
      const response = await callApi(url, method, path, { as: 'operations', body: payload });
      expect({ path, status: response.status, code: response.body.error?.code }).toEqual({
        path,
        status: 503,
        code: 'unavailable',
      });
    }
  });
  expect(await workflowExists(`case-${caseIdFor('acme', body.reference)}`)).toBe(false);
});

test('with Temporal unreachable, an open case reads from the database and an action on it is 503 and changes nothing', async () => {
  const opened = await context.request('POST', '/cases', { as: 'operations', body: openCaseBody(await context.now()) });
  await eventually(
    () => caseViewModel(context.database).findOne({ _id: opened.body.id }).lean(),
    (view) => view !== null,
  );
  const unreachable = Connection.lazy({ address: `127.0.0.1:${await findFreePort()}` });
  const api = apiWith({ temporal: unreachable });
  const today = (await context.now()).toISODate();
  await withServer(api.app, async (url) => {
    // The read is the view the workflow saved (api/cases.ts): it needs no Temporal, never a 503 for a known case.
    const read = await callApi(url, 'GET', `/cases/${opened.body.id}`, { as: 'operations' });
    expect({ status: read.status, state: read.headers.get('x-case-state'), id: read.body.id }).toEqual({
      status: 200,
      state: 'saved',
      id: opened.body.id,
    });
    const payment = await callApi(url, 'POST', `/cases/${opened.body.id}/payments`, {
      as: 'operations',
      body: { amountCents: 1000, paidAt: today, reference: 'VIR-DOWN' },
    });
    expect({ status: payment.status, code: payment.body.error.code }).toEqual({ status: 503, code: 'unavailable' });
  });
  await unreachable.close();
  const after = await context.request('GET', `/cases/${opened.body.id}`);
  expect(after.body.amounts.paidCents).toBe(0);
});

test('request logs carry no API key and no personal data', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  const api = apiWith({ logger });
  const body = openCaseBody(await context.now());
  await withServer(api.app, async (url) => {
    const opened = await callApi(url, 'POST', `/cases?note=Dupont`, { as: 'operations', body });
    expect(opened.status).toBe(201);
    await callApi(url, 'POST', '/cases', { as: 'operations', raw: '{"debtor": "Dupont SARL",' });
  });
  const log = lines.join('');
  expect(log).toContain('"statusCode":201');
  for (const secret of [KEYS.operations, 'Dupont', 'contact@dupont.example', '33612345678', 'Foch']) {
    expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
  }
});
