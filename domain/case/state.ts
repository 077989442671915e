/**
 * A case's state and what follows from it: amounts, prescription, the next step. Every function
 * takes "now" as an argument.
 */
import { addDays, maxDate, minDate, parisDateOf } from '../dates';
import { DEFAULT_RATE_TABLE, type RateTable } from '../late-charges';
import { sumCents } from '../money';
import { getPolicy, type Policy, type PolicyStep } from '../policies';
import { claimPrescription, type ClaimPrescription } from '../prescription';
import { computeStatement, type Statement } from '../statement';
import type { CalendarDate } from '../types';
import type { PlanOutcome } from '../installments';
import { CURRENT_RULES_VERSION, RULES_VERSIONS, followsRules } from './rules-version';
import { TERMINAL_STATUSES, type CaseInput, type CaseState, type CaseStatus, type IsoInstant } from './types';

export function isTerminal(status: CaseStatus): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** J: the due date the policy counts from — the oldest unpaid invoice's. */
export function caseDueDate(input: CaseInput): CalendarDate {
  return minDate(...input.invoices.map((invoice) => invoice.dueDate));
}

export function initialCaseState(input: CaseInput): CaseState {
  const policy = getPolicy(input.policyId);
  const firstStep = policy.steps[0]!;
  const openedOn = parisDateOf(new Date(input.openedAt));
  return {
    input,
    status: 'active',
    stage: 'none',
    revision: 0,
    nextStepIndex: 0,
    // A case opened late starts at its first step the day it opens, never with a catch-up burst.
    nextStepOn: maxDate(addDays(caseDueDate(input), firstStep.offsetDays), openedOn),
    lastStepOn: null,
    pending: [],
    contacts: [],
    optedOut: [],
    writtenOnly: false,
    payments: [],
    overpaidCents: 0,
    adjustedPrincipalCents: null,
    prescriptionEvents: [...(input.prescriptionEvents ?? [])],
    prescriptionAlertFor: null,
    promise: null,
    dispute: null,
    pause: null,
    holdUntil: null,
    callTasks: [],
    plan: null,
    formalNotice: null,
    closedAt: null,
    lastEvent: null,
    sequence: 0,
    rulesVersion: CURRENT_RULES_VERSION,
  };
}

export function policyOf(state: CaseState): Policy {
  return getPolicy(state.input.policyId);
}

export function stepAt(state: CaseState, index = state.nextStepIndex): PolicyStep | undefined {
  return policyOf(state).steps[index];
}

export function principalCents(state: CaseState): number {
  return state.adjustedPrincipalCents ?? sumCents(state.input.invoices.map((invoice) => invoice.amountCents));
}

export function paidCents(state: CaseState): number {
  return sumCents(state.payments.map((payment) => payment.amountCents));
}

/**
 * What the case pursues today, which is what its messages demand (R3): outstanding principal plus
 * the accessories still due, payments allocated as the Code civil says (domain/statement.ts).
 * Cases on the original rules pursued the principal only: paid minus principal, as they did.
 */
export function balanceCents(state: CaseState, now: IsoInstant): number {
  if (!followsRules(state, RULES_VERSIONS.complianceReview)) {
    return Math.max(0, principalCents(state) - paidCents(state));
  }
  return amountsDue(state, now).balanceCents;
}

/** The amounts of a message and of the API's Case, from one statement (R2: principal, interest, accessories). */
export interface AmountsDue {
  /** Principal not yet paid. */
  principalCents: number;
  /** L441-10 late-payment penalties due (business debtors, when claimed). */
  penaltyCents: number;
  /** D441-5 flat indemnities due (€40 per late invoice). */
  indemnityCents: number;
  /** principal + penalties + indemnities: the amount demanded and pursued. */
  balanceCents: number;
  /** Received beyond everything owed. */
  overpaidCents: number;
  /** Accessories given up once the principal was paid (policy `waived_when_principal_paid`). */
  waivedCents: number;
  /** How many invoices bear the indemnity due (for "40 € par facture"). */
  indemnifiedInvoices: number;
  penaltyRatePercent?: number;
  penaltyRateBasis?: 'contract' | 'ecb_plus_10';
}

export function amountsDue(state: CaseState, now: IsoInstant, rates: RateTable = ratesOf(state)): AmountsDue {
  const { totals, invoices, penaltyRatePercent, penaltyRateBasis } = dossierStatement(state, now, rates);
  return {
    principalCents: totals.outstandingPrincipalCents,
    penaltyCents: totals.penaltyDueCents,
    indemnityCents: totals.indemnityDueCents,
    balanceCents: totals.balanceCents,
    overpaidCents: totals.overpaidCents,
    waivedCents: totals.waivedCents,
    indemnifiedInvoices: invoices.filter((line) => line.indemnityDueCents > 0).length,
    ...(penaltyRatePercent === undefined ? {} : { penaltyRatePercent }),
    ...(penaltyRateBasis === undefined ? {} : { penaltyRateBasis }),
  };
}

export function todayOf(now: IsoInstant | Date): CalendarDate {
  return parisDateOf(typeof now === 'string' ? new Date(now) : now);
}

export function prescriptionOf(state: CaseState, now: IsoInstant): ClaimPrescription {
  const { input } = state;
  return claimPrescription(
    { nature: '', basis: '', currency: input.currency, invoices: input.invoices, type: input.claimType },
    input.debtorKind,
    state.prescriptionEvents,
    todayOf(now),
  );
}

/**
 * Late-payment penalties and €40 indemnities claimed today (business debtors, when the policy
 * claims them). If the rate table does not cover a day, nothing is claimed rather than a guess:
 * an understated claim is harmless, an invented one is not.
 */
export function lateCharges(
  state: CaseState,
  now: IsoInstant,
  rates: RateTable = ratesOf(state),
): { interestCents: number; indemnityCents: number } {
  const none = { interestCents: 0, indemnityCents: 0 };
  if (!claimsLateCharges(state)) return none;
  try {
    const { totals } = statementOf(state, now, 'claim', rates);
    return { interestCents: totals.interestCents, indemnityCents: totals.indemnityCents };
  } catch {
    return none;
  }
}

/** The table the case last read from the store (an activity result), or the one shipped with the code. */
export function ratesOf(state: CaseState): RateTable {
  return state.rateTable ?? DEFAULT_RATE_TABLE;
}

/**
 * Code civil 1231-6: legal interest runs "à compter de la mise en demeure", which takes effect when
 * received. The first day owed is the day after receipt (like penalties, the day after the due
 * date): the acknowledgement's date when it came, else the receipt presumed for its deadline. Only
 * where penalties do not run (domain/late-charges.ts), unless the policy waives it; cases on the
 * original rules never claimed it.
 */
export function legalInterestStart(state: CaseState): CalendarDate | undefined {
  const notice = state.formalNotice;
  if (!notice || !followsRules(state, RULES_VERSIONS.complianceReview)) return undefined;
  const policy = policyOf(state);
  if (policy.formalNotice.interest === 'waive') return undefined;
  const receivedOn = notice.receivedOn ?? addDays(notice.sentOn, policy.formalNotice.assumedDeliveryDays);
  return addDays(receivedOn, 1);
}

function legalInterestTermsOf(state: CaseState): { legalInterestFrom?: CalendarDate } {
  const from = legalInterestStart(state);
  return from === undefined ? {} : { legalInterestFrom: from };
}

/** Business debtor under a policy that claims the L441-10 penalties and D441-5 indemnities. */
export function claimsLateCharges(state: CaseState): boolean {
  return state.input.debtorKind === 'business' && policyOf(state).lateCharges !== 'waive';
}

function statementOf(state: CaseState, now: IsoInstant, charges: 'claim' | 'waive', rates: RateTable): Statement {
  return computeStatement({
    invoices: state.input.invoices,
    payments: state.payments,
    debtorKind: state.input.debtorKind,
    asOf: todayOf(now),
    lateCharges: charges,
    accessories: policyOf(state).accessories ?? 'claimed',
    rates,
    ...legalInterestTermsOf(state),
    currency: state.input.currency,
    principalAdjustments: state.adjustedPrincipalCents === null ? undefined : adjustmentsFor(state),
  });
}

/**
 * The dated breakdown of the handoff dossier (R6): each invoice, penalties with the rates they ran
 * at, indemnities, payments received. Claimed charges only where messages claim them; when the
 * rate table does not cover a day, the breakdown falls back to principal and payments, as letters do.
 */
export function dossierStatement(state: CaseState, now: IsoInstant, rates: RateTable = ratesOf(state)): Statement {
  if (claimsLateCharges(state)) {
    try {
      return statementOf(state, now, 'claim', rates);
    } catch {
      // fall through: no charges rather than invented ones
    }
  }
  return statementOf(state, now, 'waive', rates);
}

/** The accessories still demanded today (penalties and indemnities due): what the balance holds beyond principal. */
export function lateChargesCents(state: CaseState, now: IsoInstant): number {
  const { penaltyCents, indemnityCents } = amountsDue(state, now);
  return penaltyCents + indemnityCents;
}

/** An adjusted principal (dispute settled at a lower amount) is spread over the oldest invoices first. */
function adjustmentsFor(state: CaseState): { invoiceNumber: string; newAmountCents: number }[] {
  let remaining = state.adjustedPrincipalCents ?? 0;
  return [...state.input.invoices]
    .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0))
    .map((invoice) => {
      const newAmountCents = Math.min(invoice.amountCents, remaining);
      remaining -= newAmountCents;
      return { invoiceNumber: invoice.number, newAmountCents };
    });
}

/** Ids and idempotency keys that are the same on every replay of the workflow. */
export function nextSequence(state: CaseState): number {
  state.sequence += 1;
  return state.sequence;
}

// ---------------------------------------------------------------------------------------------
// The installment plan, as the case sees it

/** The id of a case's n-th plan workflow: the same on every replay and after continue-as-new. */
export function planWorkflowIdOf(caseId: string, planNumber: number): string {
  return `plan-${caseId}-${planNumber}`;
}

/** A plan whose own workflow runs and has not ended. */
export function planIsLive(state: CaseState): boolean {
  return state.plan?.workflowId !== undefined && (state.plan.outcome ?? null) === null;
}

/** Paid toward the plan: what the case received since the agreement. */
export function planPaidCents(state: CaseState): number {
  return Math.max(0, paidCents(state) - (state.plan?.paidAtAgreementCents ?? paidCents(state)));
}

/** The plan stops: its messages still waiting are dropped with it. */
export function endCurrentPlan(state: CaseState, outcome: PlanOutcome): void {
  if (!state.plan || (state.plan.outcome ?? null) !== null) return;
  state.plan.outcome = outcome;
  state.pending = state.pending.filter((contact) => !contact.plan);
}
