/**
 * Issue 12, items 5 and 6, over HTTP: bad input and a busy database are 4xx and 503, never 500;
 * the key is checked before the body; a signed event for a message never sent is refused; and a
 * client that reads right after it writes sees its write (no polling in these tests: the read is
 * the very next request).
 */
import { randomBytes } from 'node:crypto';
import { caseIdFor } from '../../api/intake';
import { MAX_AMOUNT_CENTS } from '../../domain/money';
import { caseRecordModel } from '../../models/case-record';
import { pendingIntakeModel } from '../../models/pending-intake';
import { journalEntryModel } from '../../models/journal-entry';
import { messageSendModel } from '../../models/message-send';
import { sendgridSigner } from '../helpers/provider-signatures';
import { KEYS, openCase, openCaseBody, setUpApiFile } from './api-harness';

const signer = sendgridSigner();
const context = setUpApiFile('robustness', { webhooks: { sendgrid: { verificationKey: signer.verificationKey } } });
const records = () => caseRecordModel(context.database);
const pending = () => pendingIntakeModel(context.database);

afterEach(() => {
  jest.restoreAllMocks();
});

/** What FerretDB over SQLite throws when another writer holds the database. */
function databaseLocked(): Error {
  return Object.assign(new Error('database is locked (5) (SQLITE_BUSY)'), { name: 'MongoServerError', code: 1 });
}

/** A creditor of its own, so that `GET /cases?creditorId=` finds only this test's cases. */
const creditor = () => ({
  id: `cr-${randomBytes(4).toString('hex')}`,
  name: 'ACME SAS',
  address: '1 rue de la Paix, 75001 Paris',
});

describe('bad input is 4xx, never 500', () => {
  test('two invoices of 2^53 - 1 cents: 422 naming each amount, nothing stored', async () => {
    const body = openCaseBody(await context.now());
    const invoice = body.claim.invoices[0]!;
    body.claim.invoices = [
      { ...invoice, amountCents: Number.MAX_SAFE_INTEGER },
      { ...invoice, number: `${invoice.number}-b`, amountCents: Number.MAX_SAFE_INTEGER },
    ];

    const response = await context.request('POST', '/cases', { as: 'operations', body });

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('not_collectable');
    expect(response.body.error.details).toEqual([
      expect.objectContaining({ path: 'body.claim.invoices[0].amountCents', code: 'amount_too_large' }),
      expect.objectContaining({ path: 'body.claim.invoices[1].amountCents', code: 'amount_too_large' }),
    ]);
    expect(await records().countDocuments({ reference: body.reference })).toBe(0);
  });

  test('invoices within the bound that add up past €10 billion: 422 naming the invoices', async () => {
    const body = openCaseBody(await context.now());
    const invoice = body.claim.invoices[0]!;
    const half = MAX_AMOUNT_CENTS / 2 + 1;
    body.claim.invoices = [
      { ...invoice, amountCents: half },
      { ...invoice, number: `${invoice.number}-b`, amountCents: half },
    ];
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(422);
    expect(response.body.error.details).toEqual([
      expect.objectContaining({ path: 'body.claim.invoices', code: 'total_too_large' }),
    ]);
  });

  test('a payment above €10 billion is 400 naming the field', async () => {
    const opened = await openCase(context, {}, 1);
    const response = await context.request('POST', `/cases/${opened.id}/payments`, {
      as: 'operations',
      body: { amountCents: MAX_AMOUNT_CENTS + 1, paidAt: (await context.now()).toISODate(), reference: 'VIR-1' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ path: 'body.amountCents', reason: expect.any(String) }]);
  });

  test.each([
    ['/cases/%E0%A4%A', 'params.id'],
    ['/cases/%E0%A4%A/journal', 'params.id'],
    ['/cases/c_1/documents/%ZZ', 'params.documentId'],
  ])('GET %s: 400 naming %s, not 500', async (path, field) => {
    const response = await context.request('GET', path, { as: 'agent' });
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      code: 'validation_failed',
      message: expect.stringContaining(field),
      details: [{ path: field, reason: expect.any(String) }],
    });
  });
});

describe('the key comes before the body', () => {
  test.each([
    ['malformed JSON', '{"reference": '],
    ['a body over 64 kB', JSON.stringify({ padding: 'x'.repeat(100_000) })],
  ])('no key and %s: 401', async (_what, raw) => {
    const response = await context.request('POST', '/cases', { as: 'nobody', raw });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthorized');
  });

  test('a wrong key and malformed JSON: 401', async () => {
    const response = await context.request('POST', '/cases', {
      as: 'nobody',
      raw: '{"reference": ',
      headers: { authorization: 'Bearer not-a-key-of-ours-at-all' },
    });
    expect(response.status).toBe(401);
  });

  test('with a key, malformed JSON is still 400 and an oversized body 413', async () => {
    expect((await context.request('POST', '/cases', { as: 'operations', raw: '{"reference": ' })).status).toBe(400);
    const oversized = JSON.stringify({ padding: 'x'.repeat(100_000) });
    expect((await context.request('POST', '/cases', { as: 'operations', raw: oversized })).status).toBe(413);
  });

  test.each(['bearer', 'BEARER', 'BeArEr'])('the scheme "%s" is the Bearer scheme (RFC 7235)', async (scheme) => {
    const response = await context.request('GET', '/call-tasks?limit=1', {
      as: 'nobody',
      headers: { authorization: `${scheme} ${KEYS.agent}` },
    });
    expect(response.status).toBe(200);
  });
});

describe('a busy database is 503 with Retry-After, and the intake answer is true', () => {
  test('a lock on the insert that did not land: 503 unavailable; the same request again opens the case', async () => {
    const body = openCaseBody(await context.now(), {}, 1);
    jest.spyOn(records(), 'create').mockRejectedValueOnce(databaseLocked());

    const refused = await context.request('POST', '/cases', { as: 'operations', body });

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body.error.code).toBe('unavailable');
    expect(refused.body.error.message).toMatch(/may have been applied/);
    const retried = await context.request('POST', '/cases', { as: 'operations', body });
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(caseIdFor('acme', body.reference));
  });

  test('a lock reported on an insert that did land: 503 says it may have; the retry answers the case', async () => {
    const body = openCaseBody(await context.now(), {}, 1);
    const model = records();
    const create = model.create.bind(model);
    jest.spyOn(model, 'create').mockImplementationOnce((async (document: unknown) => {
      await create(document as never);
      throw databaseLocked();
    }) as never);

    const first = await context.request('POST', '/cases', { as: 'operations', body });

    expect(first.status).toBe(503);
    expect(first.body.error.message).not.toMatch(/had no effect/);
    const retried = await context.request('POST', '/cases', { as: 'operations', body });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: caseIdFor('acme', body.reference), status: 'active' });
    expect(await records().countDocuments({ reference: body.reference })).toBe(1);
    // The retry started the workflow and settled the intake.
    expect(await pending().exists({ _id: caseIdFor('acme', body.reference) })).toBeNull();
  });

  test('the pending intake cannot be deleted once the workflow runs: the case is open, and the answer says 201', async () => {
    const body = openCaseBody(await context.now(), {}, 1);
    const caseId = caseIdFor('acme', body.reference);
    const model = pending();
    const deleteOne = model.deleteOne.bind(model);
    let failed = 0;
    jest.spyOn(model, 'deleteOne').mockImplementation(((filter: Record<string, unknown>, ...rest: unknown[]) => {
      if (filter._id === caseId && failed === 0) {
        failed += 1;
        return Promise.reject(databaseLocked());
      }
      return (deleteOne as (...args: unknown[]) => unknown)(filter, ...rest);
    }) as never);
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(failed).toBe(1);
    expect(response.status).toBe(201);
    expect(response.body.nextAction).toEqual({ type: 'reminder_1', at: expect.any(String) });
    // Left behind, the entry makes the sweep start the running workflow again: a no-op that settles it.
    jest.restoreAllMocks();
    expect(await context.api.intake.startPendingWorkflows(0)).toBe(1);
    expect(await pending().exists({ _id: caseId })).toBeNull();
  });

  test('a read that times out in the database: 503 with Retry-After, not 500', async () => {
    const timeout = Object.assign(new Error('operation exceeded time limit'), { name: 'MongoServerError', code: 50 });
    const model = records();
    const findOne = model.findOne.bind(model);
    const caseId = 'c_00000000000000000000';
    // Only this read: the worker's activities share this model.
    jest.spyOn(model, 'findOne').mockImplementation(((filter: Record<string, unknown>, ...rest: unknown[]) => {
      if (filter?._id === caseId) throw timeout;
      return (findOne as (...args: unknown[]) => unknown)(filter, ...rest);
    }) as never);
    const response = await context.request('GET', `/cases/${caseId}`, { as: 'agent' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(response.body.error.code).toBe('unavailable');
  });
});

describe('read-your-writes', () => {
  // GET /cases right after 201: test/api/case-list.test.ts (lists need visibility: a dev server).

  test('GET /call-tasks right after a call outcome: the task is closed and the callback queued', async () => {
    const opened = await openCase(context, { creditor: creditor() });
    // The standard policy's reminder_2 (J+10) creates a call task: let the case get there.
    let task: { id: string } | undefined;
    for (let day = 0; day < 20 && !task; day += 1) {
      await context.env.sleep('1 day');
      const queue = await context.request('GET', '/call-tasks?limit=200', { as: 'agent' });
      task = queue.body.items.find((candidate: { caseId: string }) => candidate.caseId === opened.id);
    }
    expect(task).toBeDefined();
    const callbackAt = (await context.now()).plus({ days: 2 }).set({ hour: 11, minute: 0 }).toISO()!;

    const outcome = await context.request('POST', `/cases/${opened.id}/call-outcomes`, {
      as: 'agent',
      body: { agentId: 'agent-9', outcome: 'callback_requested', taskId: task!.id, callbackAt },
    });
    expect(outcome.status).toBe(200);
    const open = await context.request('GET', '/call-tasks?limit=200', { as: 'agent' });
    const done = await context.request('GET', '/call-tasks?status=done&agentId=agent-9', { as: 'agent' });

    const ofCase = (items: { caseId: string }[]) => items.filter((item) => item.caseId === opened.id);
    expect(ofCase(open.body.items)).toEqual([
      expect.objectContaining({ id: outcome.body.openCallTasks[0].id, reason: 'callback', status: 'open' }),
    ]);
    expect(ofCase(done.body.items)).toEqual([
      expect.objectContaining({ id: task!.id, status: 'done', outcome: 'callback_requested', agentId: 'agent-9' }),
    ]);
  }, 60_000);
});

describe('provider events for messages never sent', () => {
  const postSendgrid = (events: unknown[]) => {
    const payload = JSON.stringify(events);
    return fetch(`${context.baseUrl}/webhooks/sendgrid/events`, {
      method: 'POST',
      headers: signer.headers(payload, Math.floor(Date.now() / 1000)),
      body: payload,
    });
  };
  const bounce = (caseId: string, idempotencyKey: string) => ({
    email: 'contact@dupont.example',
    timestamp: Math.floor(Date.now() / 1000),
    event: 'bounce',
    type: 'bounce',
    sg_event_id: `ev-${randomBytes(6).toString('hex')}`,
    sg_message_id: `msg-${randomBytes(6).toString('hex')}.filter`,
    caseId,
    idempotencyKey,
  });
  const journalOf = (caseId: string) => journalEntryModel(context.database).find({ caseId, type: 'delivery_event' });

  test('a signed bounce for a real case but a message never sent: 422, not journaled, e-mail still open', async () => {
    const opened = await openCase(context, {}, 1);

    const response = await postSendgrid([bounce(opened.id, `${opened.id}:reminder_1:email`)]);

    expect(response.status).toBe(422);
    const answer = (await response.json()) as { error: { code: string; details: { reason: string }[] } };
    expect(answer.error.code).toBe('unprocessable');
    expect(answer.error.details).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/never sent|no message/) }),
    ]);
    expect(await journalOf(opened.id)).toEqual([]);
  });

  test('a batch with one known and one unknown event: the known one is on file, the other dropped', async () => {
    const opened = await openCase(context, {}, 1);
    const key = `${opened.id}:reminder_1:email`;
    await messageSendModel(context.database).create({
      idempotencyKey: key,
      caseId: opened.id,
      channel: 'email',
      stage: 'reminder_1',
      state: 'sent',
      status: 'sent',
      claimedAt: new Date(),
    });
    const known = { ...bounce(opened.id, key), event: 'delivered' };

    const response = await postSendgrid([known, bounce(opened.id, `${opened.id}:reminder_2:email`)]);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, ignored: 0, unknown: 1 });
    expect((await journalOf(opened.id)).map((entry) => entry.idempotencyKey)).toEqual([
      `sendgrid:${known.sg_event_id}`,
    ]);
  });
});
