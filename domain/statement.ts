/**
 * The dated breakdown of what a debtor owes, as of a day: what every message states (R2), what the
 * API shows and what the handoff dossier carries (R6). Principal, penalties and indemnities, and the
 * payments received: nothing else can be charged. Collection costs ("frais de recouvrement",
 * "frais de dossier"...) stay with the creditor (CPCE L111-8), so a statement has no field for them.
 */
import { compareDates, isCalendarDate } from './dates';
import { LateChargeAccrual, LateChargeRules, type PenaltySegment, type RateTable } from './late-charges';
import {
  allocate,
  assertNonNegativeCents,
  assertPayment,
  assertPositiveCents,
  dedupePayments,
  sumCents,
  type Payment,
} from './money';
import type { CalendarDate, DebtorKind, Invoice } from './types';

export interface PrincipalAdjustment {
  invoiceNumber: string;
  /** The principal agreed when a dispute was resolved with an adjusted amount; it replaces the invoiced amount. */
  newAmountCents: number;
}

export interface StatementInput {
  invoices: readonly Invoice[];
  /** Every payment recorded; the same reference counts once, and those after `asOf` are not yet known. */
  payments: readonly Payment[];
  debtorKind: DebtorKind;
  asOf: CalendarDate;
  /** Whether the creditor claims the L441-10 penalties and D441-5 indemnities (business debtors only). */
  lateCharges: 'claim' | 'waive';
  rates: RateTable;
  contractRatePercent?: number;
  principalAdjustments?: readonly PrincipalAdjustment[];
  /** ISO 4217, echoed on the statement. */
  currency?: string;
}

export interface StatementInvoiceLine {
  number: string;
  dueDate: CalendarDate;
  /** After any principal adjustment. */
  principalCents: number;
  paidToPrincipalCents: number;
  outstandingPrincipalCents: number;
  /** L441-10 penalties accrued as of the statement date. */
  penaltyCents: number;
  /** D441-5 flat indemnity: 4000 cents once the invoice is late, else 0. */
  indemnityCents: number;
  paidToChargesCents: number;
  balanceCents: number;
}

export interface StatementTotals {
  principalCents: number;
  /** Sum of the penalties (L441-10). */
  interestCents: number;
  indemnityCents: number;
  /** Everything received by the statement date, including any overpayment. */
  paidCents: number;
  balanceCents: number;
  /** Received beyond everything owed: recorded here, to be refunded or applied, never lost. */
  overpaidCents: number;
}

export interface PaymentAllocation {
  invoiceNumber: string;
  toPrincipalCents: number;
  toChargesCents: number;
}

export interface AppliedPayment {
  reference: string;
  paidAt: CalendarDate;
  amountCents: number;
  /** Only the invoices this payment reached, in the order it reached them. */
  allocations: PaymentAllocation[];
  unallocatedCents: number;
}

export interface InvoiceRateSegments {
  invoiceNumber: string;
  segments: PenaltySegment[];
}

export interface Statement {
  asOf: CalendarDate;
  currency?: string;
  /** Oldest due first: the order payments are applied in. */
  invoices: StatementInvoiceLine[];
  totals: StatementTotals;
  paymentsApplied: AppliedPayment[];
  /** For the dossier: how each invoice's penalties were computed. Only when late charges are claimed. */
  rateSegments?: InvoiceRateSegments[];
}

interface InvoiceLedger {
  number: string;
  principalCents: number;
  accrual: LateChargeAccrual;
  paidToPrincipalCents: number;
  paidToChargesCents: number;
}

/**
 * Throws a RangeError on invalid input, including one payment reference recorded with two
 * different amounts or dates: no balance at all is better than a wrong one in a letter.
 */
export function computeStatement(input: StatementInput): Statement {
  if (!isCalendarDate(input.asOf)) throw new RangeError(`asOf must be a calendar date YYYY-MM-DD, got ${input.asOf}`);
  if (input.currency !== undefined && !/^[A-Z]{3}$/.test(input.currency)) {
    throw new RangeError(`currency must be an ISO 4217 code such as EUR, got ${input.currency}`);
  }
  const rules = new LateChargeRules({
    debtorKind: input.debtorKind,
    rates: input.rates,
    contractRatePercent: input.contractRatePercent,
    waived: input.lateCharges === 'waive',
  });
  const overrides = principalOverrides(input.invoices, input.principalAdjustments ?? []);
  const ledgers = openLedgers(input.invoices, overrides, rules);

  const paymentsApplied = paymentsKnownOn(input.payments, input.asOf).map((payment) => applyPayment(payment, ledgers));
  ledgers.forEach((ledger) => ledger.accrual.accrueThrough(input.asOf));

  const invoices = ledgers.map(lineOf);
  return {
    asOf: input.asOf,
    ...(input.currency === undefined ? {} : { currency: input.currency }),
    invoices,
    totals: totalsOf(invoices, paymentsApplied),
    paymentsApplied,
    ...(rules.chargeable ? { rateSegments: ledgers.map(rateSegmentsOf) } : {}),
  };
}

function principalOverrides(invoices: readonly Invoice[], adjustments: readonly PrincipalAdjustment[]) {
  const known = new Set(invoices.map((invoice) => invoice.number));
  const overrides = new Map<string, number>();
  adjustments.forEach((adjustment, index) => {
    const field = `principalAdjustments[${index}]`;
    if (!known.has(adjustment.invoiceNumber)) {
      throw new RangeError(`${field}: no invoice numbered ${adjustment.invoiceNumber}`);
    }
    if (overrides.has(adjustment.invoiceNumber)) {
      throw new RangeError(`${field}: invoice ${adjustment.invoiceNumber} is adjusted twice`);
    }
    // Zero is allowed: a dispute may end with nothing owed on that invoice.
    assertNonNegativeCents(adjustment.newAmountCents, `${field}.newAmountCents`);
    overrides.set(adjustment.invoiceNumber, adjustment.newAmountCents);
  });
  return overrides;
}

function assertInvoice(invoice: Invoice, field: string): void {
  if (typeof invoice.number !== 'string' || invoice.number.trim() === '') {
    throw new RangeError(`${field}.number must be a non-empty string`);
  }
  for (const dateField of ['issueDate', 'dueDate'] as const) {
    if (!isCalendarDate(invoice[dateField])) {
      throw new RangeError(`${field}.${dateField} must be a calendar date YYYY-MM-DD, got ${invoice[dateField]}`);
    }
  }
  assertPositiveCents(invoice.amountCents, `${field}.amountCents`);
}

/**
 * Oldest due first (Code civil 1342-10: failing the debtor's choice, a payment goes to the debts
 * that are due, and among equals to the oldest); equal due dates go by issue date, then as given.
 */
function openLedgers(
  invoices: readonly Invoice[],
  overrides: ReadonlyMap<string, number>,
  rules: LateChargeRules,
): InvoiceLedger[] {
  const seen = new Set<string>();
  invoices.forEach((invoice, index) => {
    assertInvoice(invoice, `invoices[${index}]`);
    if (seen.has(invoice.number)) throw new RangeError(`invoices[${index}]: number ${invoice.number} is repeated`);
    seen.add(invoice.number);
  });
  const oldestFirst = [...invoices].sort(
    (a, b) => compareDates(a.dueDate, b.dueDate) || compareDates(a.issueDate, b.issueDate),
  );
  return oldestFirst.map((invoice) => {
    const principalCents = overrides.get(invoice.number) ?? invoice.amountCents;
    return {
      number: invoice.number,
      principalCents,
      accrual: new LateChargeAccrual(invoice.dueDate, principalCents, rules),
      paidToPrincipalCents: 0,
      paidToChargesCents: 0,
    };
  });
}

/**
 * Deduplicated by reference, received by `asOf`, in date order (same day: as recorded). Two
 * different payments under one reference cannot be settled by a rule here: the balance would be
 * wrong one way or the other, so the caller must resolve the conflict (see dedupePayments) first.
 */
function paymentsKnownOn(payments: readonly Payment[], asOf: CalendarDate): Payment[] {
  payments.forEach((payment, index) => assertPayment(payment, `payments[${index}]`));
  const { payments: unique, conflicts } = dedupePayments(payments);
  if (conflicts.length > 0) {
    const references = conflicts.map((conflict) => conflict.reference).join(', ');
    throw new RangeError(`payments recorded twice under one reference with different amounts or dates: ${references}`);
  }
  return unique
    .filter((payment) => compareDates(payment.paidAt, asOf) <= 0)
    .sort((a, b) => compareDates(a.paidAt, b.paidAt));
}

function chargesDueCents(ledger: InvoiceLedger): number {
  return ledger.accrual.penaltyCents + ledger.accrual.indemnityCents - ledger.paidToChargesCents;
}

/**
 * Invoice by invoice, oldest due first, and within an invoice PRINCIPAL FIRST, then its charges
 * accrued to the payment day. Code civil 1343-1 would put a partial payment on interest first, but
 * that rule protects the creditor, who may waive it; principal first is the more favourable to the
 * debtor and stops penalties from running on the paid part at once.
 */
function applyPayment(payment: Payment, ledgers: InvoiceLedger[]): AppliedPayment {
  ledgers.forEach((ledger) => ledger.accrual.accrueThrough(payment.paidAt));
  const buckets = ledgers.flatMap((ledger) => [
    { id: `principal:${ledger.number}`, dueCents: ledger.accrual.outstandingPrincipalCents },
    { id: `charges:${ledger.number}`, dueCents: chargesDueCents(ledger) },
  ]);
  const { allocations, remainderCents } = allocate(payment.amountCents, buckets);
  const allocatedTo = new Map(allocations.map((allocation) => [allocation.id, allocation.cents]));

  const reached: PaymentAllocation[] = [];
  for (const ledger of ledgers) {
    const toPrincipalCents = allocatedTo.get(`principal:${ledger.number}`) ?? 0;
    const toChargesCents = allocatedTo.get(`charges:${ledger.number}`) ?? 0;
    if (toPrincipalCents === 0 && toChargesCents === 0) continue;
    ledger.accrual.payPrincipal(toPrincipalCents);
    ledger.paidToPrincipalCents += toPrincipalCents;
    ledger.paidToChargesCents += toChargesCents;
    reached.push({ invoiceNumber: ledger.number, toPrincipalCents, toChargesCents });
  }
  return {
    reference: payment.reference,
    paidAt: payment.paidAt,
    amountCents: payment.amountCents,
    allocations: reached,
    unallocatedCents: remainderCents,
  };
}

function lineOf(ledger: InvoiceLedger): StatementInvoiceLine {
  const { accrual } = ledger;
  return {
    number: ledger.number,
    dueDate: accrual.dueDate,
    principalCents: ledger.principalCents,
    paidToPrincipalCents: ledger.paidToPrincipalCents,
    outstandingPrincipalCents: accrual.outstandingPrincipalCents,
    penaltyCents: accrual.penaltyCents,
    indemnityCents: accrual.indemnityCents,
    paidToChargesCents: ledger.paidToChargesCents,
    balanceCents: accrual.outstandingPrincipalCents + chargesDueCents(ledger),
  };
}

function totalsOf(lines: readonly StatementInvoiceLine[], payments: readonly AppliedPayment[]): StatementTotals {
  return {
    principalCents: sumCents(lines.map((line) => line.principalCents)),
    interestCents: sumCents(lines.map((line) => line.penaltyCents)),
    indemnityCents: sumCents(lines.map((line) => line.indemnityCents)),
    paidCents: sumCents(payments.map((payment) => payment.amountCents)),
    balanceCents: sumCents(lines.map((line) => line.balanceCents)),
    overpaidCents: sumCents(payments.map((payment) => payment.unallocatedCents)),
  };
}

function rateSegmentsOf(ledger: InvoiceLedger): InvoiceRateSegments {
  return { invoiceNumber: ledger.number, segments: ledger.accrual.segments };
}
