/**
 * Prescription while a case runs (R1, R5), per invoice. The day an invoice becomes time-barred it
 * leaves automated collection: no message demands it or names it in a threat; it stays on the
 * statement as « prescrite — paiement volontaire possible ». The other invoices go on. When nothing
 * collectable is left, or when a mise en demeure could not name court action because an invoice
 * would be barred before its deadline, the case goes to review: `paused` with a manager alert
 * `prescription` (domain.md: "automated collection stops and the case goes to review"; a person
 * decides — act in court before the bar, accept a voluntary payment, or cancel). Not
 * `unrecoverable`: that closes the case, and a barred debt may still be paid (a natural obligation,
 * Code civil 1302 al. 2), which a closed case could no longer record.
 *
 * Pure: `now` is an argument. Only cases following RULES_VERSIONS.complianceReview get here.
 */
import { addDays, compareDates } from '../dates';
import { formatCalendarDate } from '../french-text';
import { alertDate, barredInvoiceNumbers, enforceableOn, type ClaimPrescription } from '../prescription';
import type { Invoice } from '../types';
import type { CaseEffect } from './effects';
import { balanceCents, dossierStatement, policyOf, prescriptionOf, stepAt, todayOf } from './state';
import { followsRules, RULES_VERSIONS } from './rules-version';
import type { CalendarDate, CaseState, IsoInstant } from './types';

/** Invoices barred as of `now`: out of automated collection. */
export function barredInvoices(state: CaseState, now: IsoInstant): Invoice[] {
  const barred = barredInvoiceNumbers(prescriptionOf(state, now));
  return state.input.invoices.filter((invoice) => barred.includes(invoice.number));
}

/** Invoices still collected as of `now`: the only ones a message may demand, a letter name, a dossier hand off. */
export function collectableInvoices(state: CaseState, now: IsoInstant): Invoice[] {
  const barred = barredInvoiceNumbers(prescriptionOf(state, now));
  return state.input.invoices.filter((invoice) => !barred.includes(invoice.number));
}

/** The collectable invoices something is still owed on: what a demand names. */
export function outstandingCollectable(state: CaseState, now: IsoInstant): string[] {
  const collectable = collectableInvoices(state, now).map((invoice) => invoice.number);
  return dossierStatement(state, now)
    .invoices.filter((line) => collectable.includes(line.number) && line.balanceCents > 0)
    .map((line) => line.number);
}

/** What is still owed on the barred invoices, by the statement's allocation: shown, never demanded. */
export interface BarredShare {
  invoices: { number: string; outstandingCents: number }[];
  principalCents: number;
  /** Penalties and indemnities of the barred invoices still outstanding (accessories follow their principal). */
  chargesCents: number;
  penaltyCents: number;
  indemnityCents: number;
}

export function barredShare(state: CaseState, now: IsoInstant): BarredShare {
  const barred = barredInvoiceNumbers(prescriptionOf(state, now));
  const none: BarredShare = { invoices: [], principalCents: 0, chargesCents: 0, penaltyCents: 0, indemnityCents: 0 };
  if (barred.length === 0) return none;
  const lines = dossierStatement(state, now).invoices.filter((line) => barred.includes(line.number));
  return lines.reduce<BarredShare>(
    (share, line) => ({
      invoices: [...share.invoices, { number: line.number, outstandingCents: line.balanceCents }],
      principalCents: share.principalCents + line.outstandingPrincipalCents,
      chargesCents: share.chargesCents + Math.max(0, line.balanceCents - line.outstandingPrincipalCents),
      penaltyCents: share.penaltyCents + line.penaltyDueCents,
      indemnityCents: share.indemnityCents + line.indemnityDueCents,
    }),
    none,
  );
}

/** What is still pursued: the case's balance less what remains on barred invoices (principal and accessories). */
export function collectableBalanceCents(state: CaseState, now: IsoInstant): number {
  const barred = barredShare(state, now);
  return Math.max(0, balanceCents(state, now) - barred.principalCents - barred.chargesCents);
}

/** R5: the deadline runs from receipt; receipt is assumed a few days after posting. */
export function formalNoticeDeadlineFor(state: CaseState, postedOn: CalendarDate): CalendarDate {
  const { assumedDeliveryDays, deadlineDays } = policyOf(state).formalNotice;
  return addDays(postedOn, assumedDeliveryDays + deadlineDays);
}

/**
 * R1, R5: a mise en demeure posted on `postedOn` may name court action only if every invoice it
 * names (the collectable ones that day) is still enforceable at its deadline.
 */
export function formalNoticeMayNameCourtAction(state: CaseState, postedOn: CalendarDate): boolean {
  const on = `${postedOn}T12:00:00.000Z`;
  const prescription = prescriptionOf(state, on);
  const named = outstandingCollectable(state, on);
  return named.length > 0 && enforceableOn(prescription, named, formalNoticeDeadlineFor(state, postedOn));
}

/** Why a mise en demeure posted on `postedOn` could not name court action, in French; null if it can. */
export function formalNoticeObstacle(state: CaseState, postedOn: CalendarDate): string | null {
  if (formalNoticeMayNameCourtAction(state, postedOn)) return null;
  const on = `${postedOn}T12:00:00.000Z`;
  const prescription = prescriptionOf(state, on);
  const deadline = formalNoticeDeadlineFor(state, postedOn);
  const named = outstandingCollectable(state, on);
  const failing = prescription.invoices.filter(
    (invoice) =>
      named.includes(invoice.invoiceNumber) && !enforceableOn(prescription, [invoice.invoiceNumber], deadline),
  );
  const which = failing
    .map(
      (invoice) => `${invoice.invoiceNumber} (prescrite après le ${formatCalendarDate(invoice.lastEnforceableDay!)})`,
    )
    .join(', ');
  return (
    `Mise en demeure non envoyée : ${failing.length > 1 ? 'les factures' : 'la facture'} ${which || 'concernée'} ` +
    `ne serai${failing.length > 1 ? 'en' : ''}t plus exigible${failing.length > 1 ? 's' : ''} en justice au terme du délai de paiement ` +
    `(${formatCalendarDate(deadline)})`
  );
}

/**
 * Whether a final reminder sent now may announce a mise en demeure (R4: nothing announces a step
 * that will not come). It comes only if the policy's next step is one and, posted on the day it is
 * due, it could name court action; otherwise the case goes to review at that step instead.
 */
export function formalNoticeWillFollow(state: CaseState, now: IsoInstant): boolean {
  const next = stepAt(state);
  if (next?.stage !== 'formal_notice') return false;
  const postedOn = state.nextStepOn === null ? todayOf(now) : state.nextStepOn;
  const earliest = compareDates(postedOn, todayOf(now)) < 0 ? todayOf(now) : postedOn;
  return formalNoticeMayNameCourtAction(state, earliest);
}

const REVIEW_STATUSES: readonly string[] = ['active', 'promise_to_pay'];

function systemNote(state: CaseState, now: IsoInstant, label: string, type: string, summary: string): CaseEffect {
  state.lastEvent = { label, at: now };
  return { kind: 'journal', note: { channel: 'system', type, summary, actor: { role: 'system' } } };
}

/** Automated collection stops; a person reviews the case. Resuming it runs the same check again. */
export function pauseForPrescriptionReview(state: CaseState, now: IsoInstant, why: string): CaseEffect[] {
  const statusBefore = state.status === 'promise_to_pay' ? 'promise_to_pay' : 'active';
  state.pending = state.pending.filter((contact) => contact.plan);
  state.pause = { since: now, statusBefore };
  state.status = 'paused';
  const message = `${why} : recouvrement automatisé arrêté, dossier suspendu pour examen (R1)`;
  return [
    systemNote(state, now, 'Examen : prescription', 'case_paused', message),
    { kind: 'alert', alert: 'prescription', message },
  ];
}

function barredText(prescription: ClaimPrescription, number: string): string {
  const invoice = prescription.invoices.find((candidate) => candidate.invoiceNumber === number);
  const lastDay = invoice?.lastEnforceableDay;
  const since = lastDay ? ` depuis le ${formatCalendarDate(addDays(lastDay, 1))}` : '';
  return (
    `Facture ${number} prescrite${since} (${prescription.period.article}) : sortie du recouvrement automatisé, ` +
    'plus aucune relance ni menace à son sujet ; un paiement volontaire reste possible'
  );
}

/**
 * The day invoices become barred: each is journaled once, with a manager alert; if nothing
 * collectable is left while the sequence runs, the case goes to review.
 */
export function applyPrescriptionToday(state: CaseState, now: IsoInstant): CaseEffect[] {
  const prescription = prescriptionOf(state, now);
  const noted = state.barredInvoicesNoted ?? [];
  const newlyBarred = barredInvoiceNumbers(prescription).filter((number) => !noted.includes(number));
  const effects: CaseEffect[] = [];
  if (newlyBarred.length > 0) {
    state.barredInvoicesNoted = [...noted, ...newlyBarred];
    for (const number of newlyBarred) {
      const text = barredText(prescription, number);
      effects.push(systemNote(state, now, 'Facture prescrite', 'invoice_prescribed', text), {
        kind: 'alert',
        alert: 'prescription',
        message: text,
      });
    }
  }
  if (
    REVIEW_STATUSES.includes(state.status) &&
    balanceCents(state, now) > 0 &&
    collectableBalanceCents(state, now) === 0
  ) {
    effects.push(
      ...pauseForPrescriptionReview(
        state,
        now,
        prescription.allPrescribed
          ? 'Créance entièrement prescrite'
          : 'Reste dû uniquement sur des factures prescrites',
      ),
    );
  }
  return effects;
}

/** What a sequence message may say about prescription, decided here so templates cannot get it wrong. */
export interface MessageFacts {
  /** No court action, commissaire de justice, seizure or judicial costs may be named (R1, R4). */
  timeBarred: boolean;
  /** The invoices the message demands: the collectable ones still owed (all of them under the original rules). */
  invoiceNumbers: string[];
  /** Barred invoices still owed: shown as « prescrite — paiement volontaire possible », never demanded. */
  barredInvoices: { number: string; outstandingCents: number }[];
  /** Final reminder only: whether it may announce the mise en demeure (R4). */
  formalNoticeFollows?: boolean;
}

export function messageFacts(state: CaseState, now: IsoInstant, stage: string): MessageFacts {
  const prescription = prescriptionOf(state, now);
  const finalReminder = stage === 'final_reminder' ? { formalNoticeFollows: formalNoticeWillFollow(state, now) } : {};
  if (!followsRules(state, RULES_VERSIONS.complianceReview)) {
    // The original rules sent nothing after a bar but non-threatening reminders, naming every invoice.
    return {
      timeBarred: prescription.prescribed,
      invoiceNumbers: state.input.invoices.map((invoice) => invoice.number),
      barredInvoices: [],
      ...finalReminder,
    };
  }
  const today = todayOf(now);
  const timeBarred =
    stage === 'formal_notice' ? !formalNoticeMayNameCourtAction(state, today) : prescription.prescribed;
  const named = outstandingCollectable(state, now);
  return {
    // Any barred invoice on the statement keeps every legal threat out of the message, as before.
    timeBarred,
    invoiceNumbers: named.length > 0 ? named : collectableInvoices(state, now).map((invoice) => invoice.number),
    barredInvoices: barredShare(state, now).invoices.filter((invoice) => invoice.outstandingCents > 0),
    ...finalReminder,
  };
}

/** The amounts a sequence message demands: the statement's, less what remains on barred invoices. */
export function demandedAmounts<
  T extends { principalCents: number; interestCents: number; accessoriesCents: number; totalCents: number },
>(state: CaseState, now: IsoInstant, amounts: T): T {
  if (!followsRules(state, RULES_VERSIONS.complianceReview)) return amounts;
  const barred = barredShare(state, now);
  if (barred.invoices.length === 0) return amounts;
  const principalCents = Math.max(0, amounts.principalCents - barred.principalCents);
  const interestCents = Math.max(0, amounts.interestCents - barred.penaltyCents);
  const accessoriesCents = Math.max(0, amounts.accessoriesCents - barred.indemnityCents);
  return {
    ...amounts,
    principalCents,
    interestCents,
    accessoriesCents,
    totalCents: principalCents + interestCents + accessoriesCents,
  };
}

/**
 * [default] R1: from when someone must be alerted about the next bar. Per invoice, an invoice
 * already barred no longer silences the alert for the others (the original rules stopped alerting
 * once any invoice was barred).
 */
export function prescriptionAlertFrom(state: CaseState, now: IsoInstant): CalendarDate | null {
  const prescription = prescriptionOf(state, now);
  if (!followsRules(state, RULES_VERSIONS.complianceReview)) return prescription.alertFrom;
  return prescription.date !== null && !prescription.allPrescribed ? alertDate(prescription.date) : null;
}
