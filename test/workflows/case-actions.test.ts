/**
 * What people do to a running case (payments, promises, replies, call outcomes, disputes, pauses,
 * installment plans, cancellation), over the real `standard` policy delays on the time-skipping
 * server. Each test asserts the exact outward calls with their virtual Paris times.
 *
 * Anchor A = Monday 09:00 Paris in February; the invoice was due Friday A-3 (J). Untouched, the
 * standard policy sends reminder_1 at A 10:00, reminder_2 (SMS + call task) at A+7 10:00 and the
 * final reminder on J+15 = Saturday A+12, deferred to Monday A+14 10:00. Contacts go Monday-Friday,
 * 10:00-13:00 and 14:00-20:00; a letter is dated and posted Monday-Friday, 09:00-17:00. The policy's spacing between
 * steps runs from the day the previous step's message actually went out.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { CaseActivities } from '../../activities/contracts';
import type { Actor } from '../../domain/case/actions';
import {
  agreeInstallmentPlanUpdate,
  cancelCaseUpdate,
  openDisputeUpdate,
  pauseCaseUpdate,
  recordCallOutcomeUpdate,
  recordPaymentUpdate,
  recordPromiseUpdate,
  recordReplyUpdate,
  resolveDisputeUpdate,
  resumeCaseUpdate,
} from '../../workflows/case-definitions';
import { openingOffsetSeconds } from '../../domain/case/opening-spread';
import { recordHistory } from '../helpers/histories';
import { bundleWorkflows, createTimeSkippingEnv } from '../helpers/temporal';
import {
  expectRefused,
  getCaseQuery,
  journalTypes,
  outwardCalls,
  parisTime,
  runCaseOn,
  type ActivityCall,
  type CaseRun,
} from './case-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows(require.resolve('../../workflows'))]);
});

afterAll(async () => {
  await env?.teardown();
});

const OPERATIONS: Actor = { role: 'operations' };
const AGENT: Actor = { role: 'agent', id: 'agent-7' };
const MANAGER: Actor = { role: 'manager' };
const BALANCE = 185000;

/** Moves the clock to a fresh anchor, opens the case on its own task queue and runs the body. */
const runCase = <T>(caseId: string, body: (run: CaseRun) => Promise<T>, adapt?: (activities: CaseActivities) => void) =>
  runCaseOn(env, bundle, caseId, body, { adapt });

const sends = (calls: ActivityCall[]) => outwardCalls(calls).filter((call) => call.startsWith('sendMessage'));

/** Journal entries as `type stage/channel status @ Paris time`, for the entries a test cares about. */
function journalEntries(calls: ActivityCall[], type: string): string[] {
  return calls
    .filter((call) => call.name === 'recordJournal')
    .flatMap(
      (call) => call.input.entries as { type: string; stage?: string; channel?: string; status?: string; at: string }[],
    )
    .filter((entry) => entry.type === type)
    .map(
      (entry) =>
        `${entry.type} ${entry.stage ?? '-'}/${entry.channel ?? '-'} ${entry.status ?? '-'} @ ${parisTime(entry.at)}`,
    );
}

function closedTasks(calls: ActivityCall[]): { taskId: string; outcome: string }[] {
  return calls
    .filter((call) => call.name === 'closeCallTask')
    .map((call) => ({ taskId: call.input.taskId as string, outcome: call.input.outcome as string }));
}

/**
 * Holds the workflow open once it has closed the case (its last projection save waits), so that
 * an action arriving while a terminal case finishes reaches the validator. Once the workflow has
 * completed, Temporal itself refuses updates and the API has to answer invalid_transition.
 */
function holdWhenClosed(activities: CaseActivities) {
  const gate = { release: () => undefined as void, closed: Promise.resolve() };
  let reached = (): void => undefined;
  gate.closed = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (gate.release = resolve));
  const save = activities.saveCaseProjection;
  activities.saveCaseProjection = async (view) => {
    await save(view);
    if (view.status === 'paid' || view.status === 'cancelled') {
      reached();
      await released;
    }
  };
  return gate;
}

// ---------------------------------------------------------------------------------------------
// 1. Payments

test('a partial payment lowers the balance and the sequence goes on; the full payment closes the case paid', async () => {
  await runCase('c_partial_then_full', async ({ handle, calls, at, sent, day, sleepUntil }) => {
    await sleepUntil(1, '09:00'); // reminder_1 went at A 10:00
    let view = await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: 50000, paidAt: day(1), reference: 'VIR-1' }, OPERATIONS],
    });
    // R3: the principal left plus the accessories due (standard: waived once the principal is paid).
    expect(view.amounts).toMatchObject({ paidCents: 50000, balanceCents: 135000 + view.amounts.lateChargesCents });
    expect(view.status).toBe('active');

    await sleepUntil(9, '09:00'); // reminder_2 went at A+7 10:00, for the lowered balance
    const reminder2 = calls.find((call) => call.name === 'sendMessage' && call.input.stage === 'reminder_2');
    expect(reminder2?.input.amounts).toMatchObject({ principalCents: 135000, paidCents: 50000 });

    // The bank feed delivers VIR-1 again: counted once, no error.
    view = await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: 50000, paidAt: day(1), reference: 'VIR-1' }, OPERATIONS],
    });
    // R3: the principal left plus the accessories due (standard: waived once the principal is paid).
    expect(view.amounts).toMatchObject({ paidCents: 50000, balanceCents: 135000 + view.amounts.lateChargesCents });
    // Same reference, another amount: a data error, refused.
    await expectRefused(
      handle.executeUpdate(recordPaymentUpdate, {
        args: [{ amountCents: 60000, paidAt: day(1), reference: 'VIR-1' }, OPERATIONS],
      }),
      'unprocessable',
    );

    view = await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: 135000, paidAt: day(9), reference: 'VIR-2' }, OPERATIONS],
    });
    expect(view.status).toBe('paid');
    const result = await handle.result();
    await recordHistory(handle, 'collection-case', 'paid-after-partial-payment');

    expect(result.status).toBe('paid');
    expect(result.amounts).toMatchObject({
      principalCents: BALANCE,
      paidCents: BALANCE,
      balanceCents: 0,
      overpaidCents: 0,
    });
    // The case ended at A+9 09:00: nothing after the payment.
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(7, '10:00')} @ ${at(7, '00:00')}`,
      `sendMessage reminder_2/sms @ ${sent(7, '10:00')}`,
    ]);
    // The agents' reminder_2 task is withdrawn with the case.
    expect(closedTasks(calls)).toEqual([{ taskId: expect.any(String), outcome: 'case_paid' }]);
    expect(journalTypes(calls).filter((type) => type === 'payment_recorded')).toHaveLength(2);
    expect(journalTypes(calls)).toContain('case_paid');
  });
});

test('an over-payment closes the case paid and records the excess', async () => {
  await runCase('c_overpaid', async ({ handle, calls, sent, day, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: 200000, paidAt: day(1), reference: 'VIR-BIG' }, OPERATIONS],
    });
    const result = await handle.result();
    expect(result.status).toBe('paid');
    // R3: principal 185000, then the accessories of that day (4 days of penalties: 246, the €40 indemnity).
    expect(result.amounts).toMatchObject({ paidCents: 200000, balanceCents: 0, overpaidCents: 15000 - 246 - 4000 });
    expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2-4. Promises to pay

test('promise kept: no message while it runs, even when a step falls due; the payment closes the case', async () => {
  await runCase('c_promise_kept', async ({ handle, calls, sent, day, sleepUntil }) => {
    await sleepUntil(4, '09:00'); // Friday, after reminder_1
    const view = await handle.executeUpdate(recordPromiseUpdate, {
      args: [{ amountCents: BALANCE, promisedDate: day(9), channel: 'phone', agentId: 'agent-7' }, AGENT],
    });
    expect(view.status).toBe('promise_to_pay');

    // reminder_2 was due A+7: the promise holds it.
    await sleepUntil(8, '09:00');
    expect(sends(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);
    expect((await handle.query(getCaseQuery)).status).toBe('promise_to_pay');

    await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: BALANCE, paidAt: day(8), reference: 'VIR-PROMISE' }, OPERATIONS],
    });
    const result = await handle.result();
    expect(result.status).toBe('paid');
    expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);
  });
});

test('promise broken: the sequence resumes at the next stage the day after the grace, then keeps its spacing', async () => {
  await runCase('c_promise_broken', async ({ handle, calls, at, sent, day, sleepUntil }) => {
    await sleepUntil(1, '09:00'); // Tuesday, after reminder_1
    await handle.executeUpdate(recordPromiseUpdate, {
      args: [{ amountCents: BALANCE, promisedDate: day(6), channel: 'phone' }, AGENT],
    });

    const result = await handle.result();
    await recordHistory(handle, 'collection-case', 'promise-broken');

    // Promised A+6 + 3 days' grace = last day A+9; broken when the case wakes at A+10 (Thursday)
    // 00:00. reminder_2 (due A+7, held by the promise) runs that day: its SMS at the 10:00 slot.
    // Then the policy's spacing from that day: final reminder A+15 (Tuesday), formal notice
    // A+20 (Sunday: the letter is dated and posted Monday A+21 at 09:00), deadline A+21 + 3 + 8 =
    // A+32, handoff A+33.
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(10, '10:00')} @ ${at(10, '00:00')}`,
      `sendMessage reminder_2/sms @ ${sent(10, '10:00')}`,
      `sendMessage final_reminder/email @ ${sent(15, '10:00')}`,
      `sendMessage formal_notice/letter @ ${sent(21, '09:00')}`,
      `handOffCase handoff @ ${at(33, '00:00')}`,
    ]);
    expect(journalEntries(calls, 'promise_broken')).toEqual([`promise_broken -/system - @ ${at(10, '00:00')}`]);
    expect(result.status).toBe('handed_off');
  });
});

test('a promise more than 30 days ahead is unprocessable; a promise on a paid case is an invalid transition', async () => {
  let gate!: ReturnType<typeof holdWhenClosed>;
  await runCase(
    'c_promise_refused',
    async ({ handle, day, sleepUntil }) => {
      await sleepUntil(1, '09:00');
      await expectRefused(
        handle.executeUpdate(recordPromiseUpdate, { args: [{ amountCents: BALANCE, promisedDate: day(32) }, AGENT] }),
        'unprocessable',
      );
      // 30 days is the horizon itself: still a promise.
      const view = await handle.executeUpdate(recordPromiseUpdate, {
        args: [{ amountCents: BALANCE, promisedDate: day(31) }, AGENT],
      });
      expect(view.status).toBe('promise_to_pay');

      await handle.executeUpdate(recordPaymentUpdate, {
        args: [{ amountCents: BALANCE, paidAt: day(1), reference: 'VIR-ALL' }, OPERATIONS],
      });
      await gate.closed;
      try {
        await expectRefused(
          handle.executeUpdate(recordPromiseUpdate, { args: [{ amountCents: 1000, promisedDate: day(5) }, AGENT] }),
          'invalid_transition',
        );
      } finally {
        gate.release();
      }
      expect((await handle.result()).status).toBe('paid');
    },
    (activities) => (gate = holdWhenClosed(activities)),
  );
});

// ---------------------------------------------------------------------------------------------
// 5. Debtor replies

test('a debtor reply holds automated messages for 5 days, then the sequence resumes with its spacing', async () => {
  await runCase('c_reply_hold', async ({ handle, calls, at, sent, sleepUntil }) => {
    await sleepUntil(5, '09:00'); // Saturday: hold until Thursday A+10 09:00
    await handle.executeUpdate(recordReplyUpdate, { args: [{ channel: 'email', message: 'sealed:reply' }, AGENT] });

    // reminder_2 fell due on A+7, inside the hold: nothing goes out.
    await sleepUntil(10, '08:59');
    expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);

    await sleepUntil(16, '09:00');
    // The hold ends A+10 09:00; reminder_2 runs then (SMS at the 10:00 slot). The final reminder
    // keeps the policy's 5 days after it (A+15, Tuesday), as after a pause or a broken promise.
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(10, '10:00')} @ ${at(10, '09:00')}`,
      `sendMessage reminder_2/sms @ ${sent(10, '10:00')}`,
      `sendMessage final_reminder/email @ ${sent(15, '10:00')}`,
    ]);
    expect(journalEntries(calls, 'reply_hold_ended')).toEqual([`reply_hold_ended -/system - @ ${at(10, '09:00')}`]);
  });
});

test('a call outcome recorded during a reply hold ends the hold at once', async () => {
  await runCase('c_reply_then_call', async ({ handle, calls, at, sent, sleepUntil }) => {
    await sleepUntil(5, '09:00');
    await handle.executeUpdate(recordReplyUpdate, { args: [{ channel: 'email', message: 'sealed:reply' }, AGENT] });
    await sleepUntil(8, '09:00'); // Tuesday, hold would last until Thursday
    expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);

    await handle.executeUpdate(recordCallOutcomeUpdate, { args: [{ agentId: 'agent-7', outcome: 'reached' }, AGENT] });
    await sleepUntil(9, '09:00');
    // The overdue reminder_2 runs right after the call, its SMS at that day's 10:00 slot.
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(8, '10:00')} @ ${at(8, '09:00')}`,
      `sendMessage reminder_2/sms @ ${sent(8, '10:00')}`,
    ]);
    expect(journalTypes(calls)).not.toContain('reply_hold_ended');
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Call outcomes

test('wrong_number closes SMS and calls: the next SMS is journaled blocked, not sent, and no call task is made', async () => {
  await runCase('c_wrong_number', async ({ handle, calls, at, sent, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    await handle.executeUpdate(recordCallOutcomeUpdate, {
      args: [{ agentId: 'agent-7', outcome: 'wrong_number' }, AGENT],
    });
    await sleepUntil(15, '09:00');
    // reminder_2 (A+7) had only SMS and a call: nothing leaves; email goes on.
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `sendMessage final_reminder/email @ ${sent(14, '10:00')}`,
    ]);
    expect(journalEntries(calls, 'message_blocked')).toEqual([
      `message_blocked reminder_2/sms blocked @ ${at(7, '00:00')}`,
    ]);
    expect(journalTypes(calls)).toContain('call_blocked');
  });
});

test('an outcome closes its call task; callback_requested creates a task at callbackAt; an unknown task is unprocessable', async () => {
  await runCase('c_call_outcomes', async ({ handle, calls, at, sent, instant, sleepUntil }) => {
    await sleepUntil(8, '09:00'); // the reminder_2 task was created A+7
    const [task] = (await handle.query(getCaseQuery)).openCallTasks;
    expect(task).toMatchObject({ reason: 'reminder_2', dueAt: instant(7, '10:00') });

    await expectRefused(
      handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ agentId: 'agent-7', outcome: 'reached', taskId: 't_unknown' }, AGENT],
      }),
      'unprocessable',
    );

    const view = await handle.executeUpdate(recordCallOutcomeUpdate, {
      args: [
        { agentId: 'agent-7', outcome: 'callback_requested', taskId: task!.id, callbackAt: instant(9, '15:00') },
        AGENT,
      ],
    });
    expect(view.openCallTasks).toEqual([{ id: expect.any(String), reason: 'callback', dueAt: instant(9, '15:00') }]);
    expect(view.openCallTasks[0]!.id).not.toBe(task!.id);

    // A closed task takes no second outcome.
    await expectRefused(
      handle.executeUpdate(recordCallOutcomeUpdate, {
        args: [{ agentId: 'agent-7', outcome: 'reached', taskId: task!.id }, AGENT],
      }),
      'unprocessable',
    );

    await sleepUntil(8, '12:00'); // let the activities of the outcome run
    expect(closedTasks(calls)).toEqual([{ taskId: task!.id, outcome: 'callback_requested' }]);
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(7, '10:00')} @ ${at(7, '00:00')}`,
      `sendMessage reminder_2/sms @ ${sent(7, '10:00')}`,
      `createCallTask callback due ${at(9, '15:00')} @ ${at(8, '09:00')}`,
    ]);
    // The view with the callback is saved before the task's activity runs, so the action's answer
    // and the saved view leave together (PUBLISH_BEFORE_EFFECTS_PATCH; GET /cases/:id reads it).
    const names = calls.map((call) => call.name);
    const savedWithCallback = calls.findIndex(
      (call) =>
        call.name === 'saveCaseProjection' &&
        (call.input.openCallTasks as { reason: string }[]).some((task) => task.reason === 'callback'),
    );
    expect(savedWithCallback).toBeGreaterThan(-1);
    expect(savedWithCallback).toBeLessThan(names.lastIndexOf('createCallTask'));
    await recordHistory(handle, 'collection-case', 'publish-before-effects-callback');
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Disputes

test('dispute: nothing is sent while disputed; rejected, the sequence resumes that day with its spacing', async () => {
  await runCase('c_dispute_rejected', async ({ handle, calls, at, sent, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    // Nothing to resolve yet.
    await expectRefused(
      handle.executeUpdate(resolveDisputeUpdate, { args: [{ outcome: 'rejected' }, MANAGER] }),
      'invalid_transition',
    );
    const view = await handle.executeUpdate(openDisputeUpdate, {
      args: [{ reason: 'sealed:not-delivered', channel: 'email' }, AGENT],
    });
    expect(view.status).toBe('disputed');
    await expectRefused(
      handle.executeUpdate(openDisputeUpdate, { args: [{ reason: 'sealed:again' }, AGENT] }),
      'invalid_transition',
    );

    await sleepUntil(41, '09:00'); // 40 days: reminder_2 and everything after would have fallen due
    expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);

    // Resolved on Sunday A+41: reminder_2 runs at once, its SMS waits for Monday A+42 10:00. The
    // spacing runs from the day a message went out: final reminder A+42 + 5 = Saturday A+47, sent
    // Monday A+49 10:00; formal notice A+49 + 5 = Saturday A+54, dated and posted
    // Monday A+56 at 09:00; deadline A+56 + 3 + 8 = A+67; handoff A+68.
    await handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ outcome: 'rejected', notes: 'sealed:proof' }, MANAGER],
    });
    const result = await handle.result();
    await recordHistory(handle, 'collection-case', 'dispute-rejected');

    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(42, '10:00')} @ ${at(41, '09:00')}`,
      `sendMessage reminder_2/sms @ ${sent(42, '10:00')}`,
      `sendMessage final_reminder/email @ ${sent(49, '10:00')}`,
      `sendMessage formal_notice/letter @ ${sent(56, '09:00')}`,
      `handOffCase handoff @ ${at(68, '00:00')}`,
    ]);
    expect(result.status).toBe('handed_off');
  });
});

test('dispute upheld: the case is cancelled and nothing more is sent', async () => {
  await runCase('c_dispute_upheld', async ({ handle, calls, sent, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    await handle.executeUpdate(openDisputeUpdate, { args: [{ reason: 'sealed:never-ordered' }, AGENT] });
    await sleepUntil(3, '09:00');
    await handle.executeUpdate(resolveDisputeUpdate, { args: [{ outcome: 'upheld' }, MANAGER] });
    const result = await handle.result();
    expect(result.status).toBe('cancelled');
    expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);
  });
});

test('dispute adjusted below what was paid: the case closes paid, with the excess recorded', async () => {
  await runCase('c_dispute_adjusted_paid', async ({ handle, calls, sent, day, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: 50000, paidAt: day(1), reference: 'VIR-1' }, OPERATIONS],
    });
    await handle.executeUpdate(openDisputeUpdate, { args: [{ reason: 'sealed:partly-faulty' }, AGENT] });
    await handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ outcome: 'adjusted', adjustedAmountCents: 40000 }, MANAGER],
    });

    const result = await handle.result();
    expect(result.status).toBe('paid');
    expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);
    // 50,000 paid against a principal settled at 40,000 and the accessories of the payment day (R3:
    // 4 days of penalties on 40,000 = 53, the €40 indemnity): 5,947 to refund, as after an
    // over-payment; and the journal says the case was settled, as it does when a payment settles it.
    expect({ ...result.amounts, journal: journalTypes(calls) }).toMatchObject({
      principalCents: 40000,
      paidCents: 50000,
      balanceCents: 0,
      overpaidCents: 10000 - 53 - 4000,
      journal: expect.arrayContaining(['dispute_resolved', 'case_paid']),
    });
  });
});

test('dispute adjusted above what was paid: the sequence resumes for the new balance', async () => {
  await runCase('c_dispute_adjusted_open', async ({ handle, calls, at, sent, day, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: 50000, paidAt: day(1), reference: 'VIR-1' }, OPERATIONS],
    });
    await handle.executeUpdate(openDisputeUpdate, { args: [{ reason: 'sealed:partly-faulty' }, AGENT] });
    await sleepUntil(3, '09:00');
    const view = await handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ outcome: 'adjusted', adjustedAmountCents: 150000 }, MANAGER],
    });
    expect(view.status).toBe('active');
    expect(view.amounts).toMatchObject({
      principalCents: 150000,
      paidCents: 50000,
      balanceCents: 100000 + view.amounts.lateChargesCents,
    });

    // reminder_2 was not yet due (A+7): it keeps its day, for the new balance.
    await sleepUntil(8, '09:00');
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(7, '10:00')} @ ${at(7, '00:00')}`,
      `sendMessage reminder_2/sms @ ${sent(7, '10:00')}`,
    ]);
    const reminder2 = calls.find((call) => call.name === 'sendMessage' && call.input.stage === 'reminder_2');
    expect(reminder2?.input.amounts).toMatchObject({ principalCents: 100000 });
    const { amounts } = await handle.query(getCaseQuery);
    expect(amounts.balanceCents).toBe(100000 + amounts.lateChargesCents);
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Pause, resume, cancel

test('pause without an end: nothing is sent; resume picks up the due step that day; cancel ends everything', async () => {
  await runCase('c_pause_resume_cancel', async ({ handle, calls, at, sent, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    await handle.executeUpdate(pauseCaseUpdate, { args: [{ reason: 'sealed:creditor-asks' }, MANAGER] });
    await sleepUntil(21, '09:00'); // Monday, three weeks later
    expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);
    expect((await handle.query(getCaseQuery)).status).toBe('paused');

    const view = await handle.executeUpdate(resumeCaseUpdate, { args: [{}, MANAGER] });
    expect(view.status).toBe('active');
    await sleepUntil(22, '09:00');
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(21, '10:00')} @ ${at(21, '09:00')}`,
      `sendMessage reminder_2/sms @ ${sent(21, '10:00')}`,
    ]);

    await handle.executeUpdate(cancelCaseUpdate, { args: [{ reason: 'sealed:creditor-withdraws' }, OPERATIONS] });
    const result = await handle.result();
    expect(result.status).toBe('cancelled');
    expect(outwardCalls(calls)).toHaveLength(3);
    expect(closedTasks(calls)).toEqual([{ taskId: expect.any(String), outcome: 'case_cancelled' }]);
  });
});

test('pause with an end: the case resumes by itself at that instant', async () => {
  await runCase('c_pause_until', async ({ handle, calls, at, sent, instant, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    await handle.executeUpdate(pauseCaseUpdate, {
      args: [{ reason: 'sealed:holiday', until: instant(15, '11:30') }, MANAGER],
    });
    await sleepUntil(16, '09:00');
    // reminder_2 (due A+7) runs at the pause's end, inside a contact window: sent at once.
    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `createCallTask reminder_2 due ${at(15, '11:30')} @ ${at(15, '11:30')}`,
      `sendMessage reminder_2/sms @ ${at(15, '11:30')}`,
    ]);
    expect(journalEntries(calls, 'case_resumed')).toEqual([`case_resumed -/system - @ ${at(15, '11:30')}`]);
    expect((await handle.query(getCaseQuery)).status).toBe('active');
  });
});

test('every action on a cancelled case is an invalid transition', async () => {
  let gate!: ReturnType<typeof holdWhenClosed>;
  await runCase(
    'c_cancelled_actions',
    async ({ handle, calls, sent, day, instant, sleepUntil }) => {
      await sleepUntil(1, '09:00');
      await handle.executeUpdate(cancelCaseUpdate, { args: [{ reason: 'sealed:wrong-debtor' }, OPERATIONS] });
      await gate.closed;
      try {
        const refused = (update: Promise<unknown>) => expectRefused(update, 'invalid_transition');
        await refused(
          handle.executeUpdate(recordPaymentUpdate, {
            args: [{ amountCents: 1000, paidAt: day(1), reference: 'V' }, OPERATIONS],
          }),
        );
        await refused(
          handle.executeUpdate(recordPromiseUpdate, { args: [{ amountCents: 1000, promisedDate: day(5) }, AGENT] }),
        );
        await refused(
          handle.executeUpdate(recordReplyUpdate, { args: [{ channel: 'email', message: 'sealed:x' }, AGENT] }),
        );
        await refused(
          handle.executeUpdate(recordCallOutcomeUpdate, { args: [{ agentId: 'agent-7', outcome: 'reached' }, AGENT] }),
        );
        await refused(handle.executeUpdate(openDisputeUpdate, { args: [{ reason: 'sealed:x' }, AGENT] }));
        await refused(handle.executeUpdate(resolveDisputeUpdate, { args: [{ outcome: 'rejected' }, MANAGER] }));
        await refused(
          handle.executeUpdate(agreeInstallmentPlanUpdate, {
            args: [{ installments: [{ dueDate: day(10), amountCents: BALANCE }] }, AGENT],
          }),
        );
        await refused(
          handle.executeUpdate(pauseCaseUpdate, { args: [{ reason: 'sealed:x', until: instant(5) }, MANAGER] }),
        );
        await refused(handle.executeUpdate(resumeCaseUpdate, { args: [{}, MANAGER] }));
        await refused(handle.executeUpdate(cancelCaseUpdate, { args: [{ reason: 'sealed:x' }, OPERATIONS] }));
      } finally {
        gate.release();
      }
      expect((await handle.result()).status).toBe('cancelled');
      expect(outwardCalls(calls)).toEqual([`sendMessage reminder_1/email @ ${sent(0, '10:00')}`]);
    },
    (activities) => (gate = holdWhenClosed(activities)),
  );
  // The held projection save is a local activity: it holds the workflow task, and each of the ten
  // Updates waits for that task's heartbeat (about 8 s) to be delivered.
}, 300_000);

// ---------------------------------------------------------------------------------------------
// 9. Installment plan

test('an agreed installment plan replaces the reminders with its own until it defaults; a plan that does not add up or is out of order is unprocessable', async () => {
  await runCase('c_installments', async ({ handle, calls, sent, day, instant, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    const plan = (installments: [number, number][]) =>
      handle.executeUpdate(agreeInstallmentPlanUpdate, {
        args: [
          { installments: installments.map(([days, amountCents]) => ({ dueDate: day(days), amountCents })) },
          AGENT,
        ],
      });
    await expectRefused(
      plan([
        [10, 60000],
        [40, 60000],
        [70, 60000],
      ]),
      'unprocessable',
    ); // 180,000 ≠ 185,000
    await expectRefused(
      plan([
        [40, 60000],
        [10, 60000],
        [70, 65000],
      ]),
      'unprocessable',
    );
    await expectRefused(
      plan([
        [10, 60000],
        [10, 60000],
        [70, 65000],
      ]),
      'unprocessable',
    );

    const view = await plan([
      [10, 60000],
      [40, 60000],
      [70, 65000],
    ]);
    expect(view.status).toBe('installment_plan');
    await sleepUntil(40, '09:00');
    // While the plan runs, only its own messages go: the confirmation, a reminder 3 days before an
    // installment, a notice once one is unpaid past the 5 days of grace.
    const planMessages = () =>
      calls
        .filter((call) => call.name === 'sendMessage' && call.input.installmentPlan)
        .map((call) => `${String(call.input.template)} @ ${parisTime(call.at)}`);
    // Each waits for the 10:00 opening and goes at the case's offset after it (issue 14), except
    // the first reminder. Due A+7 at midnight, it waits for 10:00 and then for the 2-in-7-days cap:
    // reminder 1 (A, 10:00 + offset) leaves the cap's window at A+7 10:00 + offset: that slot is the
    // case's own instant already, not an opening, so it is not offset a second time.
    const offsetMs = openingOffsetSeconds('c_installments') * 1000;
    const afterCapAndOffset = parisTime(new Date(Date.parse(instant(7, '10:00')) + offsetMs).toISOString());
    expect(planMessages()).toEqual([
      `installment_plan.installment_plan_confirmation @ ${sent(1, '10:00')}`,
      `installment_plan.installment_reminder @ ${afterCapAndOffset}`,
      `installment_plan.installment_missed @ ${sent(16, '10:00')}`,
      `installment_plan.installment_reminder @ ${sent(37, '10:00')}`,
    ]);
    expect(sends(calls).filter((send) => !send.includes(' none/'))).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
    ]);
    expect((await handle.query(getCaseQuery)).status).toBe('installment_plan');

    // Installment 1 unpaid more than 30 days: the plan defaults and the case goes to formal notice.
    // Due Sunday A+41: the letter is dated and posted Monday A+42 at 09:00.
    await sleepUntil(42, '12:00');
    const after = await handle.query(getCaseQuery);
    expect(after).toMatchObject({
      status: 'active',
      stage: 'formal_notice',
      installmentPlan: { outcome: 'defaulted' },
    });
    expect(sends(calls).filter((send) => !send.includes(' none/'))).toEqual([
      `sendMessage reminder_1/email @ ${sent(0, '10:00')}`,
      `sendMessage formal_notice/letter @ ${sent(42, '09:00')}`,
    ]);
    expect(journalTypes(calls).filter((type) => type === 'installment_plan_agreed')).toHaveLength(1);
    expect(journalTypes(calls)).toEqual(expect.arrayContaining(['installment_missed', 'installment_plan_defaulted']));
  });
});

// ---------------------------------------------------------------------------------------------
// 10. A refused update leaves no trace

test('a refused update leaves no trace in the history', async () => {
  await runCase('c_refused_no_trace', async ({ handle, calls, day, sleepUntil }) => {
    await sleepUntil(1, '09:00');
    const acceptedUpdates = async () =>
      ((await handle.fetchHistory()).events ?? []).filter(
        (event) => event.workflowExecutionUpdateAcceptedEventAttributes,
      ).length;

    const before = await acceptedUpdates();
    await expectRefused(
      handle.executeUpdate(recordPromiseUpdate, { args: [{ amountCents: BALANCE, promisedDate: day(40) }, AGENT] }),
      'unprocessable',
    );
    expect(await acceptedUpdates()).toBe(before);
    expect(journalTypes(calls)).not.toContain('promise_recorded');

    // The same count sees an accepted one.
    await handle.executeUpdate(recordPromiseUpdate, { args: [{ amountCents: BALANCE, promisedDate: day(6) }, AGENT] });
    expect(await acceptedUpdates()).toBe(before + 1);
  });
});
