/**
 * How long a worker spends rendering evidence: a mise en demeure (compose + compliance check +
 * PDF), and a handoff dossier summary whose journal has many entries.
 *
 *   npm run bench:documents [runs] [journal entries]
 */
import { renderLetterPdf } from '../activities/documents/letter-pdf';
import { renderSummaryPdf } from '../activities/documents/summary-pdf';
import { composeMessage, messageContext, wordingFor } from '../activities/messages/compose';
import type { SendMessageInput } from '../activities/contracts';
import { checkMessage } from '../domain/compliance';
import type { CaseRecord } from '../models/case-record';

const record = {
  caseId: 'c_bench',
  reference: 'INV-2026-0042',
  creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
  debtor: { kind: 'business', name: 'Dupont SARL', address: '5 avenue Foch, 69006 Lyon' },
  claim: { nature: 'Prestation de maintenance', basis: 'Bon de commande BC-778 signé', currency: 'EUR', invoices: [] },
  paymentInstructions: 'virement au compte IBAN FR76 3000 6000 0112 3456 7890 189',
} as unknown as CaseRecord;

const notice: SendMessageInput = {
  caseId: 'c_bench',
  idempotencyKey: 'c_bench:formal_notice:letter',
  stage: 'formal_notice',
  channel: 'letter',
  tone: 'formal',
  template: 'formal_notice',
  debtorKind: 'business',
  timeBarred: false,
  amounts: {
    principalCents: 185000,
    interestCents: 1234,
    accessoriesCents: 4000,
    paidCents: 0,
    totalCents: 190234,
    currency: 'EUR',
  },
  invoiceNumbers: ['F-2025-118'],
  formalNoticeDeadline: '2026-12-14',
  at: '2026-12-02T10:00:00.000Z',
};

async function timed(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

function report(what: string, samples: number[]): void {
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(1);
  console.log(`${what} (${samples.length} runs): p50 ${pick(0.5)} ms   p90 ${pick(0.9)} ms   max ${pick(1)} ms`);
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 50);
  const entries = Number(process.argv[3] ?? 500);
  report(
    'mise en demeure: compose, check, PDF',
    await timed(runs, async () => {
      const context = messageContext(record, notice, { reference: record.reference, date: '3 novembre 2026' });
      const message = composeMessage(wordingFor(notice)!, record, context, notice);
      if (!checkMessage(message, context).ok) throw new Error('the bench letter is not compliant');
      return renderLetterPdf({
        sender: { name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
        recipient: { name: 'Dupont SARL', address: '5 avenue Foch, 69006 Lyon' },
        dateLine: 'Le 2 décembre 2026',
        reference: record.reference,
        sendingMode: 'Lettre recommandée avec accusé de réception',
        title: message.subject!,
        body: message.body,
        createdAt: new Date(notice.at),
      });
    }),
  );
  const journal = Array.from({ length: entries }, (_, n) => [
    '02/12/2026 10:00',
    'message',
    'email',
    'sent',
    `entrée ${n + 1} : relance envoyée par e-mail, remise au serveur du destinataire (SendGrid)`,
  ]);
  const summary = {
    title: 'Dossier de transmission au commissaire de justice',
    createdAt: new Date(notice.at),
    sections: [
      {
        heading: `Journal (${entries} entrées)`,
        table: { columns: ['Date', 'Type', 'Canal', 'Statut', 'Résumé'], rows: journal },
      },
    ],
  };
  const pdfs: number[] = [];
  report(
    `dossier summary, ${entries} journal entries`,
    await timed(Math.max(1, Math.floor(runs / 5)), async () => pdfs.push((await renderSummaryPdf(summary)).length)),
  );
  console.log(`  summary size: ${(pdfs[0]! / 1024).toFixed(0)} kB`);
}

void main();
