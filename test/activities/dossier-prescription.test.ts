/**
 * R1 per invoice, R6: the handoff dossier of a partly barred claim hands only the enforceable
 * invoices for court action; a barred invoice is listed for the record, "exclue de toute action en
 * justice", and the small-claims threshold (CPCE L125-1) is judged on the enforceable part.
 */
import { buildManifest, buildSummary } from '../../activities/handoff/dossier';
import { claimPrescription } from '../../domain/prescription';
import { computeStatement } from '../../domain/statement';
import { DEFAULT_RATE_TABLE } from '../../domain/late-charges';
import type { Invoice } from '../../domain/types';
import type { CaseRecord } from '../../models/case-record';

const OLD: Invoice = { number: 'OLD', issueDate: '2024-11-01', dueDate: '2024-12-01', amountCents: 400_000 };
const NEW: Invoice = { number: 'NEW', issueDate: '2026-10-01', dueDate: '2026-11-01', amountCents: 300_000 };
const TODAY = '2026-12-03';

const record = {
  caseId: 'c_dossier',
  reference: 'INV-1',
  openedAt: new Date('2026-11-05T09:00:00Z'),
  creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
  debtor: { kind: 'consumer', name: 'M. Martin', address: '5 avenue Foch, 69006 Lyon' },
  claim: { nature: 'Abonnement', basis: 'Contrat', currency: 'EUR', invoices: [OLD, NEW] },
  paymentInstructions: 'virement',
} as unknown as CaseRecord;

function manifest(invoices: Invoice[]) {
  return buildManifest({
    record,
    journal: [],
    documents: [],
    at: new Date(`${TODAY}T10:00:00Z`),
    statement: computeStatement({
      invoices,
      payments: [],
      debtorKind: 'consumer',
      asOf: TODAY,
      lateCharges: 'waive',
      rates: DEFAULT_RATE_TABLE,
      currency: 'EUR',
    }),
    prescription: claimPrescription({ nature: '', basis: '', currency: 'EUR', invoices }, 'consumer', [], TODAY),
  });
}

const prescriptionSection = (invoices: Invoice[]) =>
  buildSummary(manifest(invoices)).sections.find((section) => section.heading === 'Prescription')!.paragraphs!;

describe('the dossier of a partly barred claim', () => {
  test('only the enforceable invoice is handed for court action; the barred one is listed as such', () => {
    const lines = prescriptionSection([OLD, NEW]);
    expect(lines).toContain('Factures transmises pour action en justice : NEW (les seules non prescrites).');
    expect(lines.find((line) => line.startsWith('Facture OLD'))).toMatch(
      /^Facture OLD : prescrite depuis le lendemain du 1 décembre 2026 — exclue de toute action en justice, paiement volontaire seulement/,
    );
    expect(lines.find((line) => line.startsWith('Facture NEW'))).toMatch(/^Facture NEW : exigible en justice jusqu'au/);
  });

  test('the small-claims procedure is judged on the enforceable part only', () => {
    const partly = manifest([OLD, NEW]);
    expect(partly.balanceCents).toBe(700_000);
    expect(partly.enforceableBalanceCents).toBe(300_000);
    expect(partly.smallClaimsProcedure.eligible).toBe(true);
  });

  test('nothing barred: no split, the whole balance', () => {
    const lines = prescriptionSection([NEW]);
    expect(lines.some((line) => line.startsWith('Factures transmises'))).toBe(false);
    expect(manifest([NEW]).enforceableBalanceCents).toBe(300_000);
  });
});
