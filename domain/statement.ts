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

/**
 * What becomes of the accessories (L441-10 penalties, D441-5 indemnities) a payment has not reached.
 * `claimed` (the law, Code civil 1343-1): a payment goes to the penalties first, then principal,
 * then the indemnity, and the accessories stay due until paid. `waived_when_principal_paid` (a
 * creditor's choice, more favourable to the debtor): a payment goes to principal first, and once
 * the whole principal of the case is paid, the accessories not yet paid are waived.
 */
export const ACCESSORIES_TREATMENTS = ['claimed', 'waived_when_principal_paid'] as const;
export type AccessoriesTreatment = (typeof ACCESSORIES_TREATMENTS)[number];

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
  /** How payments meet the accessories when they are claimed; `claimed` unless said. */
  accessories?: AccessoriesTreatment;
  rates: RateTable;
  contractRatePercent?: number;
  /**
   * Code civil 1231-6: the first day legal interest runs after a mise en demeure, where penalties do
   * not (domain/late-charges.ts). It is accounted as interest: the `penalty` fields hold it.
   */
  legalInterestFrom?: CalendarDate;
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
  /** Paid to the penalties and to the indemnity; together `paidToChargesCents`. */
  paidToPenaltyCents: number;
  paidToIndemnityCents: number;
  paidToChargesCents: number;
  /** What is still demanded of each: accrued, less paid, less waived. */
  penaltyDueCents: number;
  indemnityDueCents: number;
  /** Accessories given up once the principal was paid (`waived_when_principal_paid`), else 0. */
  waivedCents: number;
  balanceCents: number;
}

export interface StatementTotals {
  principalCents: number;
  /** Sum of the penalties (L441-10). */
  interestCents: number;
  indemnityCents: number;
  /**
   * What a message demands, line by line: outstanding principal + penalties due + indemnities due
   * = `balanceCents`. The accrued totals above are the history; these are what is owed today.
   */
  outstandingPrincipalCents: number;
  penaltyDueCents: number;
  indemnityDueCents: number;
  waivedCents: number;
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
  /**
   * Set when the `penalty` fields hold legal interest from a mise en demeure (Code civil 1231-6),
   * from `legalInterestFrom`, instead of L441-10 penalties.
   */
  interestBasis?: 'legal_interest';
  legalInterestFrom?: CalendarDate;
  /**
   * The annual penalty rate in force on `asOf` (L441-10), when penalties are claimed and some
   * principal still bears them: what a message states beside the penalties' amount.
   */
  penaltyRatePercent?: number;
  /** Whether that rate is the contract's (else ECB refinancing rate + 10 points). */
  penaltyRateBasis?: 'contract' | 'ecb_plus_10';
}

interface InvoiceLedger {
  number: string;
  principalCents: number;
  accrual: LateChargeAccrual;
  paidToPrincipalCents: number;
  paidToPenaltyCents: number;
  paidToIndemnityCents: number;
  /** Set once the principal is paid under `waived_when_principal_paid`: nothing more is demanded. */
  waivedCents: number;
  waived: boolean;
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
    ...(input.legalInterestFrom === undefined ? {} : { legalInterestFrom: input.legalInterestFrom }),
  });
  const overrides = principalOverrides(input.invoices, input.principalAdjustments ?? []);
  const ledgers = openLedgers(input.invoices, overrides, rules);

  const accessories = input.accessories ?? 'claimed';
  if (!(ACCESSORIES_TREATMENTS as readonly string[]).includes(accessories)) {
    throw new RangeError(`accessories must be one of ${ACCESSORIES_TREATMENTS.join(', ')}, got ${String(accessories)}`);
  }
  const paymentsApplied = paymentsKnownOn(input.payments, input.asOf).map((payment) =>
    applyPayment(payment, ledgers, accessories),
  );
  ledgers.forEach((ledger) => ledger.accrual.accrueThrough(input.asOf));

  const invoices = ledgers.map(lineOf);
  const totals = totalsOf(invoices, paymentsApplied);
  const ratePercent =
    rules.chargeable && totals.outstandingPrincipalCents > 0 ? rules.ratePercentOn(input.asOf) : undefined;
  return {
    asOf: input.asOf,
    ...(input.currency === undefined ? {} : { currency: input.currency }),
    invoices,
    totals,
    paymentsApplied,
    ...(rules.accrues ? { rateSegments: ledgers.map(rateSegmentsOf) } : {}),
    ...(!rules.chargeable && input.legalInterestFrom !== undefined && rules.accrues
      ? { interestBasis: 'legal_interest' as const, legalInterestFrom: input.legalInterestFrom }
      : {}),
    ...(ratePercent === undefined
      ? {}
      : {
          penaltyRatePercent: ratePercent,
          penaltyRateBasis: input.contractRatePercent === undefined ? 'ecb_plus_10' : 'contract',
        }),
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
      paidToPenaltyCents: 0,
      paidToIndemnityCents: 0,
      waivedCents: 0,
      waived: false,
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

function penaltyDueCents(ledger: InvoiceLedger): number {
  return ledger.waived ? 0 : ledger.accrual.penaltyCents - ledger.paidToPenaltyCents;
}

function indemnityDueCents(ledger: InvoiceLedger): number {
  return ledger.waived ? 0 : ledger.accrual.indemnityCents - ledger.paidToIndemnityCents;
}

type BucketKind = 'penalty' | 'principal' | 'indemnity';

/**
 * The order a payment meets what is owed, invoice by invoice (`ledgers` are oldest due first).
 *
 * `claimed` — the law. Code civil 1343-1: a partial payment on a debt bearing interest goes to the
 * interest first, so each invoice's L441-10 penalties (interest of late payment) come before its
 * principal. Code civil 1342-10: failing the debtor's choice, among debts that are due a payment
 * goes to those he has the most interest in paying, then to the oldest; a principal that bears
 * penalties is a debt the debtor has more interest in paying than the D441-5 indemnity, which
 * bears none, so every invoice's penalties and principal (oldest first) come before the indemnities.
 *
 * `waived_when_principal_paid` — the creditor waives the 1343-1 order (it protects the creditor,
 * who may give it up): principal first, oldest first, then the accessories accrued to that day.
 */
function bucketOrder(ledgers: readonly InvoiceLedger[], accessories: AccessoriesTreatment) {
  const bucket = (ledger: InvoiceLedger, kind: BucketKind) => ({ ledger, kind });
  if (accessories === 'claimed') {
    return [
      ...ledgers.flatMap((ledger) => [bucket(ledger, 'penalty'), bucket(ledger, 'principal')]),
      ...ledgers.map((ledger) => bucket(ledger, 'indemnity')),
    ];
  }
  return [
    ...ledgers.map((ledger) => bucket(ledger, 'principal')),
    ...ledgers.flatMap((ledger) => [bucket(ledger, 'penalty'), bucket(ledger, 'indemnity')]),
  ];
}

function dueIn(ledger: InvoiceLedger, kind: BucketKind): number {
  if (kind === 'principal') return ledger.accrual.outstandingPrincipalCents;
  return kind === 'penalty' ? penaltyDueCents(ledger) : indemnityDueCents(ledger);
}

function applyPayment(payment: Payment, ledgers: InvoiceLedger[], accessories: AccessoriesTreatment): AppliedPayment {
  ledgers.forEach((ledger) => ledger.accrual.accrueThrough(payment.paidAt));
  const order = bucketOrder(ledgers, accessories);
  const { allocations, remainderCents } = allocate(
    payment.amountCents,
    order.map(({ ledger, kind }) => ({ id: `${kind}:${ledger.number}`, dueCents: dueIn(ledger, kind) })),
  );
  const reachedBy = new Map<InvoiceLedger, PaymentAllocation>();
  allocations.forEach(({ cents }, index) => {
    if (cents === 0) return;
    const { ledger, kind } = order[index]!;
    const reached = reachedBy.get(ledger) ?? { invoiceNumber: ledger.number, toPrincipalCents: 0, toChargesCents: 0 };
    reachedBy.set(ledger, reached);
    if (kind === 'principal') {
      ledger.accrual.payPrincipal(cents);
      ledger.paidToPrincipalCents += cents;
      reached.toPrincipalCents += cents;
      return;
    }
    if (kind === 'penalty') ledger.paidToPenaltyCents += cents;
    else ledger.paidToIndemnityCents += cents;
    reached.toChargesCents += cents;
  });
  if (accessories === 'waived_when_principal_paid') waiveOncePrincipalPaid(ledgers);
  return {
    reference: payment.reference,
    paidAt: payment.paidAt,
    amountCents: payment.amountCents,
    allocations: [...reachedBy.values()],
    unallocatedCents: remainderCents,
  };
}

/** The whole principal of the case paid: what the payments have not reached of the accessories is given up. */
function waiveOncePrincipalPaid(ledgers: InvoiceLedger[]): void {
  if (ledgers.some((ledger) => ledger.accrual.outstandingPrincipalCents > 0)) return;
  for (const ledger of ledgers) {
    if (ledger.waived) continue;
    ledger.waivedCents = penaltyDueCents(ledger) + indemnityDueCents(ledger);
    ledger.waived = true;
  }
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
    paidToPenaltyCents: ledger.paidToPenaltyCents,
    paidToIndemnityCents: ledger.paidToIndemnityCents,
    paidToChargesCents: ledger.paidToPenaltyCents + ledger.paidToIndemnityCents,
    penaltyDueCents: penaltyDueCents(ledger),
    indemnityDueCents: indemnityDueCents(ledger),
    waivedCents: ledger.waivedCents,
    balanceCents: accrual.outstandingPrincipalCents + penaltyDueCents(ledger) + indemnityDueCents(ledger),
  };
}

function totalsOf(lines: readonly StatementInvoiceLine[], payments: readonly AppliedPayment[]): StatementTotals {
  return {
    principalCents: sumCents(lines.map((line) => line.principalCents)),
    interestCents: sumCents(lines.map((line) => line.penaltyCents)),
    indemnityCents: sumCents(lines.map((line) => line.indemnityCents)),
    outstandingPrincipalCents: sumCents(lines.map((line) => line.outstandingPrincipalCents)),
    penaltyDueCents: sumCents(lines.map((line) => line.penaltyDueCents)),
    indemnityDueCents: sumCents(lines.map((line) => line.indemnityDueCents)),
    waivedCents: sumCents(lines.map((line) => line.waivedCents)),
    paidCents: sumCents(payments.map((payment) => payment.amountCents)),
    balanceCents: sumCents(lines.map((line) => line.balanceCents)),
    overpaidCents: sumCents(payments.map((payment) => payment.unallocatedCents)),
  };
}

function rateSegmentsOf(ledger: InvoiceLedger): InvoiceRateSegments {
  return { invoiceNumber: ledger.number, segments: ledger.accrual.segments };
}
