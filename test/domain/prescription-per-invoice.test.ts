/**
 * R1 per invoice and R5 (docs/domain.md), as pure rules: the day an invoice becomes time-barred it
 * leaves automated collection, the others go on; with nothing collectable left the case goes to
 * review; a mise en demeure names court action only if every invoice it names is enforceable at
 * its deadline, otherwise none is sent and the case goes to review; a final reminder announces a
 * mise en demeure only if one will come. Dates are worked out by hand from the gentle policy
 * (reminder 1 on opening, reminder 2 +14 days, final reminder +28, mise en demeure +43 with
 * 3 days of delivery and 15 to pay, handoff +68).
 */
import { DateTime } from 'luxon';
import type { CaseEffect } from '../../domain/case/effects';
import {
  applyPrescriptionToday,
  barredShare,
  collectableBalanceCents,
  collectableInvoices,
  demandedAmounts,
  formalNoticeMayNameCourtAction,
  formalNoticeObstacle,
  formalNoticeWillFollow,
  messageFacts,
} from '../../domain/case/prescription-review';
import { advance, nextWakeAt, recordContactResult } from '../../domain/case/progress';
import { RULES_VERSIONS } from '../../domain/case/rules-version';
import { initialCaseState } from '../../domain/case/state';
import type { CaseInput, CaseState, IsoInstant } from '../../domain/case/types';
import { barredInvoiceNumbers, claimPrescription, enforceableOn, nextBarDay } from '../../domain/prescription';
import type { Invoice } from '../../domain/types';

/** Monday 1 February 2027, 09:00 Paris: no public holiday in the weeks that follow. */
const OPENED = DateTime.fromISO('2027-02-01T09:00', { zone: 'Europe/Paris' });
const day = (days: number): string => OPENED.plus({ days }).toISODate()!;
const instant = (days: number, time = '00:00'): IsoInstant => {
  const [hour, minute] = time.split(':').map(Number);
  return OPENED.plus({ days }).set({ hour, minute }).toUTC().toISO()!;
};

/** A consumer invoice (2 years, L218-2) whose last enforceable day is `lastDay` days after opening. */
function barredAfter(number: string, lastDay: number, amountCents = 100_000): Invoice {
  const due = OPENED.plus({ days: lastDay }).minus({ years: 2 });
  return { number, issueDate: due.minus({ days: 30 }).toISODate()!, dueDate: due.toISODate()!, amountCents };
}

function consumerCase(invoices: Invoice[], overrides: Partial<CaseInput> = {}): CaseState {
  return initialCaseState({
    caseId: 'c_unit',
    reference: 'R-1',
    creditorId: 'acme',
    debtorKind: 'consumer',
    policyId: 'gentle',
    currency: 'EUR',
    invoices,
    openedAt: OPENED.toUTC().toISO()!,
    ...overrides,
  });
}

/** Lets time pass as the workflow would: wake, advance, report every letter as posted. */
function runUntil(state: CaseState, until: IsoInstant): { at: IsoInstant; effect: CaseEffect }[] {
  const seen: { at: IsoInstant; effect: CaseEffect }[] = [];
  let now = state.input.openedAt;
  for (let step = 0; step < 500; step += 1) {
    for (const effect of advance(state, now)) {
      seen.push({ at: now, effect });
      if (effect.kind === 'contact') recordContactResult(state, effect.contact, { status: 'simulated' }, now);
    }
    const wake = nextWakeAt(state, now);
    if (wake === null || Date.parse(wake) > Date.parse(until)) return seen;
    if (Date.parse(wake) <= Date.parse(now)) throw new Error(`no progress at ${now}`);
    now = wake;
  }
  throw new Error('too many wakes');
}

const paris = (at: IsoInstant) => DateTime.fromISO(at, { zone: 'Europe/Paris' }).toFormat('yyyy-MM-dd HH:mm');
// Letters leave on the day within office hours (domain/calendar.ts): only their day is asserted.
const parisDay = (at: IsoInstant) => DateTime.fromISO(at, { zone: 'Europe/Paris' }).toISODate()!;
const sent = (seen: { at: IsoInstant; effect: CaseEffect }[]) =>
  seen.flatMap(({ at, effect }) =>
    effect.kind === 'contact' ? [`${effect.contact.stage}/${effect.contact.channel} ${parisDay(at)}`] : [],
  );
const journal = (seen: { at: IsoInstant; effect: CaseEffect }[]) =>
  seen.flatMap(({ at, effect }) => (effect.kind === 'journal' ? [`${effect.note.type} ${paris(at)}`] : []));
const alerts = (seen: { at: IsoInstant; effect: CaseEffect }[]) =>
  seen.flatMap(({ effect }) => (effect.kind === 'alert' ? [effect.alert] : []));

// ---------------------------------------------------------------------------------------------

describe('domain/prescription: per-invoice helpers', () => {
  const claim = (invoices: Invoice[]) =>
    claimPrescription({ nature: 'n', basis: 'b', currency: 'EUR', invoices }, 'consumer', [], day(0));

  test('barredInvoiceNumbers names only the barred invoices', () => {
    expect(barredInvoiceNumbers(claim([barredAfter('OLD', -1), barredAfter('NEW', 300)]))).toEqual(['OLD']);
    expect(barredInvoiceNumbers(claim([barredAfter('A', 0), barredAfter('B', 300)]))).toEqual([]);
  });

  test('enforceableOn: every named invoice up to and including its last day, never an unknown one', () => {
    const prescription = claim([barredAfter('A', 20), barredAfter('B', 300)]);
    expect(enforceableOn(prescription, ['A', 'B'], day(20))).toBe(true);
    expect(enforceableOn(prescription, ['A', 'B'], day(21))).toBe(false);
    expect(enforceableOn(prescription, ['B'], day(21))).toBe(true);
    expect(enforceableOn(prescription, ['NOPE'], day(0))).toBe(false);
    expect(enforceableOn(prescription, [], day(0))).toBe(true);
    expect(() => enforceableOn(prescription, ['A'], '2027-13-01')).toThrow(RangeError);
  });

  test('enforceableOn: a mediation still running with its long stop lifted keeps the invoice enforceable', () => {
    const invoice = barredAfter('A', 20);
    const prescription = claimPrescription(
      { nature: 'n', basis: 'b', currency: 'EUR', invoices: [invoice] },
      'consumer',
      [
        { type: 'court_action', date: day(-10) },
        { type: 'suspension', from: day(-5) },
      ],
      day(0),
    );
    expect(prescription.invoices[0]!.lastEnforceableDay).toBeNull();
    expect(enforceableOn(prescription, ['A'], day(5000))).toBe(true);
  });

  test('nextBarDay is the day after the earliest last day among live invoices', () => {
    expect(nextBarDay(claim([barredAfter('OLD', -1), barredAfter('A', 40), barredAfter('B', 20)]))).toBe(day(21));
    expect(nextBarDay(claim([barredAfter('OLD', -1)]))).toBeNull();
  });
});

describe('R1: the day an invoice is barred (rules of the compliance review)', () => {
  test('a lone invoice barred mid-sequence: the case wakes that day, journals it and goes to review', () => {
    const state = consumerCase([barredAfter('F-1', 10)]);
    const seen = runUntil(state, instant(80));

    expect(sent(seen)).toEqual(['reminder_1/email 2027-02-01']);
    expect(journal(seen)).toEqual([
      'prescription_alert 2027-02-01 09:00',
      // Opened at 09:00: the first e-mail waits for 10:00.
      'message_deferred 2027-02-01 09:00',
      'invoice_prescribed 2027-02-12 00:00',
      'case_paused 2027-02-12 00:00',
    ]);
    expect(alerts(seen)).toEqual(['prescription', 'prescription', 'prescription']);
    expect(state.status).toBe('paused');
    expect(state.pending).toEqual([]);
    expect(nextWakeAt(state, instant(11))).toBeNull();
  });

  test('journaled once: advancing again the same day or later adds nothing', () => {
    const state = consumerCase([barredAfter('F-1', 10)]);
    runUntil(state, instant(11));
    expect(applyPrescriptionToday(state, instant(11, '12:00'))).toEqual([]);
    expect(advance(state, instant(30))).toEqual([]);
  });

  test('resumed by a person with nothing collectable: the case goes back to review at once', () => {
    const state = consumerCase([barredAfter('F-1', 10)]);
    runUntil(state, instant(11));
    state.status = 'active';
    state.pause = null;
    const effects = advance(state, instant(12, '10:00'));
    expect(effects.filter((effect) => effect.kind === 'contact')).toEqual([]);
    expect(state.status).toBe('paused');
  });

  test('two invoices, the older barred: it leaves collection, the newer goes on to the mise en demeure', () => {
    const state = consumerCase([barredAfter('OLD', 10, 30_000), barredAfter('NEW', 700, 50_000)]);
    const seen = runUntil(state, instant(80));

    expect(sent(seen)).toEqual([
      'reminder_1/email 2027-02-01',
      'reminder_2/email 2027-02-15',
      'reminder_2/sms 2027-02-15',
      'final_reminder/letter 2027-03-01',
      'formal_notice/letter 2027-03-16',
    ]);
    expect(journal(seen)).toContain('invoice_prescribed 2027-02-12 00:00');
    expect(journal(seen)).not.toContain('case_paused 2027-02-12 00:00');
    expect(state.status).toBe('handed_off');

    const now = instant(14, '10:00');
    expect(collectableInvoices(state, now).map((invoice) => invoice.number)).toEqual(['NEW']);
    expect(barredShare(state, now)).toMatchObject({ invoices: [{ number: 'OLD', outstandingCents: 30_000 }] });
    expect(collectableBalanceCents(state, now)).toBe(50_000);
  });

  test('a business claim barred whole goes to review: the penalties and the €40 of a barred invoice are not collectable either', () => {
    // Commercial (5 years, L110-4): due five years before day 10, so barred from day 11.
    const due = OPENED.plus({ days: 10 }).minus({ years: 5 });
    const invoice = {
      number: 'B-1',
      issueDate: due.minus({ days: 30 }).toISODate()!,
      dueDate: due.toISODate()!,
      amountCents: 100_000,
    };
    const state = consumerCase([invoice], { debtorKind: 'business', policyId: 'firm' });
    const now = instant(12, '10:00');
    const share = barredShare(state, now);
    expect(share.chargesCents).toBeGreaterThan(4_000);
    expect(collectableBalanceCents(state, now)).toBe(0);
    const seen = runUntil(state, instant(12));
    expect(journal(seen)).toContain('case_paused 2027-02-12 00:00');
    expect(state.status).toBe('paused');
  });

  test('a barred invoice does not silence the 90-day alert of the next one', () => {
    // OLD barred from day 11; NEW enforceable until day 120: its alert is due from day 30.
    const state = consumerCase([barredAfter('OLD', 10, 30_000), barredAfter('NEW', 120, 50_000)]);
    const seen = runUntil(state, instant(35));
    expect(journal(seen).filter((line) => line.startsWith('prescription_alert'))).toEqual([
      'prescription_alert 2027-02-01 09:00',
      'prescription_alert 2027-03-03 00:00',
    ]);
    // The original rules stopped alerting once any invoice was barred.
    const original = consumerCase([barredAfter('OLD', 10, 30_000), barredAfter('NEW', 120, 50_000)]);
    original.rulesVersion = RULES_VERSIONS.original;
    expect(journal(runUntil(original, instant(35))).filter((line) => line.startsWith('prescription_alert'))).toEqual([
      'prescription_alert 2027-02-01 09:00',
    ]);
  });

  test('what a message of a partly barred case demands and shows', () => {
    const state = consumerCase([barredAfter('OLD', 10, 30_000), barredAfter('NEW', 700, 50_000)]);
    runUntil(state, instant(11));
    const now = instant(14, '10:00');
    expect(messageFacts(state, now, 'reminder_2')).toEqual({
      timeBarred: true,
      invoiceNumbers: ['NEW'],
      barredInvoices: [{ number: 'OLD', outstandingCents: 30_000 }],
    });
    const amounts = { principalCents: 80_000, interestCents: 0, accessoriesCents: 0, totalCents: 80_000 };
    expect(demandedAmounts(state, now, amounts)).toEqual({
      principalCents: 50_000,
      interestCents: 0,
      accessoriesCents: 0,
      totalCents: 50_000,
    });
    // Before the bar nothing is taken out.
    const before = consumerCase([barredAfter('OLD', 10, 30_000), barredAfter('NEW', 700, 50_000)]);
    expect(demandedAmounts(before, instant(1), amounts)).toEqual(amounts);
    expect(messageFacts(before, instant(1), 'reminder_1')).toEqual({
      timeBarred: false,
      invoiceNumbers: ['OLD', 'NEW'],
      barredInvoices: [],
    });
  });

  test('a paid barred invoice no longer counts: a case left with nothing collectable but paid is not reviewed', () => {
    const state = consumerCase([barredAfter('F-1', 10, 30_000)]);
    state.payments.push({ reference: 'P', amountCents: 30_000, paidAt: day(3) });
    expect(applyPrescriptionToday(state, instant(11)).filter((effect) => effect.kind === 'journal')).toHaveLength(
      // The barred invoice is journaled (it still is a fact of the file); no review of a case owing nothing.
      1,
    );
    expect(state.status).toBe('active');
  });
});

describe('R1, R5: a mise en demeure whose deadline would outlive an invoice', () => {
  // Gentle: mise en demeure 43 days after opening, deadline 3 + 15 days after posting: day 61.
  test.each([
    { lastDay: 61, mayNameCourtAction: true },
    { lastDay: 60, mayNameCourtAction: false },
    { lastDay: 44, mayNameCourtAction: false },
  ])('last enforceable day +$lastDay → court action $mayNameCourtAction', ({ lastDay, mayNameCourtAction }) => {
    const state = consumerCase([barredAfter('F-1', lastDay)]);
    expect(formalNoticeMayNameCourtAction(state, day(43))).toBe(mayNameCourtAction);
    expect(formalNoticeObstacle(state, day(43)) === null).toBe(mayNameCourtAction);
  });

  test('the obstacle names the invoice, its bar and the deadline, in French', () => {
    const state = consumerCase([barredAfter('F-1', 50), barredAfter('F-2', 700)]);
    expect(formalNoticeObstacle(state, day(43))).toBe(
      'Mise en demeure non envoyée : la facture F-1 (prescrite après le 23/03/2027) ne serait plus exigible en ' +
        'justice au terme du délai de paiement (03/04/2027)',
    );
  });

  test('none is sent: the final reminder does not announce it, and the case goes to review on its day', () => {
    const state = consumerCase([barredAfter('F-1', 50)]);
    const seen = runUntil(state, instant(40));
    expect(sent(seen).at(-1)).toBe('final_reminder/letter 2027-03-01');
    // Right after the final reminder's step, the next step is the mise en demeure: it will not come.
    expect(formalNoticeWillFollow(state, instant(28))).toBe(false);
    expect(messageFacts(state, instant(28), 'final_reminder').formalNoticeFollows).toBe(false);

    const later = runUntil(state, instant(80));
    expect(sent(later).filter((line) => line.startsWith('formal_notice'))).toEqual([]);
    expect(journal(later)).toContain('case_paused 2027-03-16 00:00');
    expect(state.status).toBe('paused');
    expect(state.stage).toBe('final_reminder');
  });

  test('an invoice enforceable at the deadline: the final reminder announces it and it goes, naming court action', () => {
    const state = consumerCase([barredAfter('F-1', 61)]);
    runUntil(state, instant(28, '12:00'));
    expect(formalNoticeWillFollow(state, instant(28, '12:00'))).toBe(true);
    const seen = runUntil(state, instant(80));
    expect(sent(seen)).toContain('formal_notice/letter 2027-03-16');
    expect(messageFacts(state, instant(43), 'formal_notice').timeBarred).toBe(false);
  });

  test('a deferred letter is checked again the day it leaves', () => {
    const state = consumerCase([barredAfter('F-1', 61)]);
    runUntil(state, instant(42));
    // As if the letter, due on day 43, could only leave a day later (a holiday, a cap).
    const effects = advance(state, instant(44, '10:00'));
    expect(effects.filter((effect) => effect.kind === 'contact')).toEqual([]);
    expect(state.status).toBe('paused');
    expect(state.pending).toEqual([]);
    expect(state.nextStepIndex).toBe(3);
  });
});

describe('cases on the original rules keep their behaviour (replay)', () => {
  test('a lone invoice barred mid-sequence: reminders go on, the case closes unrecoverable at the mise en demeure', () => {
    const state = consumerCase([barredAfter('F-1', 10)]);
    state.rulesVersion = RULES_VERSIONS.original;
    const seen = runUntil(state, instant(80));
    expect(sent(seen)).toEqual([
      'reminder_1/email 2027-02-01',
      'reminder_2/email 2027-02-15',
      'reminder_2/sms 2027-02-15',
      'final_reminder/letter 2027-03-01',
    ]);
    expect(journal(seen)).not.toContain('invoice_prescribed 2027-02-12 00:00');
    expect(state.status).toBe('unrecoverable');
  });
});
