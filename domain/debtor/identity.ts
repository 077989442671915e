/**
 * Who a debtor is, across cases and creditors (issue 15): the identifiers a case brings, and the
 * rule that decides, when a new case arrives, which known debtor it belongs to and which known
 * debtors it shows to be one.
 *
 * Harassment is judged per person (R4), so the contact budget and the consolidated messages are
 * per debtor, not per créance. Getting the grouping wrong costs in both directions: two debtors
 * taken for one would see each other's debts in a consolidated message (a disclosure to a third
 * party) and share a budget; one debtor taken for two gets twice the contacts. So:
 *
 * - **Registry numbers are authoritative.** A SIREN (from a SIREN or a SIRET, checksum verified)
 *   or another registry number names one legal person; two different ones are two debtors, even
 *   when they share an accountant's e-mail address or a switchboard number.
 * - **A creditor's own customer id** (`debtor.id` in its system) names one debtor for that creditor
 *   only: another creditor's "C-001" is someone else.
 * - **Contact points** (e-mail address, phone number) link cases that name no registry number, or
 *   the same one. A postal address or a name never links: households, buildings and homonyms.
 *
 * Pure: no hashing here (the store keeps identifiers hashed, models/), no clock, no I/O.
 */

export type IdentifierKind = 'siren' | 'legal_id' | 'creditor_ref' | 'email' | 'phone';

export interface DebtorIdentifier {
  readonly kind: IdentifierKind;
  /** Normalised: the same identifier always reads the same, whatever its spelling at intake. */
  readonly value: string;
}

/** What intake knows of a debtor: the fields of `POST /cases`'s `debtor`, plus the creditor. */
export interface DebtorFacts {
  readonly creditorId: string;
  /** The debtor's id in the creditor's own system, when the creditor gives one. */
  readonly id?: string | undefined;
  readonly legalId?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
}

/** From the strongest to the weakest: the debtor's key is minted from the first one a case has. */
export const IDENTIFIER_STRENGTH: readonly IdentifierKind[] = ['siren', 'legal_id', 'creditor_ref', 'email', 'phone'];

/** Luhn's checksum, as INSEE computes it for SIREN and SIRET numbers. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** La Poste's establishments are too many for Luhn's SIRET: INSEE checks their digit sum by 5. */
const LA_POSTE_SIREN = '356000000';

function sirenOfSiret(siret: string): string | null {
  const siren = siret.slice(0, 9);
  if (siren === LA_POSTE_SIREN) {
    const sum = [...siret].reduce((total, digit) => total + Number(digit), 0);
    return sum % 5 === 0 ? siren : null;
  }
  return luhnValid(siret) && luhnValid(siren) ? siren : null;
}

/**
 * A registry number as written at intake ("552 100 554", "552 100 554 00013", "FR 12 552100554"):
 * a SIREN when it is a valid SIREN, SIRET or French VAT number, otherwise the number itself in
 * upper case without spaces, dots, dashes or slashes (a foreign registry). Empty: none.
 */
export function legalIdentifier(legalId: string): DebtorIdentifier | null {
  const compact = legalId.replace(/[\s.\-/]/g, '').toUpperCase();
  if (compact === '') return null;
  if (/^\d{9}$/.test(compact) && luhnValid(compact)) return { kind: 'siren', value: compact };
  if (/^\d{14}$/.test(compact)) {
    const siren = sirenOfSiret(compact);
    if (siren) return { kind: 'siren', value: siren };
  }
  // A French VAT number is FR, a two-character key, then the SIREN.
  const vat = /^FR[0-9A-Z]{2}(\d{9})$/.exec(compact);
  if (vat && luhnValid(vat[1]!)) return { kind: 'siren', value: vat[1]! };
  return { kind: 'legal_id', value: compact };
}

/**
 * An e-mail address as one mailbox: trimmed and lower-cased whole. Nothing more is folded (no
 * removed dots, no dropped `+tag`): what one provider treats as the same mailbox another does not,
 * and merging two debtors wrongly is worse than missing a link.
 */
export function emailIdentifier(email: string): DebtorIdentifier | null {
  const value = email.trim().toLowerCase();
  return value.includes('@') ? { kind: 'email', value } : null;
}

/** A phone number as intake accepts it (E.164, `+33612345678`), spaces removed. */
export function phoneIdentifier(phone: string): DebtorIdentifier | null {
  const value = phone.replace(/[\s.\-()]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(value) ? { kind: 'phone', value } : null;
}

/** The creditor's own customer id, scoped to that creditor. */
export function creditorReference(creditorId: string, id: string): DebtorIdentifier | null {
  const value = id.trim();
  return value === '' ? null : { kind: 'creditor_ref', value: `${creditorId}:${value}` };
}

/** Every identifier a case brings, strongest first, each once. */
export function debtorIdentifiers(facts: DebtorFacts): DebtorIdentifier[] {
  const found = [
    facts.legalId === undefined ? null : legalIdentifier(facts.legalId),
    facts.id === undefined ? null : creditorReference(facts.creditorId, facts.id),
    facts.email === undefined ? null : emailIdentifier(facts.email),
    facts.phone === undefined ? null : phoneIdentifier(facts.phone),
  ].filter((identifier): identifier is DebtorIdentifier => identifier !== null);
  return sortedByStrength(unique(found));
}

/** `kind:value`: one string per identifier, what the store hashes. */
export function identifierText(identifier: DebtorIdentifier): string {
  return `${identifier.kind}:${identifier.value}`;
}

function unique(identifiers: readonly DebtorIdentifier[]): DebtorIdentifier[] {
  const seen = new Set<string>();
  return identifiers.filter((identifier) => {
    const text = identifierText(identifier);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

function sortedByStrength(identifiers: readonly DebtorIdentifier[]): DebtorIdentifier[] {
  return [...identifiers].sort(
    (a, b) =>
      IDENTIFIER_STRENGTH.indexOf(a.kind) - IDENTIFIER_STRENGTH.indexOf(b.kind) ||
      identifierText(a).localeCompare(identifierText(b)),
  );
}

/**
 * Whether two sets of identifiers may belong to one debtor, decided by the strongest evidence both
 * sides have: registry numbers when both have one (the same one, or two legal persons whatever else
 * they share); otherwise, for each creditor that gave both sides a customer id, that id; otherwise
 * nothing contradicts them, and a shared contact point may link them.
 */
export function compatible(a: readonly DebtorIdentifier[], b: readonly DebtorIdentifier[]): boolean {
  const [registryA, registryB] = [a.filter(isRegistry), b.filter(isRegistry)];
  if (registryA.length > 0 && registryB.length > 0) return shareAny(registryA, registryB);
  const refsB = referencesByCreditor(b);
  for (const [creditor, refs] of referencesByCreditor(a)) {
    const other = refsB.get(creditor);
    if (other && !refs.some((ref) => other.includes(ref))) return false;
  }
  return true;
}

function isRegistry(identifier: DebtorIdentifier): boolean {
  return identifier.kind === 'siren' || identifier.kind === 'legal_id';
}

function referencesByCreditor(identifiers: readonly DebtorIdentifier[]): Map<string, string[]> {
  const byCreditor = new Map<string, string[]>();
  for (const identifier of identifiers) {
    if (identifier.kind !== 'creditor_ref') continue;
    const creditor = identifier.value.slice(0, identifier.value.indexOf(':'));
    byCreditor.set(creditor, [...(byCreditor.get(creditor) ?? []), identifier.value]);
  }
  return byCreditor;
}

function shareAny(a: readonly DebtorIdentifier[], b: readonly DebtorIdentifier[]): boolean {
  const texts = new Set(a.map(identifierText));
  return b.some((identifier) => texts.has(identifierText(identifier)));
}

/** A debtor already known: its key, when it was first seen, and every identifier its cases brought. */
export interface KnownDebtor {
  readonly key: string;
  /** ISO instant of its first case: the oldest debtor survives a merge. */
  readonly since: string;
  readonly identifiers: readonly DebtorIdentifier[];
}

export type DebtorResolution =
  /** No known debtor shares an identifier the case may join: a new debtor. */
  | { readonly kind: 'new' }
  /** The case joins `key`; `absorbed` (oldest first) are the same debtor and merge into it. */
  | { readonly kind: 'join'; readonly key: string; readonly absorbed: readonly string[] }
  /**
   * The case shares identifiers with debtors that cannot all be one (two SIRENs behind one e-mail
   * address, and the case names neither): it stays a debtor of its own until a manager decides,
   * and `sharedWith` says whom it was kept apart from.
   */
  | { readonly kind: 'ambiguous'; readonly sharedWith: readonly string[] };

/**
 * Which known debtor a new case belongs to. `known` are the debtors that share at least one of the
 * case's identifiers (the store finds them by identifier). The case joins those it is compatible
 * with; when they are compatible with each other too, the case proves them one debtor and they
 * merge into the oldest (ties: the smaller key). When they are not, the case would have to choose
 * between legal persons on the strength of a contact point: it does not.
 */
export function resolveDebtor(
  identifiers: readonly DebtorIdentifier[],
  known: readonly KnownDebtor[],
): DebtorResolution {
  const linked = known.filter((debtor) => shareAny(identifiers, debtor.identifiers));
  const joinable = linked.filter((debtor) => compatible(identifiers, debtor.identifiers));
  if (joinable.length === 0) return { kind: 'new' };
  // Pairwise is enough: every rule compares values of one kind, so any contradiction in the merged
  // debtor lies between two of its parts.
  const oneDebtor = joinable.every((debtor) =>
    joinable.every((other) => debtor === other || compatible(debtor.identifiers, other.identifiers)),
  );
  if (!oneDebtor) {
    return { kind: 'ambiguous', sharedWith: joinable.map((debtor) => debtor.key).sort() };
  }
  const [survivor, ...absorbed] = [...joinable].sort(
    (a, b) => a.since.localeCompare(b.since) || a.key.localeCompare(b.key),
  );
  return { kind: 'join', key: survivor!.key, absorbed: absorbed.map((debtor) => debtor.key) };
}
