/**
 * The pure rules of a case (domain/case): what time does to it, what people may do to it, and the
 * "never" guarantees of docs/domain.md checked on random lives of a case. No Temporal here: the
 * workflow only carries out what these functions decide.
 *
 * Expected dates are worked out by hand from the policies (domain/policies.ts); a test that
 * recomputed them with the code under test would pass whatever the rule.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  applyCallOutcome,
  applyCancel,
  applyDispute,
  applyDisputeResolution,
  applyInstallmentPlan,
  applyPause,
  applyPayment,
  applyPromise,
  applyReply,
  applyResume,
  CaseRuleViolation,
  promiseDeadline,
  validateCallOutcome,
  validateCancel,
  validateDispute,
  validateDisputeResolution,
  validateInstallmentPlan,
  validatePause,
  validatePayment,
  validatePromise,
  validateReply,
  validateResume,
  type DisputeResolutionInput,
  type ViolationCode,
} from '../../domain/case/actions';
import type { CaseEffect } from '../../domain/case/effects';
import { advance, nextWakeAt, recordContactResult } from '../../domain/case/progress';
import {
  amountsDue,
  balanceCents,
  claimsLateCharges,
  initialCaseState,
  isTerminal,
  policyOf,
  todayOf,
} from '../../domain/case/state';
import {
  CALL_OUTCOMES,
  DISPUTE_OUTCOMES,
  TERMINAL_STATUSES,
  type CaseState,
  type IsoInstant,
  type PendingContact,
} from '../../domain/case/types';
import { isContactAllowed, type ContactRecord } from '../../domain/contact-limits';
import { addDays, compareDates, daysBetween } from '../../domain/dates';
import { SHIPPED_POLICIES } from '../../domain/policies';
import { caseInputOf, contactsOf, manager, OPENING, paris } from '../helpers/case-fixture';
import type { CalendarDate, Channel, DebtorKind } from '../../domain/types';

const caseInput = caseInputOf('c_rules', 185000);

const journalTypesOf = (effects: CaseEffect[]) =>
  effects.flatMap((effect) => (effect.kind === 'journal' ? [effect.note.type] : []));

type ProviderAnswer = (contact: PendingContact) => { status: string };
const delivered: ProviderAnswer = () => ({ status: 'simulated' });

/** What the workflow does with a contact the rules decided: it is sent, and the result recorded. */
function sendAll(state: CaseState, effects: CaseEffect[], now: IsoInstant, answer = delivered): CaseEffect[] {
  return contactsOf(effects).flatMap((contact) => recordContactResult(state, contact, answer(contact), now));
}

/**
 * Lets the case live on its own, waking when it asks to, and lists what it sent, handed off and
 * alerted about, and when (Paris time).
 */
function runUnattended(state: CaseState, from: IsoInstant, until: IsoInstant, answer = delivered): string[] {
  const sent: string[] = [];
  let now = from;
  for (let wakes = 0; wakes < 100; wakes++) {
    const effects = advance(state, now);
    for (const contact of contactsOf(effects)) sent.push(`${contact.stage}/${contact.channel} ${parisText(now)}`);
    for (const effect of [...effects, ...sendAll(state, effects, now, answer)]) {
      if (effect.kind === 'handoff') sent.push(`handoff ${parisText(now)}`);
      if (effect.kind === 'alert') sent.push(`alert ${effect.alert} ${parisText(now)}`);
    }
    const wake = nextWakeAt(state, now);
    if (wake === null || Date.parse(wake) > Date.parse(until)) return sent;
    now = new Date(Math.max(Date.parse(wake), Date.parse(now) + 1)).toISOString();
  }
  throw new Error('the case woke 100 times: it is probably spinning');
}

const parisText = (instant: IsoInstant) =>
  DateTime.fromISO(instant, { zone: 'Europe/Paris' }).toFormat('ccc yyyy-MM-dd HH:mm');

// ---------------------------------------------------------------------------------------------
// A late opening

describe('a case that opens long after the due date', () => {
  // Invoice due 200 days before the opening: every step of every policy is long overdue.
  const lateInput = (policyId: string) => caseInput({ policyId, openedAt: paris('2027-02-01T10:30') }, '2026-07-16');

  test.each([
    // policy, the day its second step is due: first step the opening day + the policy's spacing
    ['standard', '2027-02-08'],
    ['gentle', '2027-02-15'],
    ['firm', '2027-02-05'],
  ])('%s: starts at reminder_1 on the opening day, one step only, spacing kept (%s)', (policyId, secondStepOn) => {
    const state = initialCaseState(lateInput(policyId));
    expect(state.nextStepOn).toBe('2027-02-01');

    const effects = advance(state, paris('2027-02-01T10:30'));

    // No burst: only reminder_1's message, although every step's date has passed.
    expect(contactsOf(effects).map((contact) => `${contact.stage}/${contact.channel}`)).toEqual(['reminder_1/email']);
    expect(state.stage).toBe('reminder_1');
    expect(state.nextStepOn).toBe(secondStepOn);
    sendAll(state, effects, paris('2027-02-01T10:30'));
    // Nothing else before the second step's day, however often the case wakes.
    for (let day = 0; compareDates(addDays('2027-02-01', day), secondStepOn) < 0; day++) {
      const instant = paris(`${addDays('2027-02-01', day)}T15:00`);
      expect(contactsOf(advance(state, instant))).toEqual([]);
    }
  });

  test('standard: the whole schedule keeps the policy spacing from the opening day', () => {
    const state = initialCaseState(lateInput('standard'));
    expect(runUnattended(state, paris('2027-02-01T10:30'), paris('2027-06-01T00:00'))).toEqual([
      'reminder_1/email Mon 2027-02-01 10:30',
      // +7 days (offsets 3 → 10); the window opens at 10:00, and c_rules goes 15′42″ after an
      // opening (domain/case/opening-spread.ts).
      'reminder_2/sms Mon 2027-02-08 10:15',
      // +5 days is Saturday 13: deferred to Monday.
      'final_reminder/email Mon 2027-02-15 10:15',
      // +5 days from the day the final reminder actually went out (15) is Saturday 20: a letter is
      // dated and posted on a working day in office hours (R4), Monday 22 from 09:00.
      'formal_notice/letter Mon 2027-02-22 09:15',
      // Posted 22 + 3 days' delivery + 8 days to pay = 5 March; handoff the day after.
      'handoff Sat 2027-03-06 00:00',
    ]);
    expect(state.status).toBe('handed_off');
  });
});

describe('a sequence that picks up again keeps the policy spacing (no catch-up burst)', () => {
  // Standard, due Friday 29 January: reminder 2 went out Monday 8 February; the final reminder's
  // day is Saturday 13, so its e-mail waits for Monday 15 10:00. The formal notice is 5 days after
  // the final reminder in the policy (offsets 15 → 20).
  function finalReminderWaitingForMonday(): CaseState {
    const state = initialCaseState(caseInput());
    runUnattended(state, OPENING, paris('2027-02-14T12:00'));
    expect(state.pending.map((contact) => `${contact.stage}/${contact.channel}`)).toEqual(['final_reminder/email']);
    return state;
  }

  /** Days between the final reminder and the formal notice, as the debtor receives them. */
  function daysFromFinalReminderToNotice(sent: string[]): number {
    const dayOf = (prefix: string) => {
      const line = sent.find((entry) => entry.startsWith(prefix));
      if (!line) throw new Error(`${prefix} was never sent: ${sent.join(', ')}`);
      return line.split(' ')[2]!;
    };
    return daysBetween(dayOf('final_reminder/email'), dayOf('formal_notice/letter'));
  }

  test('paused on Sunday 14 and resumed Thursday 25: the formal notice comes 5 days after the final reminder', () => {
    const state = finalReminderWaitingForMonday();
    applyPause(state, { reason: 'sealed:x' }, paris('2027-02-14T12:00'), manager);
    applyResume(state, paris('2027-02-25T11:00'), manager);
    const sent = runUnattended(state, paris('2027-02-25T11:00'), paris('2027-06-01T00:00'));
    expect(sent[0]).toBe('final_reminder/email Thu 2027-02-25 11:00');
    expect(daysFromFinalReminderToNotice(sent)).toBeGreaterThanOrEqual(5);
  });

  test('a promise for Tuesday 16 broken on Saturday 20: the formal notice comes 5 days after the final reminder', () => {
    const state = finalReminderWaitingForMonday();
    applyPromise(state, { amountCents: 1000, promisedDate: '2027-02-16' }, paris('2027-02-14T12:00'), manager);
    const sent = runUnattended(state, paris('2027-02-14T12:00'), paris('2027-06-01T00:00'));
    // The window opens at 10:00; c_rules goes 15′42″ after an opening.
    expect(sent[0]).toBe('final_reminder/email Mon 2027-02-22 10:15');
    expect(daysFromFinalReminderToNotice(sent)).toBeGreaterThanOrEqual(5);
  });
});

describe('a formal notice that could not be sent', () => {
  // Standard, as above: the letter goes on Monday 22 February and the post refuses it.
  const noticeRefused: ProviderAnswer = (contact) => ({
    status: contact.stage === 'formal_notice' ? 'blocked' : 'simulated',
  });

  test('pauses the case with an alert; once a manager resumes it, the notice is sent again, then the handoff', () => {
    const state = initialCaseState(caseInput());
    const before = runUnattended(state, OPENING, paris('2027-02-28T00:00'), noticeRefused);
    expect(before.slice(-2)).toEqual([
      // Due Saturday 20: dated and posted on Monday from 09:00 (R4), c_rules 15′42″ after it.
      'formal_notice/letter Mon 2027-02-22 09:15',
      'alert formal_notice_failed Mon 2027-02-22 09:15',
    ]);
    expect(state.status).toBe('paused');

    // The address is fixed and the manager resumes on Monday 1 March.
    applyResume(state, paris('2027-03-01T11:00'), manager);
    const after = runUnattended(state, paris('2027-03-01T11:00'), paris('2027-06-01T00:00'));
    // Without a notice there is no handoff: the sequence must send it before anything else.
    expect(after[0]).toMatch(/^formal_notice\/letter /);
    expect(after.at(-1)).toMatch(/^handoff /);
    expect(state.status).toBe('handed_off');
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals

/** A case in a given situation, reached through the rules themselves. */
const situations = {
  active: () => initialCaseState(caseInput()),
  disputed: () => {
    const state = initialCaseState(caseInput());
    applyDispute(state, { reason: 'sealed:reason' }, OPENING, manager);
    return state;
  },
  paused: () => {
    const state = initialCaseState(caseInput());
    applyPause(state, { reason: 'sealed:reason' }, OPENING, manager);
    return state;
  },
  installmentPlan: () => {
    const state = initialCaseState(caseInput());
    applyInstallmentPlan(state, { installments: [{ dueDate: '2027-03-01', amountCents: 185000 }] }, OPENING, manager);
    return state;
  },
  paid: () => {
    const state = initialCaseState(caseInput());
    applyPayment(state, { amountCents: 185000, paidAt: '2027-02-01', reference: 'VIR-1' }, OPENING, manager);
    return state;
  },
  cancelled: () => {
    const state = initialCaseState(caseInput());
    applyCancel(state, { reason: 'sealed:reason' }, OPENING, manager);
    return state;
  },
  withPaymentVir1: () => {
    const state = initialCaseState(caseInput());
    applyPayment(state, { amountCents: 5000, paidAt: '2027-01-30', reference: 'VIR-1' }, OPENING, manager);
    return state;
  },
};

const payment = { amountCents: 5000, paidAt: '2027-02-01', reference: 'VIR-2' };
const promise = { amountCents: 5000, promisedDate: '2027-02-10' };
const plan = (...installments: [CalendarDate, number][]) => ({
  installments: installments.map(([dueDate, amountCents]) => ({ dueDate, amountCents })),
});

interface Refusal {
  what: string;
  on: () => CaseState;
  act: (state: CaseState) => void;
  code: ViolationCode;
  field?: string;
}

// prettier-ignore
const refusals: Refusal[] = [
  // payments
  { what: 'a payment on a paid case', on: situations.paid, act: (s) => validatePayment(s, payment, OPENING), code: 'invalid_transition' },
  { what: 'a payment on a cancelled case', on: situations.cancelled, act: (s) => validatePayment(s, payment, OPENING), code: 'invalid_transition' },
  { what: 'a payment of 0 cents', on: situations.active, act: (s) => validatePayment(s, { ...payment, amountCents: 0 }, OPENING), code: 'unprocessable', field: 'amountCents' },
  { what: 'a payment of 12.5 cents', on: situations.active, act: (s) => validatePayment(s, { ...payment, amountCents: 12.5 }, OPENING), code: 'unprocessable', field: 'amountCents' },
  { what: 'a payment dated 01/02/2027', on: situations.active, act: (s) => validatePayment(s, { ...payment, paidAt: '01/02/2027' }, OPENING), code: 'unprocessable', field: 'paidAt' },
  { what: 'a payment dated tomorrow', on: situations.active, act: (s) => validatePayment(s, { ...payment, paidAt: '2027-02-02' }, OPENING), code: 'unprocessable', field: 'paidAt' },
  { what: 'a payment without reference', on: situations.active, act: (s) => validatePayment(s, { ...payment, reference: '  ' }, OPENING), code: 'unprocessable', field: 'reference' },
  { what: 'a known payment reference with another amount', on: situations.withPaymentVir1, act: (s) => validatePayment(s, { ...payment, reference: 'VIR-1', paidAt: '2027-01-30', amountCents: 6000 }, OPENING), code: 'unprocessable', field: 'reference' },
  // promises
  { what: 'a promise on a paid case', on: situations.paid, act: (s) => validatePromise(s, promise, OPENING), code: 'invalid_transition' },
  { what: 'a promise on a disputed case', on: situations.disputed, act: (s) => validatePromise(s, promise, OPENING), code: 'invalid_transition' },
  { what: 'a promise during an installment plan', on: situations.installmentPlan, act: (s) => validatePromise(s, promise, OPENING), code: 'invalid_transition' },
  { what: 'a promise of -1 cent', on: situations.active, act: (s) => validatePromise(s, { ...promise, amountCents: -1 }, OPENING), code: 'unprocessable', field: 'amountCents' },
  { what: 'a promise above the balance', on: situations.active, act: (s) => validatePromise(s, { ...promise, amountCents: balanceCents(s, OPENING) + 1 }, OPENING), code: 'unprocessable', field: 'amountCents' },
  { what: 'a promise by fax', on: situations.active, act: (s) => validatePromise(s, { ...promise, channel: 'fax' as never }, OPENING), code: 'unprocessable', field: 'channel' },
  { what: 'a promise for yesterday', on: situations.active, act: (s) => validatePromise(s, { ...promise, promisedDate: '2027-01-31' }, OPENING), code: 'unprocessable', field: 'promisedDate' },
  { what: 'a promise 31 days away (standard allows 30)', on: situations.active, act: (s) => validatePromise(s, { ...promise, promisedDate: '2027-03-04' }, OPENING), code: 'unprocessable', field: 'promisedDate' },
  { what: 'a promise with a malformed date', on: situations.active, act: (s) => validatePromise(s, { ...promise, promisedDate: '2027-02-30' }, OPENING), code: 'unprocessable', field: 'promisedDate' },
  // replies
  { what: 'a reply on a cancelled case', on: situations.cancelled, act: (s) => validateReply(s, { channel: 'email', message: 'sealed:x' }), code: 'invalid_transition' },
  { what: 'a reply by pigeon', on: situations.active, act: (s) => validateReply(s, { channel: 'pigeon' as never, message: 'sealed:x' }), code: 'unprocessable', field: 'channel' },
  { what: 'an empty reply', on: situations.active, act: (s) => validateReply(s, { channel: 'email', message: '' }), code: 'unprocessable', field: 'message' },
  { what: 'a reply received "yesterday"', on: situations.active, act: (s) => validateReply(s, { channel: 'email', message: 'sealed:x', receivedAt: 'yesterday' }), code: 'unprocessable', field: 'receivedAt' },
  // call outcomes
  { what: 'a call outcome on a paid case', on: situations.paid, act: (s) => validateCallOutcome(s, { agentId: 'a1', outcome: 'reached' }, OPENING), code: 'invalid_transition' },
  { what: 'a call outcome "busy"', on: situations.active, act: (s) => validateCallOutcome(s, { agentId: 'a1', outcome: 'busy' as never }, OPENING), code: 'unprocessable', field: 'outcome' },
  { what: 'a call outcome without agent', on: situations.active, act: (s) => validateCallOutcome(s, { agentId: ' ', outcome: 'reached' }, OPENING), code: 'unprocessable', field: 'agentId' },
  { what: 'a call outcome for an unknown task', on: situations.active, act: (s) => validateCallOutcome(s, { agentId: 'a1', outcome: 'reached', taskId: 't_nope' }, OPENING), code: 'unprocessable', field: 'taskId' },
  { what: 'a callback without a time', on: situations.active, act: (s) => validateCallOutcome(s, { agentId: 'a1', outcome: 'callback_requested' }, OPENING), code: 'unprocessable', field: 'callbackAt' },
  { what: 'a callback at "soon"', on: situations.active, act: (s) => validateCallOutcome(s, { agentId: 'a1', outcome: 'callback_requested', callbackAt: 'soon' }, OPENING), code: 'unprocessable', field: 'callbackAt' },
  { what: 'a callback in the past', on: situations.active, act: (s) => validateCallOutcome(s, { agentId: 'a1', outcome: 'callback_requested', callbackAt: paris('2027-02-01T08:00') }, OPENING), code: 'unprocessable', field: 'callbackAt' },
  // disputes
  { what: 'a dispute on a paid case', on: situations.paid, act: (s) => validateDispute(s, { reason: 'sealed:x' }), code: 'invalid_transition' },
  { what: 'a second dispute', on: situations.disputed, act: (s) => validateDispute(s, { reason: 'sealed:x' }), code: 'invalid_transition' },
  { what: 'a dispute without reason', on: situations.active, act: (s) => validateDispute(s, { reason: '' }), code: 'unprocessable', field: 'reason' },
  { what: 'resolving a dispute on a cancelled case', on: situations.cancelled, act: (s) => validateDisputeResolution(s, { outcome: 'rejected' }), code: 'invalid_transition' },
  { what: 'resolving a dispute that was never opened', on: situations.active, act: (s) => validateDisputeResolution(s, { outcome: 'rejected' }), code: 'invalid_transition' },
  { what: 'a resolution "maybe"', on: situations.disputed, act: (s) => validateDisputeResolution(s, { outcome: 'maybe' as never }), code: 'unprocessable', field: 'outcome' },
  { what: 'an adjusted resolution without amount', on: situations.disputed, act: (s) => validateDisputeResolution(s, { outcome: 'adjusted' }), code: 'unprocessable', field: 'adjustedAmountCents' },
  { what: 'an adjusted amount above the principal', on: situations.disputed, act: (s) => validateDisputeResolution(s, { outcome: 'adjusted', adjustedAmountCents: 185001 }), code: 'unprocessable', field: 'adjustedAmountCents' },
  { what: 'an amount on a rejected dispute', on: situations.disputed, act: (s) => validateDisputeResolution(s, { outcome: 'rejected', adjustedAmountCents: 100 }), code: 'unprocessable', field: 'adjustedAmountCents' },
  // installment plans
  { what: 'a plan on a paused case', on: situations.paused, act: (s) => validateInstallmentPlan(s, plan(['2027-03-01', 185000]), OPENING), code: 'invalid_transition' },
  { what: 'a plan on a paid case', on: situations.paid, act: (s) => validateInstallmentPlan(s, plan(['2027-03-01', 185000]), OPENING), code: 'invalid_transition' },
  { what: 'a plan with no installment', on: situations.active, act: (s) => validateInstallmentPlan(s, plan(), OPENING), code: 'unprocessable', field: 'installments' },
  { what: 'a plan with a malformed date', on: situations.active, act: (s) => validateInstallmentPlan(s, plan(['2027-03-01', 92500], ['March', 92500]), OPENING), code: 'unprocessable', field: 'installments[1].dueDate' },
  { what: 'a plan with a zero installment', on: situations.active, act: (s) => validateInstallmentPlan(s, plan(['2027-03-01', 0], ['2027-04-01', 185000]), OPENING), code: 'unprocessable', field: 'installments[0].amountCents' },
  { what: 'a plan starting yesterday', on: situations.active, act: (s) => validateInstallmentPlan(s, plan(['2027-01-31', 92500], ['2027-03-01', 92500]), OPENING), code: 'unprocessable', field: 'installments[0].dueDate' },
  { what: 'a plan with dates out of order', on: situations.active, act: (s) => validateInstallmentPlan(s, plan(['2027-03-01', 92500], ['2027-03-01', 92500]), OPENING), code: 'unprocessable', field: 'installments[1].dueDate' },
  { what: 'a plan of 7 installments (standard allows 6)', on: situations.active, act: (s) => validateInstallmentPlan(s, plan(...[1, 2, 3, 4, 5, 6, 7].map((m): [CalendarDate, number] => [addDays('2027-02-01', 7 * m), m === 7 ? 185000 - 6 * 26000 : 26000])), OPENING), code: 'unprocessable', field: 'installments' },
  { what: 'a plan over 184 days (standard allows 183)', on: situations.active, act: (s) => validateInstallmentPlan(s, plan(['2027-03-01', 92500], ['2027-08-04', 92500]), OPENING), code: 'unprocessable', field: 'installments' },
  { what: 'a plan that does not add up to the balance', on: situations.active, act: (s) => validateInstallmentPlan(s, plan(['2027-03-01', 92500], ['2027-04-01', 92499]), OPENING), code: 'unprocessable', field: 'installments' },
  { what: 'a plan agreed "today"', on: situations.active, act: (s) => validateInstallmentPlan(s, { ...plan(['2027-03-01', 185000]), agreedAt: 'today' }, OPENING), code: 'unprocessable', field: 'agreedAt' },
  // pause, resume, cancel
  { what: 'pausing a cancelled case', on: situations.cancelled, act: (s) => validatePause(s, { reason: 'sealed:x' }, OPENING), code: 'invalid_transition' },
  { what: 'pausing a paused case', on: situations.paused, act: (s) => validatePause(s, { reason: 'sealed:x' }, OPENING), code: 'invalid_transition' },
  { what: 'a pause without reason', on: situations.active, act: (s) => validatePause(s, { reason: '' }, OPENING), code: 'unprocessable', field: 'reason' },
  { what: 'a pause until "later"', on: situations.active, act: (s) => validatePause(s, { reason: 'sealed:x', until: 'later' }, OPENING), code: 'unprocessable', field: 'until' },
  { what: 'a pause until now', on: situations.active, act: (s) => validatePause(s, { reason: 'sealed:x', until: OPENING }, OPENING), code: 'unprocessable', field: 'until' },
  { what: 'resuming an active case', on: situations.active, act: (s) => validateResume(s), code: 'invalid_transition' },
  { what: 'resuming a paid case', on: situations.paid, act: (s) => validateResume(s), code: 'invalid_transition' },
  { what: 'cancelling a cancelled case', on: situations.cancelled, act: (s) => validateCancel(s, { reason: 'sealed:x' }), code: 'invalid_transition' },
  { what: 'a cancellation without reason', on: situations.active, act: (s) => validateCancel(s, { reason: '' }), code: 'unprocessable', field: 'reason' },
];

function violationOf(act: () => void): { code: ViolationCode; field: string | undefined } | 'accepted' {
  try {
    act();
    return 'accepted';
  } catch (err) {
    if (!(err instanceof CaseRuleViolation)) throw err;
    return { code: err.code, field: err.field };
  }
}

describe('refused actions', () => {
  const cases = refusals.map((refusal) => ({
    ...refusal,
    answer: [refusal.code, refusal.field].filter(Boolean).join(' '),
  }));
  test.each(cases)('$what → $answer', ({ on, act, code, field }) => {
    const state = on();
    const before = JSON.stringify(state);
    expect(violationOf(() => act(state))).toEqual({ code, field });
    // A validator only reads: the workflow runs it before anything reaches the history.
    expect(JSON.stringify(state)).toBe(before);
  });

  test('the same payment recorded twice is accepted and counted once', () => {
    const state = situations.withPaymentVir1();
    const again = { amountCents: 5000, paidAt: '2027-01-30', reference: 'VIR-1' };
    const before = balanceCents(state, OPENING);
    expect(violationOf(() => validatePayment(state, again, OPENING))).toBe('accepted');
    expect(applyPayment(state, again, OPENING, manager)).toEqual([]);
    expect(balanceCents(state, OPENING)).toBe(before);
    expect(state.payments).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// When the case wakes

describe('nextWakeAt', () => {
  test('active, nothing sent yet: the first step’s day (already begun: wake now)', () => {
    const state = initialCaseState(caseInput());
    expect(nextWakeAt(state, OPENING)).toBe(paris('2027-02-01T00:00'));
  });

  test('active, a message deferred to the window: when the window opens, plus the case offset', () => {
    const state = initialCaseState(caseInput());
    expect(journalTypesOf(advance(state, OPENING))).toEqual(['message_deferred']);
    expect(nextWakeAt(state, OPENING)).toBe(paris('2027-02-01T10:15:42'));
  });

  test('active, reminder 1 sent: the next step’s day', () => {
    const state = initialCaseState(caseInput());
    sendAll(state, advance(state, paris('2027-02-01T10:00')), paris('2027-02-01T10:00'));
    expect(nextWakeAt(state, paris('2027-02-01T10:00'))).toBe(paris('2027-02-08T00:00'));
  });

  test('active while a reply holds the sequence: the end of the hold, not the pending message', () => {
    const state = initialCaseState(caseInput());
    advance(state, OPENING); // reminder 1 pending for 10:00
    applyReply(state, { channel: 'email', message: 'sealed:x' }, OPENING, manager);
    expect(nextWakeAt(state, OPENING)).toBe(paris('2027-02-06T09:00')); // standard holds 5 days
  });

  test('promise to pay: the day after the promised date plus the grace days', () => {
    const state = initialCaseState(caseInput());
    applyPromise(state, { amountCents: 5000, promisedDate: '2027-02-10' }, OPENING, manager);
    expect(nextWakeAt(state, OPENING)).toBe(paris('2027-02-14T00:00')); // 10 + 3 days' grace, then broken
  });

  test('paused until a date: that date', () => {
    const until = paris('2027-02-20T08:30');
    const state = initialCaseState(caseInput());
    applyPause(state, { reason: 'sealed:x', until }, OPENING, manager);
    expect(nextWakeAt(state, OPENING)).toBe(until);
  });

  // Nothing but prescription wakes these cases. The commercial claim due 2027-01-29 is enforceable
  // until 2032-01-29, so its alert falls 90 days earlier, on 2031-10-31.
  test('paused without an end, or disputed: only the prescription alert, on 2031-10-31', () => {
    expect(nextWakeAt(situations.paused(), OPENING)).toBe(paris('2031-10-31T00:00'));
    expect(nextWakeAt(situations.disputed(), OPENING)).toBe(paris('2031-10-31T00:00'));
  });

  test('installment plan: first the written confirmation, then the restarted prescription (2027-02-01 + 5 years) alert on 2031-11-03', () => {
    const state = situations.installmentPlan();
    expect(nextWakeAt(state, OPENING)).toBe(OPENING);
    state.pending = [];
    expect(nextWakeAt(state, OPENING)).toBe(paris('2031-11-03T00:00'));
  });

  test('disputed, prescription alert ahead: the alert day, 90 days before the bar', () => {
    // Consumer claim due 2025-05-30: enforceable until 2027-05-30; alert from 2027-03-01.
    const state = initialCaseState(caseInput({ debtorKind: 'consumer', policyId: 'gentle' }, '2025-05-30'));
    applyDispute(state, { reason: 'sealed:x' }, OPENING, manager);
    expect(nextWakeAt(state, OPENING)).toBe(paris('2027-03-01T00:00'));
  });

  test.each(TERMINAL_STATUSES)('%s: never, even with a message still pending', (status) => {
    const state = initialCaseState(caseInput());
    advance(state, OPENING); // reminder 1 pending for 10:00
    expect(nextWakeAt({ ...state, status }, OPENING)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// The "never" guarantees on random lives of a case

type Command =
  | { kind: 'wait'; minutes: number }
  | { kind: 'wake' }
  | { kind: 'pay'; percentOfBalance: number; reference: string; daysAgo: number }
  | { kind: 'promise'; percentOfBalance: number; inDays: number; channel: 'phone' | 'email' }
  | { kind: 'reply' }
  | { kind: 'call'; outcome: (typeof CALL_OUTCOMES)[number]; onOpenTask: boolean; callbackInMinutes: number }
  | { kind: 'dispute' }
  | { kind: 'resolve'; outcome: (typeof DISPUTE_OUTCOMES)[number]; percentOfPrincipal: number }
  | { kind: 'plan'; installments: number }
  | { kind: 'pause'; forDays: number | null }
  | { kind: 'resume' }
  | { kind: 'cancel' };

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('wait'), minutes: fc.integer({ min: 1, max: 14 * 24 * 60 }) }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('wake') }), weight: 8 },
  {
    arbitrary: fc.record({
      kind: fc.constant('pay'),
      percentOfBalance: fc.integer({ min: 1, max: 110 }),
      reference: fc.constantFrom('VIR-1', 'VIR-2', 'CHQ-3'),
      daysAgo: fc.integer({ min: 0, max: 3 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('promise'),
      percentOfBalance: fc.integer({ min: 1, max: 100 }),
      inDays: fc.integer({ min: 0, max: 20 }),
      channel: fc.constantFrom('phone', 'email'),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('reply') }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('call'),
      outcome: fc.constantFrom(...CALL_OUTCOMES),
      onOpenTask: fc.boolean(),
      callbackInMinutes: fc.integer({ min: 1, max: 3 * 24 * 60 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('dispute') }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('resolve'),
      outcome: fc.constantFrom(...DISPUTE_OUTCOMES),
      percentOfPrincipal: fc.integer({ min: 1, max: 100 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('plan'), installments: fc.integer({ min: 1, max: 4 }) }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('pause'), forDays: fc.option(fc.integer({ min: 1, max: 30 })) }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('resume') }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cancel') }), weight: 1 },
);

const caseArbitrary = fc.record({
  policyId: fc.constantFrom(...SHIPPED_POLICIES.map((policy) => policy.id)),
  debtorKind: fc.constantFrom<DebtorKind>('business', 'consumer'),
  amountCents: fc.integer({ min: 100, max: 1_000_000 }),
  // Up to ~2.2 years overdue: consumer claims (2 years) can reach prescription during the case.
  dueDaysBeforeOpening: fc.integer({ min: 0, max: 800 }),
  // Any minute of the opening week, so openings on nights and weekends are covered.
  openingMinute: fc.integer({ min: 0, max: 7 * 24 * 60 - 1 }),
  // What the provider answers, used in turn; a formal notice that is not delivered pauses the case.
  sendResults: fc.array(
    fc.constantFrom('simulated', 'simulated', 'simulated', 'sent', 'blocked', 'failed', 'bounced'),
    {
      minLength: 1,
      maxLength: 8,
    },
  ),
  commands: fc.array(commandArbitrary, { minLength: 1, maxLength: 50 }),
});

/**
 * Whether the automated sequence may contact the debtor at `now`, from what advance is documented
 * to do before any contact: a pause with an end resumes, a reply hold ends, a broken promise puts
 * the case back to active. Otherwise only an active case with no hold runs.
 */
function sequenceMayRun(state: CaseState, now: IsoInstant): boolean {
  let status = state.status;
  if (status === 'paused' && state.pause?.until && Date.parse(state.pause.until) <= Date.parse(now)) {
    status = state.pause.statusBefore;
  }
  const holdRuns = state.holdUntil !== null && Date.parse(state.holdUntil) > Date.parse(now);
  const deadline = promiseDeadline(state);
  if (status === 'promise_to_pay' && deadline !== null && compareDates(todayOf(now), deadline) > 0) status = 'active';
  return status === 'active' && !holdRuns;
}

/** Whether an installment plan's messages may go at `now`: while the case is in plan, with no hold. */
function planMessagesMayGo(state: CaseState, now: IsoInstant): boolean {
  let status = state.status;
  if (status === 'paused' && state.pause?.until && Date.parse(state.pause.until) <= Date.parse(now)) {
    status = state.pause.statusBefore;
  }
  const holdRuns = state.holdUntil !== null && Date.parse(state.holdUntil) > Date.parse(now);
  return status === 'installment_plan' && !holdRuns;
}

function percentOf(cents: number, percent: number): number {
  return Math.max(1, Math.round((cents * percent) / 100));
}

describe('the "never" guarantees hold on random lives of a case', () => {
  test('balance, terminal cases, holds, contact hours and caps', () => {
    fc.assert(
      fc.property(caseArbitrary, (life) => {
        const openedAt = DateTime.fromISO('2027-02-01T00:00', { zone: 'Europe/Paris' })
          .plus({ minutes: life.openingMinute })
          .toUTC()
          .toISO()!;
        const input = caseInput(
          { policyId: life.policyId, debtorKind: life.debtorKind, openedAt },
          addDays(todayOf(openedAt), -life.dueDaysBeforeOpening),
        );
        input.invoices[0]!.amountCents = life.amountCents;
        const state = initialCaseState(input);

        // The model: what has been paid and agreed, and every contact made, independent of the state.
        const paidByReference = new Map<string, number>();
        let principal = life.amountCents;
        const made: ContactRecord[] = [];
        let sends = 0;
        let now = openedAt;

        const checkBalance = () => {
          const paid = [...paidByReference.values()].reduce((sum, cents) => sum + cents, 0);
          const principalLeft = Math.max(0, principal - paid);
          // Accessories (business, claimed) come on top of the principal left, never instead of it (R3).
          if (claimsLateCharges(state)) expect(balanceCents(state, now)).toBeGreaterThanOrEqual(principalLeft);
          else expect(balanceCents(state, now)).toBe(principalLeft);
        };

        /** The case wakes at `now`: every contact it decides must be allowed, then it is sent. */
        const wake = () => {
          const terminalBefore = isTerminal(state.status) ? state.status : null;
          const mayRun = sequenceMayRun(state, now);
          const planMayGo = planMessagesMayGo(state, now);
          const effects = advance(state, now);
          const contacts = contactsOf(effects);
          if (terminalBefore) {
            expect(effects).toEqual([]);
            expect(state.status).toBe(terminalBefore);
          }
          if (!mayRun) expect(contacts.filter((contact) => !contact.plan)).toEqual([]);
          if (!planMayGo) expect(contacts.filter((contact) => contact.plan)).toEqual([]);
          // Closed channels as the rules knew them when deciding: a bounce reported later in this
          // batch could not be foreseen.
          const restrictions = { optedOut: [...state.optedOut], writtenOnly: state.writtenOnly };
          for (const contact of contacts) {
            const at = new Date(now);
            const check = isContactAllowed(contact.channel as Channel, at, made, restrictions);
            expect({ contact: `${contact.stage}/${contact.channel}`, at: now, check }).toEqual({
              contact: `${contact.stage}/${contact.channel}`,
              at: now,
              check: { allowed: true },
            });
            made.push({ at, channel: contact.channel as Channel });
            const status = life.sendResults[sends++ % life.sendResults.length]!;
            recordContactResult(
              state,
              contact,
              status === 'bounced' ? { status: 'failed', closeChannel: true } : { status },
              now,
            );
          }
        };

        /** A person acts: refused actions change nothing, accepted ones never contact anyone by themselves. */
        const act = (validate: () => void, apply: () => CaseEffect[], onApplied: () => void = () => undefined) => {
          const terminalBefore = isTerminal(state.status) ? state.status : null;
          const before = JSON.stringify(state);
          try {
            validate();
          } catch (err) {
            if (!(err instanceof CaseRuleViolation)) throw err;
            expect(JSON.stringify(state)).toBe(before);
            return;
          }
          expect(terminalBefore).toBeNull(); // every action is refused on a closed case
          expect(contactsOf(apply())).toEqual([]);
          onApplied();
        };

        wake();
        for (const command of life.commands) {
          const today = todayOf(now);
          switch (command.kind) {
            case 'wait':
              now = new Date(Date.parse(now) + command.minutes * 60_000).toISOString();
              wake();
              break;
            case 'wake': {
              const at = nextWakeAt(state, now);
              if (at !== null) now = new Date(Math.max(Date.parse(at), Date.parse(now))).toISOString();
              wake();
              break;
            }
            case 'pay': {
              const input = {
                amountCents: percentOf(balanceCents(state, now), command.percentOfBalance),
                paidAt: addDays(today, -command.daysAgo),
                reference: command.reference,
              };
              act(
                () => validatePayment(state, input, now),
                () => applyPayment(state, input, now, manager),
                () => {
                  if (!paidByReference.has(input.reference)) paidByReference.set(input.reference, input.amountCents);
                },
              );
              break;
            }
            case 'promise': {
              const input = {
                amountCents: percentOf(balanceCents(state, now), command.percentOfBalance),
                promisedDate: addDays(today, command.inDays),
                channel: command.channel,
              };
              act(
                () => validatePromise(state, input, now),
                () => applyPromise(state, input, now, manager),
              );
              break;
            }
            case 'reply': {
              const input = { channel: 'email' as const, message: 'sealed:reply' };
              act(
                () => validateReply(state, input),
                () => applyReply(state, input, now, manager),
              );
              break;
            }
            case 'call': {
              const task = state.callTasks.find((candidate) => candidate.status === 'open');
              const input = {
                agentId: 'agent-1',
                outcome: command.outcome,
                ...(command.onOpenTask && task ? { taskId: task.id } : {}),
                ...(command.outcome === 'callback_requested'
                  ? { callbackAt: new Date(Date.parse(now) + command.callbackInMinutes * 60_000).toISOString() }
                  : {}),
              };
              act(
                () => validateCallOutcome(state, input, now),
                () => applyCallOutcome(state, input, now),
                () => made.push({ at: new Date(now), channel: 'call' }),
              );
              break;
            }
            case 'dispute':
              act(
                () => validateDispute(state, { reason: 'sealed:dispute' }),
                () => applyDispute(state, { reason: 'sealed:dispute' }, now, manager),
              );
              break;
            case 'resolve': {
              const input: DisputeResolutionInput =
                command.outcome === 'adjusted'
                  ? { outcome: command.outcome, adjustedAmountCents: percentOf(principal, command.percentOfPrincipal) }
                  : { outcome: command.outcome };
              act(
                () => validateDisputeResolution(state, input),
                () => applyDisputeResolution(state, input, now, manager),
                () => {
                  if (input.adjustedAmountCents !== undefined) principal = input.adjustedAmountCents;
                },
              );
              break;
            }
            case 'plan': {
              const balance = amountsDue(state, now)[
                policyOf(state).accessories === 'waived_when_principal_paid' ? 'principalCents' : 'balanceCents'
              ];
              const share = Math.floor(balance / command.installments);
              const input = {
                installments: Array.from({ length: command.installments }, (_, index) => ({
                  dueDate: addDays(today, 30 * (index + 1)),
                  amountCents: index === 0 ? balance - share * (command.installments - 1) : share,
                })),
              };
              act(
                () => validateInstallmentPlan(state, input, now),
                () => applyInstallmentPlan(state, input, now, manager),
              );
              break;
            }
            case 'pause': {
              const input = {
                reason: 'sealed:pause',
                ...(command.forDays === null
                  ? {}
                  : { until: new Date(Date.parse(now) + command.forDays * 86_400_000).toISOString() }),
              };
              act(
                () => validatePause(state, input, now),
                () => applyPause(state, input, now, manager),
              );
              break;
            }
            case 'resume':
              act(
                () => validateResume(state),
                () => applyResume(state, now, manager),
              );
              break;
            case 'cancel':
              act(
                () => validateCancel(state, { reason: 'sealed:cancel' }),
                () => applyCancel(state, { reason: 'sealed:cancel' }, now, manager),
              );
              break;
          }
          checkBalance();
        }
      }),
      { numRuns: 100 },
    );
  });
});
