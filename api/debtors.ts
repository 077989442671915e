/**
 * `GET /debtors/:id` (issue 15): one debtor across its cases and creditors, as the directory groups
 * them (models/debtor-directory.ts). Every read is by `_id`: the directory's lists, then each case's
 * record and saved view. The contact budget and the merged contact history come with the budget.
 */
import type { Connection } from 'mongoose';
import { isTerminal } from '../domain/case/state';
import type { CaseStatus } from '../domain/case/types';
import type { CaseRecordModel } from '../models/case-record';
import type { CaseViewModel } from '../models/case-view';
import { casesOfDebtor, currentDebtorKey, debtorExists, keysOfDebtor } from '../models/debtor-directory';
import { readCases } from './cases';
import { ApiError } from './errors';
import type { CaseResource, debtorResource } from './schemas';
import type { z } from 'zod';

/** A debtor with more cases shows these and says so: one answer stays one bounded read. */
export const MAX_DEBTOR_CASES = 500;

export function createDebtorService(dependencies: {
  database: Connection;
  records: CaseRecordModel;
  views: CaseViewModel;
}) {
  const { database, records, views } = dependencies;

  async function getDebtor(key: string): Promise<z.output<typeof debtorResource>> {
    const current = await currentDebtorKey(database, key);
    if (!(await debtorExists(database, current))) throw new ApiError('not_found', `no debtor ${key}`);
    const [keys, caseIds] = await Promise.all([keysOfDebtor(database, current), casesOfDebtor(database, current)]);
    const cases = await readCases({ records, views }, caseIds.slice(0, MAX_DEBTOR_CASES));
    const isOpen = (item: CaseResource) => !isTerminal(item.status as CaseStatus);
    const byOpening = (a: CaseResource, b: CaseResource) => Date.parse(a.openedAt) - Date.parse(b.openedAt);
    const open = cases.filter(isOpen).sort(byOpening);
    const closed = cases.filter((item) => !isOpen(item)).sort(byOpening);
    const balances = new Map<string, number>();
    for (const item of open)
      balances.set(item.amounts.currency, (balances.get(item.amounts.currency) ?? 0) + item.amounts.balanceCents);
    return {
      id: current,
      keys,
      openCases: open.length,
      closedCases: closed.length,
      balances: [...balances].map(([currency, balanceCents]) => ({ currency, balanceCents })),
      cases: [...open, ...closed],
      casesTruncated: caseIds.length > MAX_DEBTOR_CASES,
    };
  }

  return { getDebtor };
}

export type DebtorService = ReturnType<typeof createDebtorService>;
