/**
 * What a case must never do (docs/domain.md), checked on the real workflow in virtual time: no
 * threat and no handoff on a time-barred claim, no contact outside the allowed hours or above the
 * cap, no message twice (a retried send included), nothing after a terminal status, no handoff
 * without a formal notice. And what managers see of a running case: search attributes, the query,
 * the projection.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime, Duration } from 'luxon';
import type { CaseView, SendMessageInput } from '../../activities/contracts';
import type { CaseInput } from '../../domain/case/types';
import { isContactAllowed, type ContactRecord } from '../../domain/contact-limits';
import type { Channel } from '../../domain/types';
import { cancelCaseUpdate } from '../../workflows/case-definitions';
import {
  BalanceCents,
  CaseStage,
  CaseStatus,
  CreditorId,
  DebtorKind,
  NextActionAt,
} from '../../workflows/search-attributes';
import { recordHistory } from '../helpers/histories';
import {
  afterOpening,
  caseInput,
  getCaseQuery,
  journalTypes,
  moveClockToAnchor,
  outwardCalls,
  parisTime,
  recordingActivities,
  startCase,
  startCaseWorker,
  type ActivityCall,
  type SendBehaviour,
  setUpCaseWorkflowFile,
} from './case-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
setUpCaseWorkflowFile((started, bundled) => ([env, bundle] = [started, bundled]));

/** Runs one case to its end on its own task queue; returns the final view and every activity call. */
async function runToEnd(input: CaseInput, send?: SendBehaviour, historyName?: string) {
  const { activities, calls } = recordingActivities(send);
  const taskQueue = `guarantees-${input.caseId}`;
  const worker = await startCaseWorker(env, bundle, activities, taskQueue);
  const { view, history } = await worker.runUntil(async () => {
    const handle = await startCase(env, input, taskQueue);
    const view = await handle.result();
    if (historyName) await recordHistory(handle, 'collection-case', historyName);
    return { view, history: await handle.fetchHistory() };
  });
  return { view, history, calls };
}

interface Sent {
  at: string;
  message: SendMessageInput;
}

const sentMessages = (calls: ActivityCall[]): Sent[] =>
  calls
    .filter((call) => call.name === 'sendMessage')
    .map((call) => ({ at: call.at, message: call.input as unknown as SendMessageInput }));

const alertKinds = (calls: ActivityCall[]): string[] =>
  calls.filter((call) => call.name === 'raiseManagerAlert').map((call) => call.input.kind as string);

const millisOf = (time: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);

/** `days` after the anchor at a Paris wall-clock time, in the harness's `parisTime` format. */
function at(anchor: DateTime, days: number, time: string): string {
  const [hour, minute] = time.split(':').map(Number);
  return anchor.plus({ days }).set({ hour, minute }).toFormat('ccc yyyy-MM-dd HH:mm');
}

/**
 * A consumer claim (2 years, Code de la consommation L218-2) still enforceable `daysLeft` days after
 * the anchor: due 2 years, date to date, before that last day (counted back so that a 29 February
 * in between shifts nothing).
 */
function consumerCase(anchor: DateTime, caseId: string, daysLeft: number, overrides: Partial<CaseInput> = {}) {
  const dueDate = anchor.plus({ days: daysLeft }).minus({ years: 2 });
  return caseInput(anchor, {
    caseId,
    debtorKind: 'consumer',
    policyId: 'gentle',
    invoices: [
      {
        number: 'F-2025-118',
        issueDate: dueDate.minus({ days: 30 }).toISODate()!,
        dueDate: dueDate.toISODate()!,
        amountCents: 185000,
      },
    ],
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------

describe('R1: a time-barred claim is never threatened and never handed off', () => {
  // Prescription reached mid-sequence, per invoice, and a mise en demeure outliving the claim:
  // test/workflows/case-prescription.test.ts (issue 13). The original rules' path (reminders on,
  // then unrecoverable) stays covered by the replay of time-barred-unrecoverable.json.

  test('the prescription alert is raised the day the claim comes within 90 days of the bar, once', async () => {
    const anchor = await moveClockToAnchor(env);
    // Enforceable until anchor + 100 days: the alert is due from anchor + 10; the case ends before the bar.
    const input = consumerCase(anchor, 'c_alert', 100);

    const { view, calls } = await runToEnd(input);

    const alerts = calls.filter((call) => call.name === 'raiseManagerAlert');
    expect(alerts.map((call) => `${call.input.kind} @ ${parisTime(call.at)}`)).toEqual([
      `prescription @ ${at(anchor, 10, '00:00')}`,
    ]);
    expect(journalTypes(calls).filter((type) => type === 'prescription_alert')).toHaveLength(1);
    expect(view.status).toBe('handed_off');
  });

  test('a written acknowledgement restarted the period: the same old claim goes to formal notice and handoff', async () => {
    const anchor = await moveClockToAnchor(env);
    const input = consumerCase(anchor, 'c_acknowledged', 10, {
      prescriptionEvents: [
        { type: 'acknowledgement', date: anchor.minus({ days: 30 }).toISODate()!, form: 'written_acknowledgement' },
      ],
    });

    const { view, calls } = await runToEnd(input);

    const sent = sentMessages(calls);
    expect(sent.map(({ message }) => `${message.stage}/${message.channel}`)).toEqual([
      'reminder_1/email',
      'reminder_2/email',
      'reminder_2/sms',
      'final_reminder/letter',
      'formal_notice/letter',
    ]);
    expect(sent.every(({ message }) => message.timeBarred === false)).toBe(true);
    expect(calls.filter((call) => call.name === 'handOffCase')).toHaveLength(1);
    expect(view.status).toBe('handed_off');
    expect(view.prescription.prescribed).toBe(false);
    expect(alertKinds(calls)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('R4: never outside the allowed hours, never above 2 automated messages in 7 days', () => {
  test.each([
    { policyId: 'standard', opensAfter: {} },
    // Opened on a Saturday night: everything starts deferred.
    { policyId: 'firm', opensAfter: { days: 5, hours: 12 } },
    // Reminder 2 sends an e-mail and an SMS in the same step.
    { policyId: 'gentle', opensAfter: {} },
  ])('$policyId policy, full run to handoff', async ({ policyId, opensAfter }) => {
    const anchor = await moveClockToAnchor(env);
    if (Duration.fromObject(opensAfter).toMillis() > 0) await env.sleep(Duration.fromObject(opensAfter).toMillis());
    const opening = anchor.plus(opensAfter);
    const { view, calls } = await runToEnd(caseInput(opening, { caseId: `c_hours_${policyId}`, policyId }));

    expect(view.status).toBe('handed_off');
    const sent = sentMessages(calls);
    expect(sent.length).toBeGreaterThanOrEqual(4);
    const history: ContactRecord[] = [];
    for (const { at: sentAt, message } of sent) {
      const contact = { at: new Date(sentAt), channel: message.channel as Channel };
      if (contact.channel !== 'letter') {
        const check = isContactAllowed(contact.channel, contact.at, history, { optedOut: [], writtenOnly: false });
        expect({ message: `${message.stage}/${message.channel} @ ${parisTime(sentAt)}`, check }).toEqual({
          message: `${message.stage}/${message.channel} @ ${parisTime(sentAt)}`,
          check: { allowed: true },
        });
      }
      history.push(contact);
    }
    // Counted independently of contact-limits: every 7-day window that starts at a message.
    for (const { at: start } of sent) {
      const end = DateTime.fromISO(start, { zone: 'Europe/Paris' }).plus({ days: 7 }).toMillis();
      const inWindow = sent.filter(
        ({ at: other }) => Date.parse(other) >= Date.parse(start) && Date.parse(other) < end,
      );
      expect({ from: parisTime(start), messages: inWindow.length }).toEqual({
        from: parisTime(start),
        messages: Math.min(inWindow.length, 2),
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('never the same message twice', () => {
  test('a full run: every message and every journal entry has its own idempotency key', async () => {
    const anchor = await moveClockToAnchor(env);
    const { calls } = await runToEnd(caseInput(anchor, { caseId: 'c_keys' }));

    const keys = sentMessages(calls).map(({ message }) => message.idempotencyKey);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(keys.length);
    const journalKeys = calls
      .filter((call) => call.name === 'recordJournal')
      .flatMap((call) => (call.input.entries as { idempotencyKey: string }[]).map((entry) => entry.idempotencyKey));
    expect(new Set(journalKeys).size).toBe(journalKeys.length);
  });

  test('a send that fails once is retried with the same key and the case still reaches handoff', async () => {
    const anchor = await moveClockToAnchor(env);
    const delivered: string[] = [];
    let attempts = 0;
    const flakyOnce: SendBehaviour = (input) => {
      attempts += 1;
      if (attempts === 1) throw new Error('provider unavailable (503)');
      delivered.push(`${input.stage}/${input.channel}`);
      return { status: 'simulated', summary: 'simulated' };
    };

    const { view, calls, history } = await runToEnd(caseInput(anchor, { caseId: 'c_retry' }), flakyOnce);

    const [failed, retried] = sentMessages(calls);
    expect(retried!.message.idempotencyKey).toBe(failed!.message.idempotencyKey);
    expect(`${retried!.message.stage}/${retried!.message.channel}`).toBe('reminder_1/email');
    // Temporal retried the activity (attempt 2, after the policy's 10 s), not the workflow with a new send.
    const firstSend = history.events!.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendMessage',
    )!;
    const started = history.events!.find(
      (event) => Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === Number(firstSend.eventId),
    )!;
    expect(started.activityTaskStartedEventAttributes!.attempt).toBe(2);
    expect(millisOf(started.eventTime) - millisOf(firstSend.eventTime)).toBeGreaterThanOrEqual(10_000);
    expect(delivered).toEqual(['reminder_1/email', 'reminder_2/sms', 'final_reminder/email', 'formal_notice/letter']);
    expect(view.status).toBe('handed_off');
  });
});

// ---------------------------------------------------------------------------------------------

describe('never anything after a terminal status', () => {
  test('cancelled right after reminder 1: 60 days later nothing else has happened', async () => {
    const anchor = await moveClockToAnchor(env);
    const { activities, calls } = recordingActivities();
    const worker = await startCaseWorker(env, bundle, activities, 'guarantees-cancel');
    let callsBeforeCancel = -1;
    const { cancelled, result } = await worker.runUntil(async () => {
      const handle = await startCase(env, caseInput(anchor, { caseId: 'c_cancel' }), 'guarantees-cancel');
      await env.sleep('2 hours'); // reminder 1 went at 10:00 plus the case's offset (under 45 minutes)
      callsBeforeCancel = calls.length;
      const cancelled = await handle.executeUpdate(cancelCaseUpdate, {
        args: [{ reason: 'sealed:creditor-withdrew' }, { role: 'operations' }],
      });
      await env.sleep('60 days');
      return { cancelled, result: await handle.result() };
    });

    expect(outwardCalls(calls)).toEqual([
      `sendMessage reminder_1/email @ ${at(anchor, 0, afterOpening('c_cancel', '10:00'))}`,
    ]);
    expect(cancelled.status).toBe('cancelled');
    expect(result.status).toBe('cancelled');
    // Only the cancellation's own journal entry and projection, in the same instant of the case's
    // time. Journal and projection are local activities (issue 14), whose recorded `at` is the
    // worker's clock, not the server's virtual time: they are picked out by order, and their instant
    // read from what they carry.
    const after = calls.slice(callsBeforeCancel);
    expect(after.map((call) => call.name).sort()).toEqual(['recordJournal', 'saveCaseProjection']);
    expect(after.find((call) => call.name === 'recordJournal')!.input.entries).toEqual([
      expect.objectContaining({ type: 'case_cancelled', at: cancelled.closedAt }),
    ]);
    expect(after.find((call) => call.name === 'saveCaseProjection')!.input).toMatchObject({
      closedAt: cancelled.closedAt,
    });
    expect(journalTypes(calls).at(-1)).toBe('case_cancelled');
  });
});

// ---------------------------------------------------------------------------------------------

describe('a formal notice that cannot be sent', () => {
  test('pauses the case, alerts a manager, and there is no handoff', async () => {
    const anchor = await moveClockToAnchor(env);
    const letterBlocked: SendBehaviour = (input) =>
      input.stage === 'formal_notice'
        ? { status: 'blocked', summary: 'adresse postale inconnue' }
        : { status: 'simulated', summary: 'simulated' };
    const { activities, calls } = recordingActivities(letterBlocked);
    const worker = await startCaseWorker(env, bundle, activities, 'guarantees-notice');
    const view = await worker.runUntil(async () => {
      const handle = await startCase(env, caseInput(anchor, { caseId: 'c_notice' }), 'guarantees-notice');
      // Well past the day the handoff would have come (anchor + 29).
      await env.sleep('45 days');
      const live = await handle.query(getCaseQuery);
      await handle.terminate('test over');
      return live;
    });

    expect(view.status).toBe('paused');
    expect(view.stage).toBe('formal_notice');
    expect(calls.some((call) => call.name === 'handOffCase')).toBe(false);
    const letter = sentMessages(calls).at(-1)!;
    expect(`${letter.message.stage}/${letter.message.channel}`).toBe('formal_notice/letter');
    const alerts = calls.filter((call) => call.name === 'raiseManagerAlert');
    expect(alerts.map((call) => call.input.kind)).toEqual(['formal_notice_failed']);
    expect(alerts[0]!.at >= letter.at).toBe(true);
    expect(journalTypes(calls)).toContain('case_paused');
  });
});

// ---------------------------------------------------------------------------------------------

describe('what managers see', () => {
  test('search attributes, the query’s summary and the projection follow the case', async () => {
    const anchor = await moveClockToAnchor(env);
    const { activities, calls } = recordingActivities();
    const worker = await startCaseWorker(env, bundle, activities, 'guarantees-visibility');
    const { afterReminder1, live, final, result } = await worker.runUntil(async () => {
      const handle = await startCase(env, caseInput(anchor, { caseId: 'c_visible' }), 'guarantees-visibility');
      await env.sleep('2 hours'); // reminder 1 went at 10:00
      const afterReminder1 = (await handle.describe()).typedSearchAttributes;
      const live = await handle.query(getCaseQuery);
      const result = await handle.result();
      const final = (await handle.describe()).typedSearchAttributes;
      return { afterReminder1, live, final, result };
    });

    expect(afterReminder1.get(CaseStatus)).toBe('active');
    expect(afterReminder1.get(CaseStage)).toBe('reminder_1');
    // The balance is what the case pursues (R3): principal + the €40 indemnity + penalties to date.
    expect(afterReminder1.get(BalanceCents)).toBe(live.amounts.balanceCents);
    expect(live.amounts.balanceCents).toBeGreaterThan(185000 + 4000);
    expect(afterReminder1.get(CreditorId)).toBe('acme');
    expect(afterReminder1.get(DebtorKind)).toBe('business');
    // Reminder 2 is due the day a week later (its SMS then waits for 10:00).
    expect(afterReminder1.get(NextActionAt)).toEqual(anchor.plus({ days: 7 }).startOf('day').toJSDate());

    const frDate = (days: number) => anchor.plus({ days }).toFormat('dd/MM/yyyy');
    expect(live.status).toBe('active');
    expect(live.summary).toBe(`relance 1 envoyée le ${frDate(0)} — prochaine étape : relance 2 le ${frDate(7)}`);

    expect(result.status).toBe('handed_off');
    expect(final.get(CaseStatus)).toBe('handed_off');
    expect(final.get(CaseStage)).toBe('handoff');
    expect(final.get(NextActionAt)).toBeUndefined();

    const projections = calls
      .filter((call) => call.name === 'saveCaseProjection')
      .map((call) => call.input as unknown as CaseView);
    const revisions = projections.map((projection) => projection.revision);
    expect(revisions.length).toBeGreaterThan(3);
    revisions.slice(1).forEach((revision, index) => expect(revision).toBeGreaterThan(revisions[index]!));
    expect(projections.at(-1)).toMatchObject({ status: 'handed_off', revision: result.revision });
  });
});
