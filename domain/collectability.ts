/**
 * Intake (process step 1): a claim may be collected only if it is *certaine* (its existence is
 * evidenced), *liquide* (a fixed positive amount) and *exigible* (due), and not time-barred (R1).
 * Every failing condition is reported, with the path of the offending field, because the API returns
 * them all at once as the details of a `not_collectable` error.
 *
 * The input may come straight from a request, so nothing here trusts the declared types: a missing
 * field or a malformed date is a reason, never an exception.
 */
import { isCalendarDate, compareDates } from './dates';
import { formatAmount, MAX_AMOUNT_CENTS } from './money';
import { claimPrescription } from './prescription';
import { CLAIM_TYPES, DEBTOR_KINDS, type CalendarDate, type Claim, type DebtorKind, type Invoice } from './types';

export type CollectabilityCondition = 'certaine' | 'liquide' | 'exigible' | 'prescription';

export interface CollectabilityReason {
  condition: CollectabilityCondition;
  /** Machine-readable, stable: clients may branch on it. */
  code: string;
  /** Where the problem is, e.g. `claim.invoices[1].dueDate`. */
  path: string;
  message: string;
}

export type Collectability = { collectable: true } | { collectable: false; reasons: CollectabilityReason[] };

/** Letters and digits: "—", "..." or "n/a" is not evidence of anything. */
const MEANINGFUL_CHARACTER = /[\p{L}\p{N}]/gu;
const MIN_BASIS_CHARACTERS = 3;
const CURRENCY_CODE = /^[A-Z]{3}$/;

export function checkCollectability(claim: Claim, debtorKind: DebtorKind, today: CalendarDate): Collectability {
  // `today` comes from the workflow, not from the request: a bad one is a programming error.
  if (!isCalendarDate(today)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${today}`);
  const invoices: unknown[] = Array.isArray(claim.invoices) ? claim.invoices : [];
  const reasons = [
    ...basisReasons(claim.basis),
    ...invoiceListReasons(claim.invoices),
    ...currencyReasons(claim.currency),
    ...invoices.flatMap((invoice, index) => invoiceReasons(invoice, index, today)),
    ...totalReasons(invoices),
    ...claimTypeReasons(claim.type, debtorKind),
    ...prescriptionReasons(claim, invoices, debtorKind, today),
  ];
  return reasons.length === 0 ? { collectable: true } : { collectable: false, reasons };
}

// ---------------------------------------------------------------------------------------------------
// Certaine

function basisReasons(basis: unknown): CollectabilityReason[] {
  if (typeof basis !== 'string' || basis.trim() === '') {
    return [reason('certaine', 'basis_missing', 'claim.basis', 'no basis: name the contract, order or delivery proof')];
  }
  const meaningfulCharacters = (basis.match(MEANINGFUL_CHARACTER) ?? []).length;
  if (meaningfulCharacters >= MIN_BASIS_CHARACTERS) return [];
  const message = `the basis must name the evidence (contract, order, delivery proof): at least ${MIN_BASIS_CHARACTERS} letters or digits`;
  return [reason('certaine', 'basis_too_short', 'claim.basis', message)];
}

function invoiceListReasons(invoices: unknown): CollectabilityReason[] {
  if (!Array.isArray(invoices) || invoices.length === 0) {
    return [reason('certaine', 'no_invoices', 'claim.invoices', 'the claim has no invoice')];
  }
  const firstIndexByNumber = new Map<string, number>();
  return invoices.flatMap((invoice: unknown, index) => {
    const number = fieldOf(invoice, 'number');
    const path = `claim.invoices[${index}].number`;
    if (typeof number !== 'string' || number.trim() === '') {
      return [reason('certaine', 'invoice_number_missing', path, 'every invoice needs a number')];
    }
    // Case and surrounding spaces are not enough to tell two invoices apart in a creditor's books.
    const key = number.trim().toUpperCase();
    const first = firstIndexByNumber.get(key);
    if (first === undefined) {
      firstIndexByNumber.set(key, index);
      return [];
    }
    return [
      reason('certaine', 'invoice_number_duplicate', path, `invoice number ${number} is also claim.invoices[${first}]`),
    ];
  });
}

// ---------------------------------------------------------------------------------------------------
// Liquide

function currencyReasons(currency: unknown): CollectabilityReason[] {
  if (typeof currency === 'string' && CURRENCY_CODE.test(currency)) return [];
  return [reason('liquide', 'currency_invalid', 'claim.currency', 'the currency must be an ISO 4217 code such as EUR')];
}

function amountReasons(amountCents: unknown, index: number): CollectabilityReason[] {
  const path = `claim.invoices[${index}].amountCents`;
  if (typeof amountCents !== 'number' || !Number.isSafeInteger(amountCents)) {
    return [reason('liquide', 'amount_not_integer', path, 'the amount must be a whole number of cents')];
  }
  if (amountCents <= 0) {
    return [reason('liquide', 'amount_not_positive', path, `the amount must be positive, not ${amountCents} cents`)];
  }
  if (amountCents > MAX_AMOUNT_CENTS) {
    return [reason('liquide', 'amount_too_large', path, `the amount must be at most ${MAX_AMOUNT_TEXT}`)];
  }
  return [];
}

const MAX_AMOUNT_TEXT = `${formatAmount(MAX_AMOUNT_CENTS)} (${MAX_AMOUNT_CENTS} cents)`;

/** The balance is the invoices' sum: it must stay within the same bound as each of them. */
function totalReasons(invoices: readonly unknown[]): CollectabilityReason[] {
  const amounts = invoices.map((invoice) => fieldOf(invoice, 'amountCents'));
  // An invoice refused on its own already says why; the sum is only meaningful over sound amounts.
  if (!amounts.every((amount) => amountReasons(amount, 0).length === 0)) return [];
  const total = (amounts as number[]).reduce((sum, amount) => sum + amount, 0);
  if (total <= MAX_AMOUNT_CENTS) return [];
  return [
    reason('liquide', 'total_too_large', 'claim.invoices', `the invoices add up to more than ${MAX_AMOUNT_TEXT}`),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Exigible, and dates in general

function invoiceReasons(invoice: unknown, index: number, today: CalendarDate): CollectabilityReason[] {
  return [...amountReasons(fieldOf(invoice, 'amountCents'), index), ...invoiceDateReasons(invoice, index, today)];
}

function invoiceDateReasons(invoice: unknown, index: number, today: CalendarDate): CollectabilityReason[] {
  const at = (field: string): string => `claim.invoices[${index}].${field}`;
  const issueDate = fieldOf(invoice, 'issueDate');
  const dueDate = fieldOf(invoice, 'dueDate');
  const performanceDate = fieldOf(invoice, 'performanceDate');
  const reasons: CollectabilityReason[] = [];

  if (!isDate(issueDate)) reasons.push(invalidDate('exigible', 'issue_date_invalid', at('issueDate'), issueDate));
  if (!isDate(dueDate)) {
    reasons.push(invalidDate('exigible', 'due_date_invalid', at('dueDate'), dueDate));
  } else if (compareDates(dueDate, today) >= 0) {
    reasons.push(
      reason(
        'exigible',
        'not_yet_due',
        at('dueDate'),
        `due on ${dueDate}: only due dates before ${today} can be collected`,
      ),
    );
  }
  if (isDate(issueDate) && isDate(dueDate) && compareDates(issueDate, dueDate) > 0) {
    reasons.push(
      reason('exigible', 'issued_after_due', at('issueDate'), `issued on ${issueDate}, after its due date ${dueDate}`),
    );
  }
  // Only the prescription start depends on it, hence the condition.
  if (performanceDate !== undefined && !isDate(performanceDate)) {
    reasons.push(invalidDate('prescription', 'performance_date_invalid', at('performanceDate'), performanceDate));
  }
  return reasons;
}

// ---------------------------------------------------------------------------------------------------
// Prescription

function claimTypeReasons(type: unknown, debtorKind: unknown): CollectabilityReason[] {
  if (type === undefined) {
    if ((DEBTOR_KINDS as readonly unknown[]).includes(debtorKind)) return [];
    const message = `the debtor kind decides the limitation period and must be one of ${DEBTOR_KINDS.join(', ')}`;
    return [reason('prescription', 'debtor_kind_invalid', 'debtor.kind', message)];
  }
  if ((CLAIM_TYPES as readonly unknown[]).includes(type)) return [];
  const message = `the claim type must be one of ${CLAIM_TYPES.join(', ')}`;
  return [reason('prescription', 'claim_type_invalid', 'claim.type', message)];
}

/**
 * No events: at intake nothing is known to have interrupted or suspended the period. Invoices whose
 * dates are malformed are left out (their own reasons say why), so the others are still checked.
 */
function prescriptionReasons(
  claim: Claim,
  invoices: readonly unknown[],
  debtorKind: DebtorKind,
  today: CalendarDate,
): CollectabilityReason[] {
  if (claimTypeReasons(claim.type, debtorKind).length > 0) return [];
  const datable = invoices.flatMap((invoice, index) => (hasSoundDates(invoice) ? [{ invoice, index }] : []));
  const prescription = claimPrescription(
    { ...claim, invoices: datable.map(({ invoice }) => invoice) },
    debtorKind,
    [],
    today,
  );
  const { article, years } = prescription.period;
  return prescription.invoices.flatMap((result, position) => {
    const index = datable[position]?.index;
    if (!result.prescribed || index === undefined) return [];
    const message =
      `invoice ${result.invoiceNumber} is time-barred: its last enforceable day was ` +
      `${result.lastEnforceableDay} (${article}, ${years} years)`;
    return [reason('prescription', 'time_barred', `claim.invoices[${index}]`, message)];
  });
}

function hasSoundDates(invoice: unknown): invoice is Invoice {
  const performanceDate = fieldOf(invoice, 'performanceDate');
  return (
    isDate(fieldOf(invoice, 'issueDate')) &&
    isDate(fieldOf(invoice, 'dueDate')) &&
    (performanceDate === undefined || isDate(performanceDate))
  );
}

// ---------------------------------------------------------------------------------------------------

function reason(condition: CollectabilityCondition, code: string, path: string, message: string): CollectabilityReason {
  return { condition, code, path, message };
}

function invalidDate(
  condition: CollectabilityCondition,
  code: string,
  path: string,
  value: unknown,
): CollectabilityReason {
  return reason(condition, code, path, `not a calendar date (YYYY-MM-DD): ${JSON.stringify(value) ?? 'missing'}`);
}

function isDate(value: unknown): value is CalendarDate {
  return typeof value === 'string' && isCalendarDate(value);
}

function fieldOf(invoice: unknown, field: keyof Invoice): unknown {
  return typeof invoice === 'object' && invoice !== null ? (invoice as Record<string, unknown>)[field] : undefined;
}
