/**
 * What a case says when the rate table lacks the value its interest needs: once per half-year, in
 * its journal, that legal interest (Code civil 1231-6) is not claimed for those days. Never a
 * guessed rate: the amounts leave the days out (domain/late-charges.ts).
 */
import { legalRateOn, halfYearOf } from '../legal-interest';
import type { CaseEffect } from './effects';
import { legalInterestStart, ratesOf, todayOf } from './state';
import type { CalendarDate } from '../types';
import type { CaseState, IsoInstant } from './types';

const frenchDate = (day: CalendarDate): string => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

export function noteUnpublishedLegalRate(state: CaseState, now: IsoInstant): CaseEffect[] {
  const start = legalInterestStart(state);
  const today = todayOf(now);
  if (start === undefined || start > today) return [];
  if (legalRateOn(ratesOf(state), 'other', today)) return [];
  const halfYear = halfYearOf(today);
  const noted = state.legalRateGapsNoted ?? [];
  if (noted.includes(halfYear)) return [];
  state.legalRateGapsNoted = [...noted, halfYear];
  const from = start > halfYear ? start : halfYear;
  return [
    {
      kind: 'journal',
      note: {
        type: 'interest_not_claimed',
        channel: 'system',
        actor: { role: 'system' },
        summary:
          `Intérêts au taux légal (Code civil 1231-6) non réclamés à compter du ${frenchDate(from)} : ` +
          `le taux du semestre commençant le ${frenchDate(halfYear)} n’est pas publié dans la table des taux ` +
          '(un gestionnaire le saisit par POST /rates ; aucun taux n’est deviné).',
      },
    },
  ];
}
