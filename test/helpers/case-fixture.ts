/**
 * A case as the pure rules of domain/case see it, for the domain tests: one business claim under
 * the standard policy, opened on a Monday morning in Paris with no public holiday near.
 */
import { DateTime } from 'luxon';
import type { Actor } from '../../domain/case/actions';
import type { CaseEffect } from '../../domain/case/effects';
import type { CaseInput, IsoInstant } from '../../domain/case/types';
import { addDays } from '../../domain/dates';
import type { CalendarDate } from '../../domain/types';

export const manager: Actor = { role: 'manager' };

/** An instant given as Paris wall-clock time, built with luxon rather than the code under test. */
export function paris(local: string): IsoInstant {
  const dateTime = DateTime.fromISO(local, { zone: 'Europe/Paris' });
  if (!dateTime.isValid) throw new Error(`bad test date ${local}`);
  return dateTime.toUTC().toISO()!;
}

// Monday 1 February 2027, 09:00 in Paris: before the 10:00 contact window, no public holiday near.
export const OPENING = paris('2027-02-01T09:00');

/** `caseInput(overrides, dueDate)` for one file's case: its id and its invoice's amount. */
export function caseInputOf(caseId: string, amountCents: number) {
  return (overrides: Partial<CaseInput> = {}, dueDate: CalendarDate = '2027-01-29'): CaseInput => ({
    caseId,
    reference: 'INV-2025-0042',
    creditorId: 'acme',
    debtorKind: 'business',
    policyId: 'standard',
    currency: 'EUR',
    invoices: [{ number: 'F-2025-118', issueDate: addDays(dueDate, -30), dueDate, amountCents }],
    openedAt: OPENING,
    ...overrides,
  });
}

export const contactsOf = (effects: CaseEffect[]) =>
  effects.flatMap((effect) => (effect.kind === 'contact' ? [effect.contact] : []));
