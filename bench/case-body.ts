import type { DateTime } from 'luxon';

/**
 * The claim the benchmarks open: a collectable business invoice of 1 850 €, due on `dueDate` (a
 * Paris day), for debtor number `index`. What the standard policy does with it depends only on how
 * overdue it is (domain/policies.ts), which each bench chooses.
 */
export function benchCaseBody({
  creditor,
  reference,
  index,
  dueDate,
}: {
  creditor: { id: string; name: string };
  reference: string;
  index: number;
  dueDate: DateTime;
}) {
  return {
    reference,
    creditor: { ...creditor, address: '1 rue de la Paix, 75001 Paris' },
    debtor: {
      kind: 'business' as const,
      name: `Débiteur ${index} SARL`,
      email: `debiteur-${index}@example.test`,
      address: `${index} avenue de la République, 75011 Paris`,
    },
    claim: {
      nature: 'Maintenance, octobre',
      basis: 'Bon de commande BC-778 signé',
      invoices: [
        {
          number: `F-${index}`,
          issueDate: dueDate.minus({ days: 30 }).toISODate()!,
          dueDate: dueDate.toISODate()!,
          amountCents: 185_000,
        },
      ],
    },
  };
}
