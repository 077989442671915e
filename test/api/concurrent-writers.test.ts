/**
 * Many writers to one case at once, on the embedded database (the run's FerretDB over SQLite, whose
 * update reads then rewrites a document in separate transactions): 32 payments through the API
 * while the case's workflow saves its view after each. Nothing may be lost: every payment is in the
 * case's stored view, the view ends at the workflow's last revision, and no request is a 500.
 *
 * On a real dev server: it bounds the Updates in flight per workflow (10 by default), and answers
 * the others RESOURCE_EXHAUSTED, which the API passes on as 503 with Retry-After; the writers do
 * what a client must then do, send the same payment again (its reference makes it count once).
 * (The time-skipping server lets such a burst of Updates run past the API's 10 s deadline.)
 */
import { caseViewModel } from '../../models/case-view';
import { journalEntryModel } from '../../models/journal-entry';
import { eventually, openCase, setUpApiFile } from './api-harness';

const context = setUpApiFile('concurrent_writers', { server: 'dev' });

const WRITERS = 32;
const PAYMENT_CENTS = 1_000;

test(`${WRITERS} concurrent payments on one case: every one in its stored view, no write lost, no 500`, async () => {
  // Due yesterday: the first reminder is days away, so only the payments change the case.
  const opened = await openCase(context, {}, 1);
  const today = (await context.now()).toISODate()!;

  const statuses: number[] = [];
  const pay = async (index: number) => {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await context.request('POST', `/cases/${opened.id}/payments`, {
        as: 'operations',
        body: { amountCents: PAYMENT_CENTS, paidAt: today, reference: `VIR-${index}` },
      });
      statuses.push(answer.status);
      if (answer.status !== 503 || attempt === 20) return answer;
      await new Promise((resolve) => setTimeout(resolve, 100 + 50 * attempt));
    }
  };
  const answers = await Promise.all(Array.from({ length: WRITERS }, (_, index) => pay(index)));
  expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);

  expect(answers.map((answer) => answer.status)).toEqual(Array(WRITERS).fill(200));
  const live = await context.request('GET', `/cases/${opened.id}`);
  expect(live.headers.get('x-case-state')).toBe('saved');
  expect(live.body.amounts.paidCents).toBe(WRITERS * PAYMENT_CENTS);

  // The workflow saves its view after each change; the last save must be the one that stays.
  const views = caseViewModel(context.database);
  const workflowView = await context.env.client.workflow
    .getHandle(opened.workflowId)
    .query<{ revision: number }>('getCase');
  const stored = await eventually(
    () => views.findOne({ _id: opened.id }).lean(),
    (found) => found?.revision === workflowView.revision,
    20_000,
  );
  expect(stored?.revision).toBe(workflowView.revision);
  expect(stored?.view.revision).toBe(workflowView.revision);
  expect(stored?.view.amounts.paidCents).toBe(WRITERS * PAYMENT_CENTS);
  expect(stored?.view.amounts.balanceCents).toBe(live.body.amounts.balanceCents);

  // And every payment is on file in the journal, once.
  const journaled = await eventually(
    () => journalEntryModel(context.database).countDocuments({ caseId: opened.id, type: 'payment_recorded' }),
    (count) => count >= WRITERS,
    20_000,
  );
  expect(journaled).toBe(WRITERS);
}, 90_000);
