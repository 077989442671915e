/**
 * The handoff dossier (R6): what a commissaire de justice needs to take a case over, as a JSON
 * manifest for their software and a PDF summary for a person. Built from what the case kept: the
 * record (parties, contract, invoices), the whole journal, the stored documents (the mise en
 * demeure as posted), and the breakdown and prescription status the workflow computed at handoff.
 * Pure: no I/O, so what goes into a dossier is tested without a database.
 */
import type { ClaimPrescription } from '../../domain/prescription';
import type { Statement } from '../../domain/statement';
import { formatAmount } from '../../domain/money';
import { channelName } from '../../domain/french-text';
import type { CaseView } from '../contracts';
import type { CaseRecord } from '../../models/case-record';
import type { JournalEntry } from '../../models/journal-entry';
import type { StoredDocument } from '../../models/document';
import type { SummaryDocument, SummarySection } from '../documents/summary-pdf';
import { frenchCalendarDate } from '../messages/compose';

export const DOSSIER_FORMAT = 'amiable.handoff-dossier/1';

/** CPCE L125-1: the simplified procedure for small claims, up to €5,000. */
export const SMALL_CLAIMS_LIMIT_CENTS = 500_000;

export type DocumentListing = Omit<StoredDocument, 'content'>;

export interface DossierSources {
  record: CaseRecord;
  /** The case as its workflow last stored it (`case_views`); null before its first save. */
  view?: CaseView | null;
  journal: JournalEntry[];
  documents: DocumentListing[];
  statement?: Statement;
  prescription?: ClaimPrescription;
  at: Date;
}

const LETTER_FORMS: Readonly<Record<string, string>> = {
  lrar: 'lettre recommandée avec accusé de réception (LRAR)',
  lre: 'lettre recommandée électronique (LRE)',
  ordinary: 'lettre simple',
};

const PARIS_TIME = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  dateStyle: 'short',
  timeStyle: 'short',
});

const JOURNAL_FIELDS = (entry: JournalEntry) => ({
  at: entry.at.toISOString(),
  type: entry.type,
  ...(entry.channel ? { channel: entry.channel } : {}),
  ...(entry.stage ? { stage: entry.stage } : {}),
  ...(entry.status ? { status: entry.status } : {}),
  summary: entry.summary,
  ...(entry.providerMessageId ? { providerMessageId: entry.providerMessageId } : {}),
  ...(entry.content?.subject || entry.content?.body
    ? { content: { subject: entry.content.subject ?? undefined, body: entry.content.body ?? undefined } }
    : {}),
  ...(entry.document ? { document: entry.document } : {}),
  actor: { role: entry.actor?.role, ...(entry.actor?.id ? { id: entry.actor.id } : {}) },
});

/** The mise en demeure as sent, and what the providers said about it afterwards. */
function formalNoticeProof(journal: JournalEntry[], documents: DocumentListing[]) {
  const sent = journal.filter(
    (entry) =>
      entry.type === 'message' &&
      entry.stage === 'formal_notice' &&
      (entry.status === 'sent' || entry.status === 'simulated'),
  );
  return sent.map((entry) => {
    const document = entry.document ? documents.find((listed) => listed.documentId === entry.document?.id) : undefined;
    const followUps = journal.filter(
      (later) => later !== entry && entry.providerMessageId && later.providerMessageId === entry.providerMessageId,
    );
    return {
      sentAt: entry.at.toISOString(),
      channel: entry.channel,
      status: entry.status,
      ...(entry.document?.form ? { form: entry.document.form } : {}),
      ...(entry.providerMessageId ? { providerReference: entry.providerMessageId } : {}),
      ...(document
        ? { document: { id: document.documentId, filename: document.filename, sha256: document.sha256 } }
        : {}),
      deliveryEvents: followUps.map((event) => ({ at: event.at.toISOString(), summary: event.summary })),
    };
  });
}

export function buildManifest(sources: DossierSources) {
  const { record, journal, documents, statement, prescription, at } = sources;
  const view = sources.view ?? null;
  const balanceCents = statement?.totals.balanceCents ?? view?.amounts.balanceCents ?? null;
  // R1 per invoice: what a court may still be asked for leaves out what is owed on barred invoices.
  const barred = new Set(
    ((prescription as Partial<ClaimPrescription> | undefined)?.invoices ?? [])
      .filter((invoice) => invoice.prescribed)
      .map((invoice) => invoice.invoiceNumber),
  );
  const barredCents = (statement?.invoices ?? [])
    .filter((line) => barred.has(line.number))
    .reduce((sum, line) => sum + line.balanceCents, 0);
  const enforceableBalanceCents = balanceCents === null ? null : Math.max(0, balanceCents - barredCents);
  return {
    format: DOSSIER_FORMAT,
    generatedAt: at.toISOString(),
    case: { id: record.caseId, reference: record.reference, openedAt: record.openedAt.toISOString() },
    parties: {
      creditor: record.creditor,
      ...(record.collector ? { collector: record.collector } : {}),
      debtor: record.debtor,
    },
    claim: {
      nature: record.claim.nature,
      basis: record.claim.basis,
      ...(record.claim.type ? { type: record.claim.type } : {}),
      currency: record.claim.currency,
      invoices: record.claim.invoices,
      paymentInstructions: record.paymentInstructions,
    },
    breakdown: statement ?? null,
    balanceCents,
    /** The balance less what is owed on time-barred invoices: the part that may go to court. */
    enforceableBalanceCents,
    smallClaimsProcedure: {
      article: 'CPCE L125-1',
      eligible:
        enforceableBalanceCents !== null &&
        record.claim.currency === 'EUR' &&
        enforceableBalanceCents <= SMALL_CLAIMS_LIMIT_CENTS,
    },
    prescription: prescription ?? view?.prescription ?? null,
    formalNotices: formalNoticeProof(journal, documents),
    installmentPlan: view?.installmentPlan ?? null,
    dispute: view?.dispute ?? null,
    documents: documents.map((document) => ({
      id: document.documentId,
      kind: document.kind,
      filename: document.filename,
      contentType: document.contentType,
      sha256: document.sha256,
      size: document.size,
      createdAt: document.createdAt.toISOString(),
    })),
    journal: journal.map(JOURNAL_FIELDS),
  };
}

export type DossierManifest = ReturnType<typeof buildManifest>;

const money = (cents: number | null | undefined, currency: string) =>
  cents === null || cents === undefined ? '—' : formatAmount(cents, currency);

function breakdownSections(manifest: DossierManifest, currency: string): SummarySection[] {
  const statement = manifest.breakdown;
  if (!statement) {
    return [
      { heading: 'Décompte', paragraphs: ['Décompte détaillé indisponible (dossier antérieur au décompte daté).'] },
    ];
  }
  const sections: SummarySection[] = [
    {
      heading: `Décompte au ${frenchCalendarDate(statement.asOf)}`,
      // R6, R2: principal, interest and accessories each on its own line, accrued and still due;
      // dossiers from before the split (no *DueCents) show "—" there.
      fields: [
        ['Principal', money(statement.totals.principalCents, currency)],
        ['Principal restant dû', money(statement.totals.outstandingPrincipalCents, currency)],
        [
          statement.interestBasis === 'legal_interest' && statement.legalInterestFrom
            ? 'Intérêts au taux légal depuis la mise en demeure (Code civil 1231-6), à compter du ' +
              frenchCalendarDate(statement.legalInterestFrom)
            : `Pénalités de retard (Code de commerce L441-10)${
                statement.penaltyRatePercent === undefined
                  ? ''
                  : `, taux annuel en vigueur ${String(statement.penaltyRatePercent).replace('.', ',')} %`
              }`,
          money(statement.totals.interestCents, currency),
        ],
        ['Pénalités de retard restant dues', money(statement.totals.penaltyDueCents, currency)],
        [
          'Indemnités forfaitaires pour frais de recouvrement (Code de commerce L441-10, D441-5)',
          money(statement.totals.indemnityCents, currency),
        ],
        ['Indemnités forfaitaires restant dues', money(statement.totals.indemnityDueCents, currency)],
        ['Paiements reçus', money(statement.totals.paidCents, currency)],
        ...(statement.totals.waivedCents
          ? [['Accessoires abandonnés, le principal étant réglé', money(statement.totals.waivedCents, currency)]]
          : []),
        ['Solde restant dû', money(statement.totals.balanceCents, currency)],
      ] as [string, string][],
      table: {
        columns: ['Facture', 'Échéance', 'Principal', 'Pénalités', 'Indemnité', 'Payé', 'Solde'],
        rows: statement.invoices.map((line) => [
          line.number,
          frenchCalendarDate(line.dueDate),
          money(line.principalCents, currency),
          money(line.penaltyCents, currency),
          money(line.indemnityCents, currency),
          money(line.paidToPrincipalCents + line.paidToChargesCents, currency),
          money(line.balanceCents, currency),
        ]),
      },
    },
  ];
  const segments = (statement.rateSegments ?? []).flatMap((invoice) =>
    invoice.segments.map((segment) => [
      invoice.invoiceNumber,
      `${frenchCalendarDate(segment.from)} – ${frenchCalendarDate(segment.to)}`,
      `${segment.ratePercent} %`,
      money(segment.principalCents, currency),
      money(segment.penaltyCents, currency),
    ]),
  );
  if (segments.length) {
    sections.push({
      heading:
        statement.interestBasis === 'legal_interest'
          ? 'Taux de l’intérêt légal appliqués'
          : 'Taux appliqués aux pénalités',
      table: { columns: ['Facture', 'Période', 'Taux annuel', 'Assiette', 'Pénalités'], rows: segments },
    });
  }
  if (statement.paymentsApplied.length) {
    sections.push({
      heading: 'Paiements reçus',
      table: {
        columns: ['Date', 'Référence', 'Montant'],
        rows: statement.paymentsApplied.map((payment) => [
          frenchCalendarDate(payment.paidAt),
          payment.reference,
          money(payment.amountCents, currency),
        ]),
      },
    });
  }
  return sections;
}

function prescriptionLines(manifest: DossierManifest): string[] {
  const prescription = manifest.prescription;
  if (!prescription) return ['Statut de prescription indisponible.'];
  const lines = [
    prescription.prescribed
      ? 'Au moins une facture est prescrite : aucune action en justice ne doit être engagée pour la partie prescrite.'
      : 'Aucune facture prescrite à la date du dossier.',
    ...(prescription.date ? [`Prochaine date de prescription : ${frenchCalendarDate(prescription.date)}.`] : []),
  ];
  const invoices = (prescription as Partial<ClaimPrescription>).invoices ?? [];
  // R1 per invoice: a barred invoice is in the dossier for the record only, never for court action.
  const enforceable = invoices.filter((invoice) => !invoice.prescribed).map((invoice) => invoice.invoiceNumber);
  if (prescription.prescribed && enforceable.length > 0) {
    lines.push(`Factures transmises pour action en justice : ${enforceable.join(', ')} (les seules non prescrites).`);
  }
  for (const invoice of invoices) {
    lines.push(
      `Facture ${invoice.invoiceNumber} : ` +
        (invoice.prescribed && invoice.lastEnforceableDay
          ? `prescrite depuis le lendemain du ${frenchCalendarDate(invoice.lastEnforceableDay)} — exclue de toute ` +
            'action en justice, paiement volontaire seulement'
          : invoice.lastEnforceableDay
            ? `exigible en justice jusqu'au ${frenchCalendarDate(invoice.lastEnforceableDay)}`
            : 'prescription suspendue') +
        ` (${invoice.basis}).`,
    );
  }
  return lines;
}

export function buildSummary(manifest: DossierManifest): SummaryDocument {
  const { parties, claim } = manifest;
  const currency = claim.currency;
  const party = (who: { name: string; address?: string | null; legalId?: string | null }) =>
    [who.name, who.address, who.legalId ? `Identifiant : ${who.legalId}` : undefined].filter(Boolean).join(' — ');
  return {
    title: 'Dossier de transmission au commissaire de justice',
    subtitle: `Créance ${manifest.case.reference} — dossier ${manifest.case.id}`,
    createdAt: new Date(manifest.generatedAt),
    footer: `${DOSSIER_FORMAT} — établi le ${PARIS_TIME.format(new Date(manifest.generatedAt))}`,
    sections: [
      {
        heading: 'Parties',
        fields: [
          ['Créancier', party(parties.creditor)],
          ...(parties.collector ? [['Société de recouvrement', party(parties.collector)] as [string, string]] : []),
          [
            parties.debtor.kind === 'business' ? 'Débiteur (professionnel)' : 'Débiteur (consommateur)',
            party(parties.debtor),
          ],
        ],
      },
      {
        heading: 'Créance',
        fields: [
          ['Nature', claim.nature],
          ['Fondement', claim.basis],
          ['Modalités de paiement', claim.paymentInstructions],
          [
            'Procédure simplifiée (CPCE L125-1)',
            manifest.smallClaimsProcedure.eligible ? 'possible (≤ 5 000 €)' : 'non applicable',
          ],
        ],
        table: {
          columns: ['Facture', 'Émise le', 'Échéance', 'Montant'],
          rows: claim.invoices.map((invoice) => [
            invoice.number,
            frenchCalendarDate(invoice.issueDate),
            frenchCalendarDate(invoice.dueDate),
            money(invoice.amountCents, currency),
          ]),
        },
      },
      ...breakdownSections(manifest, currency),
      { heading: 'Prescription', paragraphs: prescriptionLines(manifest) },
      {
        heading: 'Mise en demeure',
        paragraphs: manifest.formalNotices.length
          ? manifest.formalNotices.map(
              (notice) =>
                `Envoyée le ${PARIS_TIME.format(new Date(notice.sentAt))} par ${LETTER_FORMS[notice.form ?? ''] ?? channelName(notice.channel ?? 'letter')}` +
                ` (${notice.status === 'simulated' ? 'envoi simulé' : 'envoyée'})` +
                (notice.providerReference ? `, référence ${notice.providerReference}` : '') +
                (notice.document ? `, document ${notice.document.filename} (SHA-256 ${notice.document.sha256})` : '') +
                (notice.deliveryEvents.length
                  ? `. Suivi : ${notice.deliveryEvents.map((event) => event.summary).join(' ; ')}`
                  : '') +
                '.',
            )
          : ['Aucune mise en demeure envoyée.'],
      },
      {
        heading: 'Échéancier et contestation',
        paragraphs: [
          manifest.installmentPlan
            ? `Échéancier convenu le ${PARIS_TIME.format(new Date(manifest.installmentPlan.agreedAt))} ` +
              `(${manifest.installmentPlan.installments.length} échéances).`
            : 'Aucun échéancier.',
          manifest.dispute ? 'Contestation en cours.' : 'Aucune contestation en cours.',
        ],
      },
      {
        heading: `Journal des échanges (${manifest.journal.length} entrées)`,
        table: {
          columns: ['Date', 'Type', 'Canal', 'Statut', 'Résumé'],
          columnWidths: [0.16, 0.14, 0.09, 0.1, 0.51],
          rows: manifest.journal.map((entry) => [
            PARIS_TIME.format(new Date(entry.at)),
            entry.type,
            entry.channel ?? '',
            entry.status ?? '',
            entry.summary,
          ]),
        },
      },
      {
        heading: 'Pièces',
        table: {
          columns: ['Fichier', 'Nature', 'SHA-256'],
          columnWidths: [0.4, 0.15, 0.45],
          rows: manifest.documents.map((document) => [document.filename, document.kind, document.sha256]),
        },
      },
    ],
  };
}
