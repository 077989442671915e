/**
 * The action routes over HTTP against the running case workflow: each answers the updated Case,
 * a refusal is the contract's 409 or 422 and changes nothing, an unknown case is 404.
 */
import { journalOf } from '../../models/journal-entry';
import { eventually, openCase, setUpApiFile } from './api-harness';

const context = setUpApiFile('actions');

async function journalTypes(caseId: string): Promise<string[]> {
  const response = await context.request('GET', `/cases/${caseId}/journal`, { as: 'agent' });
  expect(response.status).toBe(200);
  return (response.body.entries as { type: string }[]).map((entry) => entry.type);
}

test('a payment: 200 with the balance reduced; the same reference again counts once; the rest closes the case', async () => {
  const opened = await openCase(context);
  const today = (await context.now()).toISODate()!;
  const partial = { amountCents: 50000, paidAt: today, reference: 'VIR-1', method: 'virement' };
  const first = await context.request('POST', `/cases/${opened.id}/payments`, { as: 'operations', body: partial });
  expect(first.status).toBe(200);
  // R3: the balance is the principal left plus the accessories due (the standard policy claims them).
  expect(first.body.amounts).toMatchObject({
    paidCents: 50000,
    balanceCents: 135000 + first.body.amounts.lateChargesCents,
  });

  const duplicate = await context.request('POST', `/cases/${opened.id}/payments`, { as: 'operations', body: partial });
  expect(duplicate.status).toBe(200);
  expect(duplicate.body.amounts.paidCents).toBe(50000);

  const rest = await context.request('POST', `/cases/${opened.id}/payments`, {
    as: 'operations',
    body: { amountCents: 135000, paidAt: today, reference: 'VIR-2' },
  });
  expect(rest.body).toMatchObject({ status: 'paid', amounts: { balanceCents: 0 }, closedAt: expect.any(String) });

  // A closed case accepts nothing more: 409 invalid_transition, whether the workflow has ended yet or not.
  const late = await eventually(
    () =>
      context.request('POST', `/cases/${opened.id}/payments`, {
        as: 'operations',
        body: { amountCents: 100, paidAt: today, reference: 'VIR-3' },
      }),
    (response) => response.status === 409,
  );
  expect(late.body.error).toMatchObject({ code: 'invalid_transition', message: expect.stringContaining('paid') });
  const read = await eventually(
    () => context.request('GET', `/cases/${opened.id}`),
    (response) => response.body.status === 'paid',
  );
  expect(read.body.amounts.paidCents).toBe(185000);
});

test('a promise, a reply, a dispute and its resolution, each answered with the updated Case', async () => {
  const opened = await openCase(context);
  const today = await context.now();
  const promise = await context.request('POST', `/cases/${opened.id}/promises`, {
    as: 'agent',
    body: {
      amountCents: 185000,
      promisedDate: today.plus({ days: 7 }).toISODate(),
      channel: 'phone',
      agentId: 'agent-7',
    },
  });
  expect(promise.status).toBe(200);
  expect(promise.body).toMatchObject({
    status: 'promise_to_pay',
    promise: { amountCents: 185000, promisedDate: today.plus({ days: 7 }).toISODate() },
  });

  const reply = await context.request('POST', `/cases/${opened.id}/replies`, {
    as: 'agent',
    body: { channel: 'email', message: 'Je conteste la facture, la prestation n’a pas été faite.' },
  });
  expect(reply.status).toBe(200);

  const dispute = await context.request('POST', `/cases/${opened.id}/disputes`, {
    as: 'agent',
    body: { reason: 'Prestation contestée par le client', channel: 'email' },
  });
  expect(dispute.body).toMatchObject({ status: 'disputed', dispute: { openedAt: expect.any(String) } });

  const again = await context.request('POST', `/cases/${opened.id}/disputes`, {
    as: 'agent',
    body: { reason: 'encore' },
  });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('invalid_transition');

  const tooMuch = await context.request('POST', `/cases/${opened.id}/disputes/resolve`, {
    as: 'manager',
    body: { outcome: 'adjusted', adjustedAmountCents: 999999999 },
  });
  expect(tooMuch.status).toBe(422);
  expect(tooMuch.body.error).toMatchObject({ code: 'unprocessable', details: [{ path: 'body.adjustedAmountCents' }] });

  const resolved = await context.request('POST', `/cases/${opened.id}/disputes/resolve`, {
    as: 'manager',
    body: { outcome: 'adjusted', adjustedAmountCents: 150000, notes: 'Geste commercial accordé' },
  });
  expect(resolved.status).toBe(200);
  expect(resolved.body).toMatchObject({
    dispute: null,
    amounts: { principalCents: 150000, balanceCents: 150000 + resolved.body.amounts.lateChargesCents },
  });

  // The free text people typed reaches the journal, opened; it crossed Temporal sealed (R7).
  const journal = await eventually(
    () => context.request('GET', `/cases/${opened.id}/journal`),
    (response) => response.body.entries.some((entry: { type: string }) => entry.type === 'dispute_resolved'),
  );
  const bodies = journal.body.entries.map((entry: { content?: { body?: string } }) => entry.content?.body);
  expect(bodies).toEqual(expect.arrayContaining(['Prestation contestée par le client', 'Geste commercial accordé']));
  const history = JSON.stringify(await context.env.client.workflow.getHandle(opened.workflowId).fetchHistory());
  expect(history).not.toContain('Prestation contestée');
  expect(history).not.toContain('Geste commercial');
});

test('call outcomes close the named task and a callback opens a new one in the queue', async () => {
  const opened = await openCase(context);
  // The standard policy's reminder_2 (J+10) calls: let the case get there.
  const queued = await eventually(
    async () => {
      await context.env.sleep('1 day');
      return context.request('GET', '/call-tasks', { as: 'agent' });
    },
    (response) => response.body.items.some((task: { caseId: string }) => task.caseId === opened.id),
    60_000,
  );
  const task = queued.body.items.find((candidate: { caseId: string }) => candidate.caseId === opened.id);
  expect(task).toMatchObject({
    id: expect.any(String),
    status: 'open',
    reason: 'reminder_2',
    debtor: { name: 'Dupont SARL', phone: '+33612345678' },
    // R3: what the case pursues, the €40 indemnity and the penalties of the day included.
    balanceCents: expect.any(Number),
  });
  expect(task.balanceCents).toBeGreaterThan(185000 + 4000);

  const callbackAt = (await context.now()).plus({ days: 2 }).set({ hour: 11, minute: 0 }).toISO()!;
  const outcome = await context.request('POST', `/cases/${opened.id}/call-outcomes`, {
    as: 'agent',
    body: { agentId: 'agent-7', outcome: 'callback_requested', taskId: task.id, notes: 'Rappeler jeudi', callbackAt },
  });
  expect(outcome.status).toBe(200);
  expect(outcome.body.openCallTasks).toEqual([expect.objectContaining({ reason: 'callback' })]);

  const done = await eventually(
    () => context.request('GET', '/call-tasks?status=done&agentId=agent-7', { as: 'agent' }),
    (response) => response.body.items.some((candidate: { id: string }) => candidate.id === task.id),
  );
  expect(done.body.items.find((candidate: { id: string }) => candidate.id === task.id)).toMatchObject({
    status: 'done',
    outcome: 'callback_requested',
    agentId: 'agent-7',
  });

  const missingCallback = await context.request('POST', `/cases/${opened.id}/call-outcomes`, {
    as: 'agent',
    body: { agentId: 'agent-7', outcome: 'callback_requested' },
  });
  expect(missingCallback.status).toBe(400);
  expect(missingCallback.body.error.details).toEqual([{ path: 'body.callbackAt', reason: expect.any(String) }]);

  const unknownTask = await context.request('POST', `/cases/${opened.id}/call-outcomes`, {
    as: 'agent',
    body: { agentId: 'agent-7', outcome: 'reached', taskId: 't_nope' },
  });
  expect(unknownTask.status).toBe(422);
  expect(unknownTask.body.error.details).toEqual([{ path: 'body.taskId', reason: expect.any(String) }]);
});

test('pause, resume and cancel', async () => {
  const opened = await openCase(context);
  const pause = await context.request('POST', `/cases/${opened.id}/pause`, {
    body: { reason: 'Appel du client, attendre' },
  });
  expect(pause.body).toMatchObject({ status: 'paused', pause: { since: expect.any(String), until: null } });
  const resume = await context.request('POST', `/cases/${opened.id}/resume`, { body: {} });
  expect(resume.body).toMatchObject({ status: 'active', pause: null });
  const resumeAgain = await context.request('POST', `/cases/${opened.id}/resume`, { body: {} });
  expect(resumeAgain.status).toBe(409);

  const cancel = await context.request('POST', `/cases/${opened.id}/cancel`, {
    as: 'operations',
    body: { reason: 'Créance cédée' },
  });
  expect(cancel.body).toMatchObject({ status: 'cancelled', closedAt: expect.any(String) });
});

test('an installment plan whose sum differs from the balance is 422 and leaves no trace; a right one is accepted', async () => {
  // Due yesterday: no reminder leaves while the journal is counted.
  const opened = await openCase(context, {}, 1);
  const today = await context.now();
  const dates = [1, 2, 3].map((months) => today.plus({ months }).toISODate()!);
  // The intake answer no longer waits for the workflow: count once its opening entry is written.
  const before = (
    await eventually(
      () => journalOf(context.database, opened.id),
      (entries) => entries.length > 0,
    )
  ).length;

  const wrong = await context.request('POST', `/cases/${opened.id}/installment-plans`, {
    as: 'agent',
    body: { installments: dates.map((dueDate) => ({ dueDate, amountCents: 50000 })) },
  });
  expect(wrong.status).toBe(422);
  expect(wrong.body.error).toMatchObject({ code: 'unprocessable', details: [{ path: 'body.installments' }] });
  expect(wrong.body.error.message).toMatch(/sum/);
  const history = await context.env.client.workflow.getHandle(opened.workflowId).fetchHistory();
  expect(history.events?.some((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
  expect(await journalOf(context.database, opened.id)).toHaveLength(before);

  const right = await context.request('POST', `/cases/${opened.id}/installment-plans`, {
    as: 'agent',
    body: {
      installments: [
        { dueDate: dates[0], amountCents: 60000 },
        { dueDate: dates[1], amountCents: 60000 },
        { dueDate: dates[2], amountCents: 65000 },
      ],
      channel: 'phone',
    },
  });
  expect(right.status).toBe(200);
  expect(right.body).toMatchObject({
    status: 'installment_plan',
    installmentPlan: { installments: expect.any(Array) },
  });
  expect(await journalTypes(opened.id)).toContain('installment_plan_agreed');
});

test('an unknown case is 404 on every case route; a malformed id is 400', async () => {
  const unknown = 'c_0000000000000000dead';
  for (const [method, path, body] of [
    ['GET', `/cases/${unknown}`, undefined],
    ['GET', `/cases/${unknown}/journal`, undefined],
    ['POST', `/cases/${unknown}/payments`, { amountCents: 100, paidAt: '2026-01-01', reference: 'X' }],
    ['POST', `/cases/${unknown}/resume`, {}],
  ] as const) {
    const response = await context.request(method, path, { body });
    expect({ path, status: response.status, code: response.body.error.code }).toEqual({
      path,
      status: 404,
      code: 'not_found',
    });
  }
  const malformed = await context.request('GET', '/cases/not-a-case');
  expect(malformed.status).toBe(400);
  expect(malformed.body.error.details).toEqual([{ path: 'params.id', reason: 'is not a case id' }]);
});

test('wrong types and unknown fields on an action are 400 naming the field, and reach no workflow', async () => {
  const opened = await openCase(context);
  const cases: [unknown, string][] = [
    [{ amountCents: '500', paidAt: '2026-01-01', reference: 'X' }, 'body.amountCents'],
    [{ amountCents: 12.5, paidAt: '2026-01-01', reference: 'X' }, 'body.amountCents'],
    [{ amountCents: 500, paidAt: '2026-01-01', reference: 'X', tip: 1 }, 'body.tip'],
    [{ amountCents: 500, reference: 'X' }, 'body.paidAt'],
  ];
  for (const [body, path] of cases) {
    const response = await context.request('POST', `/cases/${opened.id}/payments`, { as: 'operations', body });
    expect({ path, status: response.status, details: response.body.error.details }).toEqual({
      path,
      status: 400,
      details: expect.arrayContaining([{ path, reason: expect.any(String) }]),
    });
  }
  const history = await context.env.client.workflow.getHandle(opened.workflowId).fetchHistory();
  expect(history.events?.some((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
});
