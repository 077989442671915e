/**
 * `GET /cases` from Temporal's visibility, on a real dev server (the time-skipping server has no
 * ListWorkflowExecutions): the filters become a visibility query over the cases' search
 * attributes, the cursor is visibility's page token, each item is read back by `_id`. Its clock
 * is the machine's: every case here is quiet (its first step days away), and every wait for
 * visibility is a bounded poll.
 */
import { createApi } from '../../api/app';
import { visibilityQuery } from '../../api/cases';
import { createLogger } from '../../observability/logger';
import { connectTestDatabase } from '../helpers/database';
import { withServer } from '../helpers/http';
import { callApi, eventually, KEYS, openCase, openCaseBody, setUpApiFile, type ApiResponse } from './api-harness';

const context = setUpApiFile('case_list', { server: 'dev' });

let creditorCount = 0;
/** A creditor of its own, so that `?creditorId=` finds only this test's cases. */
const creditor = () => ({
  id: `list-${Date.now()}-${++creditorCount}`,
  name: 'Filtre SAS',
  address: '2 rue du Test, 75002 Paris',
});

const ids = (response: ApiResponse): string[] => response.body.items.map((item: { id: string }) => item.id);

/** Lists until `check` holds: visibility follows a workflow task by a few milliseconds. */
const listed = (query: string, check: (response: ApiResponse) => boolean) =>
  eventually(() => context.request('GET', `/cases?${query}`, { as: 'agent' }), check, 10_000);

test('the visibility query names the case workflow type and each filter', () => {
  expect(visibilityQuery({})).toBe("WorkflowType = 'collectionCase'");
  expect(
    visibilityQuery({ status: 'paused', stage: 'reminder_2', creditorId: 'acme.fr', debtorKind: 'consumer' }),
  ).toBe(
    "WorkflowType = 'collectionCase' AND CaseStatus = 'paused' AND CaseStage = 'reminder_2' AND " +
      "CreditorId = 'acme.fr' AND DebtorKind = 'consumer'",
  );
});

test('GET /cases filters by status, stage, creditor and debtor kind, and pages with a cursor', async () => {
  const owner = creditor();
  const opened = [];
  for (let index = 0; index < 5; index += 1) opened.push(await openCase(context, { creditor: owner }, 1));
  const consumer = await openCase(
    context,
    { creditor: owner, debtor: { kind: 'consumer', name: 'Jean Martin', email: 'jean@example.fr' }, policy: 'gentle' },
    1,
  );
  const cancel = await context.request('POST', `/cases/${opened[0]!.id}/cancel`, { body: { reason: 'doublon' } });
  expect(cancel.status).toBe(200);

  await listed(`creditorId=${owner.id}&status=cancelled`, (response) => response.body.items?.length === 1);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await context.request(
      'GET',
      `/cases?creditorId=${owner.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      { as: 'agent' },
    );
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeLessThanOrEqual(2);
    seen.push(...ids(response));
    cursor = response.body.nextCursor;
    pages += 1;
  } while (cursor && pages < 10);
  // Three full pages, and perhaps an empty fourth: visibility cannot tell a full page is the last.
  expect(pages).toBeGreaterThanOrEqual(3);
  expect(pages).toBeLessThanOrEqual(4);
  expect(seen.sort()).toEqual([...opened.map((item) => item.id), consumer.id].sort());

  // Open cases newest first (the closed one after them).
  const first = await context.request('GET', `/cases?creditorId=${owner.id}`, { as: 'agent' });
  expect(ids(first)).toEqual([
    consumer.id,
    ...opened
      .slice(1)
      .reverse()
      .map((item) => item.id),
    opened[0]!.id,
  ]);
  expect(first.body.items[0]).toMatchObject({ debtor: { name: 'Jean Martin' }, policy: 'gentle' });

  const consumers = await context.request('GET', `/cases?creditorId=${owner.id}&debtorKind=consumer`);
  expect(ids(consumers)).toEqual([consumer.id]);
  const cancelled = await context.request('GET', `/cases?creditorId=${owner.id}&status=cancelled`);
  expect(cancelled.body.items).toEqual([expect.objectContaining({ id: opened[0]!.id, status: 'cancelled' })]);
  const atReminder2 = await context.request('GET', `/cases?creditorId=${owner.id}&stage=reminder_2`);
  expect(atReminder2.body).toEqual({ items: [], nextCursor: null });
  // No creditor id intake accepts looks like this: no case, and nothing sent to visibility.
  const odd = await context.request('GET', `/cases?creditorId=${encodeURIComponent("x' OR 'a'='a")}`);
  expect(odd.body).toEqual({ items: [], nextCursor: null });
});

test('a cursor that is not one of ours is 400 naming query.cursor', async () => {
  const bad = await context.request('GET', '/cases?status=lost&limit=500&cursor=garbage&colour=red');
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.map((detail: { path: string }) => detail.path).sort()).toEqual([
    'query.colour',
    'query.limit',
    'query.status',
  ]);
  // Not one of ours; a token visibility would take, forged; a real cursor carried to other filters.
  const owner = creditor();
  await openCase(context, { creditor: owner }, 1);
  await openCase(context, { creditor: owner }, 1);
  const first = await listed(`creditorId=${owner.id}&limit=1`, (response) => Boolean(response.body.nextCursor));
  const forged = Buffer.from('{"StartTime":"2000-01-01T00:00:00Z"}').toString('base64url');
  for (const cursor of ['garbage', forged, `${forged}.AAAAAAAAAAAAAAAA`, `${first.body.nextCursor}&status=paused`]) {
    const response = await context.request('GET', `/cases?cursor=${cursor}`);
    expect({ cursor, status: response.status, details: response.body.error?.details }).toEqual({
      cursor,
      status: 400,
      details: [{ path: 'query.cursor', reason: expect.any(String) }],
    });
  }
});

test('GET /cases right after 201 lists the case as the 201 described it', async () => {
  const body = openCaseBody(await context.now(), { creditor: creditor() }, 1);
  const opened = await context.request('POST', '/cases', { as: 'operations', body });
  expect(opened.status).toBe(201);

  const list = await listed(`creditorId=${body.creditor.id}`, (response) => response.body.items?.length === 1);

  expect(list.body.items).toEqual([opened.body]);
});

test("after an action, the list agrees with the action's answer within the visibility delay", async () => {
  const owner = creditor();
  const opened = await openCase(context, { creditor: owner }, 1);
  const paused = await context.request('POST', `/cases/${opened.id}/pause`, { body: { reason: 'accord en cours' } });
  expect(paused.status).toBe(200);

  const list = await listed(`creditorId=${owner.id}&status=${paused.body.status}`, (response) =>
    response.body.items?.some((item: { id: string }) => item.id === opened.id),
  );
  const [item] = list.body.items;
  expect({ status: item.status, stage: item.stage, summary: item.summary }).toEqual({
    status: paused.body.status,
    stage: paused.body.stage,
    summary: paused.body.summary,
  });
  expect((await context.request('GET', `/cases?creditorId=${owner.id}&status=active`)).body.items).toEqual([]);
});

test('with the database unreachable, GET /cases is 503', async () => {
  await openCase(context, { creditor: creditor() }, 1);
  const closed = await connectTestDatabase('case_list_closed');
  await closed.close();
  const api = createApi({
    temporal: context.env.connection,
    database: closed,
    logger: createLogger('test', 'silent'),
    namespace: 'default',
    taskQueue: context.taskQueue,
    keys: [{ role: 'agent', key: KEYS.agent }],
    dataKey: context.dataKey,
    temporalTimeoutMs: 2_000,
  });
  await withServer(api.app, async (url) => {
    const response = await callApi(url, 'GET', '/cases', { as: 'agent' });
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 503, code: 'unavailable' });
  });
});
