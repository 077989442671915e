/**
 * Issue 13, defects 7 and 9 as pure rules: a plan's message held back (contact cap, hours, pause)
 * is decided again when its slot comes — dropped if the installment was paid meanwhile, its amount
 * recomputed otherwise, and it states that installment, not the whole case; a call task is
 * journaled when created, and as deferred when the 4-calls-in-30-days cap pushed it back (R4, R6).
 */
import { DateTime } from 'luxon';
import type { CaseEffect } from '../../domain/case/effects';
import { installmentMessageAmounts, redecidePlanContact } from '../../domain/case/installment-plan';
import { advance } from '../../domain/case/progress';
import { RULES_VERSIONS } from '../../domain/case/rules-version';
import { initialCaseState } from '../../domain/case/state';
import type { CaseInput, CaseState, IsoInstant, PendingContact } from '../../domain/case/types';

function paris(local: string): IsoInstant {
  return DateTime.fromISO(local, { zone: 'Europe/Paris' }).toUTC().toISO()!;
}

const OPENING = paris('2027-02-01T09:00');

function caseInput(): CaseInput {
  return {
    caseId: 'c_held',
    reference: 'INV-2025-0042',
    creditorId: 'acme',
    debtorKind: 'business',
    policyId: 'standard',
    currency: 'EUR',
    invoices: [{ number: 'F-1', issueDate: '2026-12-30', dueDate: '2027-01-29', amountCents: 185000 }],
    openedAt: OPENING,
  };
}

const REMINDER: PendingContact = {
  stage: 'none',
  channel: 'email',
  notBefore: paris('2027-02-08T10:00'),
  deferredFor: ['automated_cap'],
  plan: { kind: 'installment_reminder', planNumber: 1, index: 0, dueDate: '2027-02-06', amountDueCents: 92500 },
};

/** A case in a running plan of two installments, with the reminder of the first one held back. */
function caseInPlan(rulesVersion: number = RULES_VERSIONS.complianceReview): CaseState {
  const state = initialCaseState(caseInput());
  state.rulesVersion = rulesVersion;
  state.status = 'installment_plan';
  state.nextStepIndex = 1;
  state.plan = {
    agreedAt: paris('2027-02-02T09:00'),
    installments: [
      { dueDate: '2027-02-06', amountCents: 92500 },
      { dueDate: '2027-03-06', amountCents: 92500 },
    ],
    number: 1,
    workflowId: 'plan-c_held-1',
    paidAtAgreementCents: 0,
    outcome: null,
    forwardedPayments: 0,
    toldMode: 'running',
  };
  state.pending = [structuredClone(REMINDER)];
  return state;
}

const pay = (state: CaseState, amountCents: number, reference: string) =>
  state.payments.push({ amountCents, paidAt: '2027-02-04', reference });

const contactsOf = (effects: CaseEffect[]) => effects.flatMap((e) => (e.kind === 'contact' ? [e.contact] : []));
const notesOf = (effects: CaseEffect[]) => effects.flatMap((e) => (e.kind === 'journal' ? [e.note] : []));

describe('a held plan message is decided again when released (defect 7)', () => {
  test('the installment was paid while the reminder waited: not sent, journaled as dropped, no longer pending', () => {
    const state = caseInPlan();
    pay(state, 92500, 'PAY-1');
    const effects = advance(state, REMINDER.notBefore);
    expect(contactsOf(effects)).toEqual([]);
    expect(state.pending).toEqual([]);
    expect(notesOf(effects)).toEqual([
      expect.objectContaining({
        type: 'message_dropped',
        channel: 'email',
        summary: 'Rappel d’échéance n°1 du 06/02/2027 (e-mail) non envoyé : l’échéance a été réglée entre-temps',
      }),
    ]);
  });

  test('partly paid meanwhile: it goes, stating what is still due on that installment now', () => {
    const state = caseInPlan();
    pay(state, 30000, 'PAY-1');
    const [sent] = contactsOf(advance(state, REMINDER.notBefore));
    expect(sent?.plan).toMatchObject({ index: 0, amountDueCents: 62500 });
  });

  test('an over-payment of an earlier installment counts for this one (oldest first)', () => {
    const state = caseInPlan();
    state.pending[0]!.plan = { ...state.pending[0]!.plan!, index: 1, dueDate: '2027-03-06' };
    pay(state, 150000, 'PAY-1');
    const [sent] = contactsOf(advance(state, REMINDER.notBefore));
    expect(sent?.plan).toMatchObject({ index: 1, amountDueCents: 35000 });
  });

  test('a missed notice about an installment paid since is dropped too', () => {
    const state = caseInPlan();
    state.pending[0]!.plan = { ...state.pending[0]!.plan!, kind: 'installment_missed' };
    pay(state, 92500, 'PAY-1');
    const effects = advance(state, REMINDER.notBefore);
    expect(contactsOf(effects)).toEqual([]);
    expect(notesOf(effects)[0]?.summary).toMatch(/^Avis d’échéance impayée n°1 du 06\/02\/2027/);
  });

  test('unpaid: it goes unchanged, still under the contact rules (a second slot inside the cap is deferred again)', () => {
    const state = caseInPlan();
    state.contacts = [
      { at: paris('2027-02-04T10:00'), channel: 'email' },
      { at: paris('2027-02-05T10:00'), channel: 'email' },
    ];
    const effects = advance(state, REMINDER.notBefore);
    expect(contactsOf(effects)).toEqual([]);
    expect(notesOf(effects).map((note) => note.type)).toEqual(['message_deferred']);
    expect(state.pending).toHaveLength(1);
  });

  test('cases on the original rules replay as they ran: the reminder goes', () => {
    const state = caseInPlan(RULES_VERSIONS.original);
    pay(state, 92500, 'PAY-1');
    expect(contactsOf(advance(state, REMINDER.notBefore))).toHaveLength(1);
  });

  test('the confirmation (about no installment) is never dropped', () => {
    const state = caseInPlan();
    const confirmation: PendingContact = {
      ...REMINDER,
      plan: { kind: 'installment_plan_confirmation', planNumber: 1 },
    };
    pay(state, 185000, 'PAY-1');
    expect(redecidePlanContact(state, confirmation)).toBeUndefined();
  });

  test('an installment message demands that installment as due now, not principal + interest + indemnity', () => {
    const state = caseInPlan();
    pay(state, 10000, 'PAY-1');
    expect(installmentMessageAmounts(state, REMINDER.plan!)).toEqual({
      principalCents: 82500,
      interestCents: 0,
      accessoriesCents: 0,
      paidCents: 10000,
      totalCents: 82500,
      currency: 'EUR',
    });
    expect(installmentMessageAmounts(state, { kind: 'installment_plan_confirmation', planNumber: 1 })).toBeUndefined();
    // A message about a plan the case no longer runs states nothing of it.
    expect(installmentMessageAmounts(state, { ...REMINDER.plan!, planNumber: 2 })).toBeUndefined();
  });
});

describe('call tasks in the journal (defect 9)', () => {
  /** A case whose reminder 2 (SMS + call, J+10 = Monday 8 February 2027) is due. */
  function atReminder2(rulesVersion: number = RULES_VERSIONS.complianceReview): CaseState {
    const state = initialCaseState(caseInput());
    state.rulesVersion = rulesVersion;
    state.stage = 'reminder_1';
    state.nextStepIndex = 1;
    state.nextStepOn = '2027-02-08';
    state.lastStepOn = '2027-02-01';
    state.contacts = [{ at: paris('2027-02-01T10:00'), channel: 'email' }];
    return state;
  }

  test('creating a call task is journaled with its Paris due time', () => {
    const state = atReminder2();
    const effects = advance(state, paris('2027-02-08T00:00'));
    expect(effects.filter((e) => e.kind === 'create_call_task')).toHaveLength(1);
    expect(notesOf(effects)).toContainEqual(
      expect.objectContaining({
        type: 'call_task_created',
        channel: 'call',
        summary: 'Appel à passer (relance 2) le 08/02/2027 à 10:00',
      }),
    );
    expect(notesOf(effects).find((note) => note.type === 'call_task_created')?.status).toBeUndefined();
  });

  test('a fifth call in 30 days is journaled as deferred, to the day the cap allows, with the reason', () => {
    const state = atReminder2();
    for (const day of ['02', '03', '04', '05'])
      state.contacts.push({ at: paris(`2027-02-${day}T11:00`), channel: 'call' });
    const effects = advance(state, paris('2027-02-08T00:00'));
    const task = effects.find((e) => e.kind === 'create_call_task');
    expect(task?.kind === 'create_call_task' && task.task.dueAt).toBe(paris('2027-03-04T11:00'));
    expect(notesOf(effects)).toContainEqual(
      expect.objectContaining({
        type: 'call_deferred',
        channel: 'call',
        status: 'deferred',
        summary: 'Appel à passer (relance 2) le 04/03/2027 à 11:00 : reporté (plafond d’appels sur 30 jours)',
      }),
    );
  });

  test('cases on the original rules journal neither (their histories replay)', () => {
    const state = atReminder2(RULES_VERSIONS.original);
    const types = notesOf(advance(state, paris('2027-02-08T00:00'))).map((note) => note.type);
    expect(types).not.toContain('call_task_created');
    expect(types).not.toContain('call_deferred');
  });
});
