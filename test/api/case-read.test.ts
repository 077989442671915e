/**
 * `GET /cases/:id` reads the view the case's workflow saved, never a query (issue 14: at 10,000 open
 * cases a query replays an evicted workflow and reads timed out). Two things make that the live
 * state: the workflow saves its view in the workflow task of each change, before it answers the
 * action that made it (PUBLISH_BEFORE_EFFECTS_PATCH), and reading needs no worker at all.
 */
import { eventually, openCase, setUpApiFile } from './api-harness';
import { caseViewModel } from '../../models/case-view';

const context = setUpApiFile('case-read', { timeouts: { temporalTimeoutMs: 4_000 } });

test('read right after each action, the case shows it: the saved view never trails the answer', async () => {
  // A promise, then payments, the last settling the case: each answer comes back only after the
  // workflow saved the view with that change, even when the change also starts activities
  // (the settled case closes its call tasks and journals the payment).
  const opened = await openCase(context, {}, 1);
  const today = (await context.now()).toISODate()!;
  const promise = await context.request('POST', `/cases/${opened.id}/promises`, {
    as: 'agent',
    body: {
      agentId: 'agent-7',
      amountCents: 50_000,
      promisedDate: (await context.now()).plus({ days: 5 }).toISODate(),
    },
  });
  expect(promise.status).toBe(200);
  const afterPromise = await context.request('GET', `/cases/${opened.id}`, { as: 'agent' });
  expect(afterPromise.body.promise).toEqual(promise.body.promise);
  expect(afterPromise.body.status).toBe(promise.body.status);

  // A callback asked for: the workflow creates the agents' task with an activity after answering.
  const callbackAt = (await context.now()).plus({ days: 2 }).set({ hour: 11, minute: 0 }).toISO()!;
  const outcome = await context.request('POST', `/cases/${opened.id}/call-outcomes`, {
    as: 'agent',
    body: { agentId: 'agent-7', outcome: 'callback_requested', notes: 'Rappeler', callbackAt },
  });
  expect(outcome.status).toBe(200);
  const afterOutcome = await context.request('GET', `/cases/${opened.id}`, { as: 'agent' });
  expect(afterOutcome.body.openCallTasks).toEqual(outcome.body.openCallTasks);
  expect(afterOutcome.body.openCallTasks).toHaveLength(1);

  const balance = (promise.body.amounts as { balanceCents: number }).balanceCents;
  for (const [index, amountCents] of [10_000, 20_000, balance - 30_000].entries()) {
    const paid = await context.request('POST', `/cases/${opened.id}/payments`, {
      as: 'operations',
      body: { amountCents, paidAt: today, reference: `VIR-READ-${index}` },
    });
    expect(paid.status).toBe(200);
    const read = await context.request('GET', `/cases/${opened.id}`, { as: 'operations' });
    expect({ state: read.headers.get('x-case-state'), paid: read.body.amounts.paidCents }).toEqual({
      state: 'saved',
      paid: paid.body.amounts.paidCents,
    });
    expect(read.body.status).toBe(paid.body.status);
  }
  const settled = await context.request('GET', `/cases/${opened.id}`, { as: 'operations' });
  expect(settled.body.amounts.balanceCents).toBe(0);
});

test('with no worker running, GET /cases/:id answers the saved view at once, never a 503', async () => {
  // Due yesterday: the first reminder is two days away, so nothing changes while the worker stops.
  const { id } = await openCase(context, {}, 1);
  await eventually(
    () => caseViewModel(context.database).findOne({ _id: id }).lean(),
    (view) => view !== null,
  );
  const before = await context.request('GET', `/cases/${id}`, { as: 'agent' });
  expect({ status: before.status, state: before.headers.get('x-case-state') }).toEqual({ status: 200, state: 'saved' });

  await context.stopWorker();

  const started = Date.now();
  const after = await context.request('GET', `/cases/${id}`, { as: 'agent' });
  expect({ status: after.status, state: after.headers.get('x-case-state') }).toEqual({ status: 200, state: 'saved' });
  expect(after.body).toEqual(before.body);
  // Asks no worker: well within the 4 s an action may wait for Temporal.
  expect(Date.now() - started).toBeLessThan(1_000);
});
