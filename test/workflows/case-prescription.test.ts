/**
 * R1 per invoice and mid-case, R4 and R5 (docs/domain.md, issue 13 defects 1-3), on the real case
 * workflow across months of virtual time on the time-skipping server. The gentle policy: reminder 1
 * on opening, reminder 2 +14 days (e-mail and SMS), final reminder +28 (letter and call), mise en
 * demeure +43 (3 days of delivery, 15 to pay: deadline +61), handoff +68.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { CaseView, HandOffInput, SendMessageInput } from '../../activities/contracts';
import type { CaseInput } from '../../domain/case/types';
import type { Invoice } from '../../domain/types';
import { cancelCaseUpdate } from '../../workflows/case-definitions';
import { recordHistory } from '../helpers/histories';
import {
  caseInput,
  getCaseQuery,
  journalTypes,
  moveClockToAnchor,
  recordingActivities,
  startCase,
  startCaseWorker,
  type ActivityCall,
  setUpCaseWorkflowFile,
} from './case-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
setUpCaseWorkflowFile((started, bundled) => ([env, bundle] = [started, bundled]));

/** A consumer invoice (2 years, L218-2) still enforceable `lastDay` days after the anchor, barred the day after. */
function invoice(anchor: DateTime, number: string, lastDay: number, amountCents: number): Invoice {
  const due = anchor.plus({ days: lastDay }).minus({ years: 2 });
  return { number, issueDate: due.minus({ days: 30 }).toISODate()!, dueDate: due.toISODate()!, amountCents };
}

function consumerCase(anchor: DateTime, caseId: string, invoices: Invoice[]): CaseInput {
  return caseInput(anchor, { caseId, debtorKind: 'consumer', policyId: 'gentle', invoices });
}

/**
 * Runs the case for `days` of virtual time; a case still open then (paused for review) is cancelled
 * by operations, as a person reviewing it would, so that its history ends.
 */
async function runFor(input: CaseInput, days: number, historyName: string) {
  const { activities, calls } = recordingActivities();
  const worker = await startCaseWorker(env, bundle, activities, `prescription-${input.caseId}`);
  const anchorMs = Date.parse(input.openedAt);
  return worker.runUntil(async () => {
    const handle = await startCase(env, input, `prescription-${input.caseId}`);
    await env.sleep(Math.max(1, anchorMs + days * 86_400_000 - (await env.currentTimeMs())));
    const view: CaseView = await handle.query(getCaseQuery);
    if (view.status === 'paused') {
      await handle.executeUpdate(cancelCaseUpdate, { args: [{ reason: 'sealed:reviewed' }, { role: 'operations' }] });
    }
    await handle.result();
    await recordHistory(handle, 'collection-case', historyName);
    return { view, calls };
  });
}

interface Sent {
  day: number;
  message: SendMessageInput;
}

function sentMessages(calls: ActivityCall[], anchor: DateTime): Sent[] {
  return calls
    .filter((call) => call.name === 'sendMessage')
    .map((call) => ({
      day: Math.floor(
        DateTime.fromISO(call.at, { zone: 'Europe/Paris' }).startOf('day').diff(anchor.startOf('day'), 'days').days,
      ),
      message: call.input as unknown as SendMessageInput,
    }));
}

const described = (sent: Sent[]) => sent.map(({ day, message }) => `+${day} ${message.stage}/${message.channel}`);

const journalEntries = (calls: ActivityCall[]) =>
  calls
    .filter((call) => call.name === 'recordJournal')
    .flatMap((call) => (call.input.entries as { type: string; summary: string; at: string }[]).map((entry) => entry));

describe('R1: prescription reached while a case runs (defect 1)', () => {
  test('the day the lone invoice is barred, automated collection stops and the case goes to review', async () => {
    const anchor = await moveClockToAnchor(env);
    // Enforceable until anchor + 10, barred from anchor + 11: between reminder 1 and reminder 2.
    const input = consumerCase(anchor, 'c_barred_mid_case', [invoice(anchor, 'F-1', 10, 185000)]);

    const { view, calls } = await runFor(input, 80, 'prescription-barred-mid-case-review');

    // Before the fix: reminder 2, its SMS and the final reminder went out after the bar.
    expect(described(sentMessages(calls, anchor))).toEqual(['+0 reminder_1/email']);
    expect(calls.some((call) => call.name === 'createCallTask')).toBe(false);
    expect(calls.some((call) => call.name === 'handOffCase')).toBe(false);

    const barred = journalEntries(calls).find((entry) => entry.type === 'invoice_prescribed')!;
    expect(DateTime.fromISO(barred.at, { zone: 'Europe/Paris' }).toFormat('yyyy-MM-dd HH:mm')).toBe(
      `${anchor.plus({ days: 11 }).toISODate()} 00:00`,
    );
    expect(barred.summary).toMatch(/^Facture F-1 prescrite depuis le .*paiement volontaire reste possible$/);
    expect(journalTypes(calls)).toEqual(expect.arrayContaining(['invoice_prescribed', 'case_paused']));
    expect(view.status).toBe('paused');
    expect(view.prescription).toEqual({ date: anchor.plus({ days: 10 }).toISODate(), prescribed: true });
    const alerts = calls.filter((call) => call.name === 'raiseManagerAlert').map((call) => call.input.kind);
    expect(alerts).toEqual(['prescription', 'prescription', 'prescription']);
  });
});

describe('R1: prescription is per invoice (defect 2)', () => {
  test('the barred invoice leaves collection, shown as payable voluntarily; the other goes to notice and handoff', async () => {
    const anchor = await moveClockToAnchor(env);
    const input = consumerCase(anchor, 'c_one_of_two', [
      invoice(anchor, 'OLD', 10, 30000),
      // Due a month ago: enforceable for two more years.
      invoice(anchor, 'NEW', 700, 50000),
    ]);

    const { view, calls } = await runFor(input, 120, 'prescription-one-invoice-of-two');

    const sent = sentMessages(calls, anchor);
    expect(described(sent)).toEqual([
      '+0 reminder_1/email',
      '+14 reminder_2/email',
      '+14 reminder_2/sms',
      '+28 final_reminder/letter',
      '+43 formal_notice/letter',
    ]);
    const [first, ...afterBar] = sent.map(({ message }) => message);
    expect(first!.invoiceNumbers).toEqual(['OLD', 'NEW']);
    expect(first!.amounts.totalCents).toBe(80000);
    for (const message of afterBar) {
      expect({ stage: message.stage, invoices: message.invoiceNumbers, total: message.amounts.totalCents }).toEqual({
        stage: message.stage,
        invoices: ['NEW'],
        total: 50000,
      });
      expect(message.barredInvoices).toEqual([{ number: 'OLD', outstandingCents: 30000 }]);
    }
    const finalReminder = afterBar.find((message) => message.stage === 'final_reminder')!;
    expect(finalReminder.formalNoticeFollows).toBe(true);
    const notice = afterBar.find((message) => message.stage === 'formal_notice')!;
    // NEW alone is named, enforceable at the deadline: court action may be named.
    expect(notice.timeBarred).toBe(false);

    expect(view.status).toBe('handed_off');
    const handoff = calls.find((call) => call.name === 'handOffCase')!.input as unknown as HandOffInput;
    const byInvoice = Object.fromEntries(
      handoff.prescription!.invoices.map((entry) => [entry.invoiceNumber, entry.prescribed]),
    );
    expect(byInvoice).toEqual({ OLD: true, NEW: false });
    expect(journalTypes(calls)).not.toContain('case_paused');
  });
});

describe('R1, R5: a mise en demeure whose deadline outlives the claim (defect 3)', () => {
  test('barred between the notice and its deadline: no announcement, no notice, review on its day', async () => {
    const anchor = await moveClockToAnchor(env);
    // Enforceable until anchor + 50: the notice of anchor + 43 would have its deadline on anchor + 61.
    const input = consumerCase(anchor, 'c_notice_outlives', [invoice(anchor, 'F-1', 50, 185000)]);

    const { view, calls } = await runFor(input, 80, 'prescription-formal-notice-outlives-claim');

    const sent = sentMessages(calls, anchor);
    // Before the fix: a mise en demeure threatening court action for a claim barred before its deadline.
    expect(described(sent)).toEqual([
      '+0 reminder_1/email',
      '+14 reminder_2/email',
      '+14 reminder_2/sms',
      '+28 final_reminder/letter',
    ]);
    expect(sent.find(({ message }) => message.stage === 'final_reminder')!.message.formalNoticeFollows).toBe(false);
    const paused = journalEntries(calls).find((entry) => entry.type === 'case_paused')!;
    expect(DateTime.fromISO(paused.at, { zone: 'Europe/Paris' }).toISODate()).toBe(
      anchor.plus({ days: 43 }).toISODate(),
    );
    expect(paused.summary).toMatch(/^Mise en demeure non envoyée : la facture F-1 \(prescrite après le /);
    expect(view.status).toBe('paused');
    expect(calls.some((call) => call.name === 'handOffCase')).toBe(false);
  });
});
