/**
 * Issue 13, defects 7 and 9, on the time-skipping server with the policies' real delays.
 *
 * Anchor A = a Monday 09:00 Paris in February; the invoice of 1 850,00 € was due A-3, so the
 * standard policy sends reminder 1 on A at 10:00 and reminder 2 (SMS + call) on A+7.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Actor } from '../../domain/case/actions';
import {
  agreeInstallmentPlanUpdate,
  cancelCaseUpdate,
  recordCallOutcomeUpdate,
  recordPaymentUpdate,
} from '../../workflows/case-definitions';
import { openingOffsetSeconds } from '../../domain/case/opening-spread';
import { recordHistory } from '../helpers/histories';
import { parisTime, runCaseOn, type ActivityCall, setUpServerPerTest } from './case-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

setUpServerPerTest((started, bundled) => ([env, bundle] = [started, bundled]));

const AGENT: Actor = { role: 'agent', id: 'agent-7' };
const OPERATIONS: Actor = { role: 'operations' };

interface Entry {
  type: string;
  summary: string;
  channel?: string;
  status?: string;
  at: string;
}

const journal = (calls: ActivityCall[]): Entry[] =>
  calls.filter((call) => call.name === 'recordJournal').flatMap((call) => call.input.entries as Entry[]);

const planSends = (calls: ActivityCall[]) =>
  calls
    .filter((call) => call.name === 'sendMessage' && call.input.installmentPlan)
    .map((call) => String(call.input.template).replace('installment_plan.', ''));

test('a plan reminder held back by the contact cap while the installment gets paid is not sent: journaled as dropped', async () => {
  await runCaseOn(env, bundle, 'c_held_reminder', async (run) => {
    // Reminder 1 went on A at 10:00 + the case's offset (issue 14); the plan's confirmation goes on
    // A+1 at 10:00 + offset: two contacts.
    await run.sleepUntil(1, '09:00');
    await run.handle.executeUpdate(agreeInstallmentPlanUpdate, {
      args: [
        {
          installments: [
            { dueDate: run.day(5), amountCents: 92500 },
            { dueDate: run.day(35), amountCents: 92500 },
          ],
        },
        AGENT,
      ],
    });
    // The reminder of installment 1 (due A+5) is asked for on A+2 (midnight) and waits for the
    // 10:00 opening, then for the 2-in-7-days cap: reminder 1 leaves it at A+7 10:00 + offset, the
    // case's own instant already, which is not an opening: it is not offset a second time.
    const capSlot = DateTime.fromISO(run.instant(7, '10:00'), { zone: 'Europe/Paris' }).plus({
      seconds: openingOffsetSeconds('c_held_reminder'),
    });
    await run.sleepUntil(3, '11:00');
    const heldByCap = journal(run.calls).filter(
      (entry) => entry.type === 'message_deferred' && entry.summary.includes('plafond'),
    );
    expect(heldByCap).toEqual([expect.objectContaining({ channel: 'email', status: 'deferred' })]);
    expect(heldByCap[0]!.summary).toContain(`reporté au ${capSlot.toFormat("dd/MM/yyyy 'à' HH:mm")}`);
    expect(planSends(run.calls)).toEqual(['installment_plan_confirmation']);
    await run.handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: 92500, paidAt: run.day(3), reference: 'ECH-1' }, OPERATIONS],
    });

    await run.sleepUntil(8, '12:00');
    expect(planSends(run.calls)).toEqual(['installment_plan_confirmation']);
    const dropped = journal(run.calls).filter((entry) => entry.type === 'message_dropped');
    expect(dropped).toEqual([
      expect.objectContaining({
        channel: 'email',
        summary: expect.stringMatching(/^Rappel d’échéance n°1 du \d\d\/\d\d\/\d{4} \(e-mail\) non envoyé/),
      }),
    ]);
    // Dropped when its slot came, not before: A+7 at 10:00 + offset, as above.
    expect(parisTime(dropped[0]!.at)).toBe(capSlot.toFormat('ccc yyyy-MM-dd HH:mm'));
    await recordHistory(run.handle, 'collection-case', 'held-installment-reminder-dropped');
  });
});

test('a fifth call within 30 days is journaled as deferred; every call task creation is journaled; the case closes its tasks at its own time', async () => {
  await runCaseOn(env, bundle, 'c_fifth_call', async (run) => {
    // Four call attempts recorded by agents on A+1..A+4 at 11:00.
    for (const day of [1, 2, 3, 4]) {
      await run.sleepUntil(day, '11:00');
      await run.handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ agentId: 'agent-7', outcome: 'no_answer' }, AGENT],
      });
    }
    // Reminder 2 (A+7) asks for a call: the cap lets the fifth one come 30 days after the first.
    await run.sleepUntil(8, '09:00');
    const task = run.calls.find((call) => call.name === 'createCallTask');
    expect(task?.input.reason).toBe('reminder_2');
    expect(parisTime(task!.input.dueAt as string)).toBe(run.at(31, '11:00'));
    const calls = journal(run.calls).filter((entry) => entry.channel === 'call');
    expect(calls.map((entry) => entry.type)).toEqual([
      'call_outcome',
      'call_outcome',
      'call_outcome',
      'call_outcome',
      'call_deferred',
    ]);
    expect(parisTime(calls.at(-1)!.at)).toBe(run.at(7, '00:00'));
    expect(calls.at(-1)).toMatchObject({
      status: 'deferred',
      summary: expect.stringMatching(
        /^Appel à passer \(relance 2\) le .* à 11:00 : reporté \(plafond d’appels sur 30 jours\)$/,
      ),
    });

    // Cancelled on A+9 14:00 (virtual time): the task is closed as of the case's time.
    await run.sleepUntil(9, '14:00');
    await run.handle.executeUpdate(cancelCaseUpdate, {
      args: [{ reason: 'sealed:creditor-withdrew' }, OPERATIONS],
    });
    await run.handle.result();
    const closed = run.calls.find((call) => call.name === 'closeCallTask');
    expect(closed?.input).toMatchObject({ outcome: 'case_cancelled' });
    // The case's (virtual) time, a year ahead of the worker's clock, give or take the update's delay.
    const lag = Date.parse(closed!.input.at as string) - Date.parse(run.instant(9, '14:00'));
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(60_000);
    await recordHistory(run.handle, 'collection-case', 'fifth-call-deferred-journaled');
  });
});
