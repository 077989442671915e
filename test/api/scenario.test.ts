/**
 * The scripted scenario, over HTTP and across weeks of virtual time: open a case, record
 * a promise, let it break, agree an installment plan, pay it off, read the journal.
 */
import { eventually, openCase, setUpApiFile } from './api-harness';

const context = setUpApiFile('scenario');

test('open → promise → broken → installment plan → paid off, every step in the journal', async () => {
  const opened = await openCase(context);
  const day0 = await context.now();

  const promise = await context.request('POST', `/cases/${opened.id}/promises`, {
    as: 'agent',
    body: { amountCents: 185000, promisedDate: day0.plus({ days: 5 }).toISODate(), agentId: 'agent-3' },
  });
  expect(promise.body.status).toBe('promise_to_pay');

  // The promised date passes, then the policy's 3 days of grace: the promise is broken.
  await context.env.sleep('9 days');
  const broken = await eventually(
    () => context.request('GET', `/cases/${opened.id}`, { as: 'agent' }),
    (response) => response.body.status === 'active',
  );
  expect(broken.body).toMatchObject({ status: 'active', promise: null });

  const today = await context.now();
  const installments = [
    { dueDate: today.plus({ days: 30 }).toISODate()!, amountCents: 90000 },
    { dueDate: today.plus({ days: 60 }).toISODate()!, amountCents: 95000 },
  ];
  const plan = await context.request('POST', `/cases/${opened.id}/installment-plans`, {
    as: 'agent',
    body: { installments, channel: 'phone' },
  });
  expect(plan.status).toBe(200);
  expect(plan.body).toMatchObject({ status: 'installment_plan', installmentPlan: { installments } });

  for (const [index, installment] of installments.entries()) {
    await context.env.sleep('30 days');
    const paid = await context.request('POST', `/cases/${opened.id}/payments`, {
      as: 'operations',
      body: {
        amountCents: installment.amountCents,
        paidAt: (await context.now()).toISODate(),
        reference: `ECH-${index + 1}`,
      },
    });
    expect(paid.status).toBe(200);
  }

  const closed = await eventually(
    () => context.request('GET', `/cases/${opened.id}`, { as: 'operations' }),
    (response) => response.body.status === 'paid',
  );
  expect(closed.body).toMatchObject({ status: 'paid', amounts: { paidCents: 185000, balanceCents: 0 } });

  const journal = await eventually(
    () => context.request('GET', `/cases/${opened.id}/journal`, { as: 'operations' }),
    (response) => response.body.entries.some((entry: { type: string }) => entry.type === 'case_paid'),
  );
  const types = journal.body.entries.map((entry: { type: string }) => entry.type);
  const order = [
    'case_opened',
    'promise_recorded',
    'promise_broken',
    'installment_plan_agreed',
    'payment_recorded',
    'case_paid',
  ];
  const positions = order.map((type) => types.indexOf(type));
  expect({ types, positions }).toEqual({ types, positions: [...positions].sort((a, b) => a - b) });
  expect(positions.every((position: number) => position >= 0)).toBe(true);
  expect(types.filter((type: string) => type === 'payment_recorded')).toHaveLength(2);
  const payment = journal.body.entries.find((entry: { type: string }) => entry.type === 'payment_recorded');
  expect(payment.actor).toEqual({ role: 'operations', id: expect.stringMatching(/^key:[0-9a-f]{12}$/) });
});
