/**
 * What a message demands, in cents (R2, R3): the principal, interest and other accessories still
 * due today — the same statement the case's balance comes from, so the total a message demands is
 * the balance the case pursues — less what is owed on time-barred invoices (R1, per invoice). A
 * message about one installment demands that installment, as due now.
 */
import { installmentMessageAmounts } from './installment-plan';
import { demandedAmounts } from './prescription-review';
import { amountsDue, claimsLateCharges, paidCents, policyOf } from './state';
import type { CaseState, IsoInstant, PendingContact } from './types';

export interface MessageLateCharges {
  /** Annual L441-10 rate in force today; absent when no principal bears penalties any more. */
  penaltyRatePercent?: number;
  penaltyRateBasis?: 'contract' | 'ecb_plus_10';
  /** Invoices whose €40 indemnity (D441-5) is due. */
  indemnifiedInvoices: number;
  /** Policy `waived_when_principal_paid`: the message says the accessories go once the principal is paid. */
  waivedWhenPrincipalPaid: boolean;
}

/** Amounts as of the message; formatting and wording belong to the templates. */
export interface MessageAmounts {
  principalCents: number;
  interestCents: number;
  accessoriesCents: number;
  paidCents: number;
  totalCents: number;
  currency: string;
  /**
   * Business debtor, charges claimed (R3): the message names each charge on its own line, the
   * penalties with their rate and base. Absent: no late charge is claimed (consumer, or waived).
   */
  lateCharges?: MessageLateCharges;
}

/** The whole case's amounts still due today. */
export function caseMessageAmounts(state: CaseState, now: IsoInstant): MessageAmounts {
  const due = amountsDue(state, now);
  return {
    principalCents: due.principalCents,
    interestCents: due.penaltyCents,
    accessoriesCents: due.indemnityCents,
    paidCents: paidCents(state),
    totalCents: due.balanceCents,
    currency: state.input.currency,
    ...(claimsLateCharges(state)
      ? {
          lateCharges: {
            ...(due.penaltyRatePercent === undefined ? {} : { penaltyRatePercent: due.penaltyRatePercent }),
            ...(due.penaltyRateBasis === undefined ? {} : { penaltyRateBasis: due.penaltyRateBasis }),
            indemnifiedInvoices: due.indemnifiedInvoices,
            waivedWhenPrincipalPaid: policyOf(state).accessories === 'waived_when_principal_paid',
          },
        }
      : {}),
  };
}

/** What this message demands: its installment, or the case's collectable amounts. */
export function messageAmountsFor(state: CaseState, now: IsoInstant, contact: PendingContact): MessageAmounts {
  const installment = contact.plan && installmentMessageAmounts(state, contact.plan);
  return installment || demandedAmounts(state, now, caseMessageAmounts(state, now));
}
