/**
 * The structured report behind the handoff dossier summary, checked by extracting its text, and by
 * reading the drawn text positions back from the content streams to prove nothing lands in the
 * bottom margin, however tall the rows.
 */
import { inflateSync } from 'node:zlib';
import { renderSummaryPdf, type SummaryDocument } from '../../activities/documents/summary-pdf';
import { inspectPdf, normalised } from '../helpers/pdf-text';

const euros = (amount: number) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(amount);
const AT = new Date('2026-12-02T09:00:00+01:00');
const JOURNAL_COLUMNS = ['Date', 'Type', 'Canal', 'Statut', 'Résumé'];

/** Summaries of varied length, so that rows take one to several lines. */
const journalRow = (n: number): string[] => [
  `${String((n % 28) + 1).padStart(2, '0')}/11/2026 10:${String(n % 60).padStart(2, '0')}`,
  n % 3 ? 'message' : 'delivery',
  n % 2 ? 'email' : 'sms',
  'sent',
  `entrée ${n} : ` + 'relance envoyée au débiteur, accusé de réception reçu, '.repeat(n % 5) + 'fin.',
];

const summaryOf = (journal: string[][]): SummaryDocument => ({
  title: 'Dossier de transmission au commissaire de justice',
  subtitle: 'Créance AMI-2026-0042 — dossier case-42',
  createdAt: AT,
  footer: 'amiable-dossier/1 — établi le 2 décembre 2026',
  sections: [
    {
      heading: 'Parties',
      fields: [
        ['Créancier', 'ACME SAS — 1 rue de la Paix, 75001 Paris — Identifiant : SIREN 123 456 789'],
        ['Débiteur (professionnel)', 'Dupont SARL — 5 avenue Foch, 69006 Lyon'],
      ],
    },
    {
      heading: 'Créance',
      fields: [
        ['Modalités de paiement', 'Virement sur FR76 3000 6000 0112 3456 7890 189, référence AMI-2026-0042'],
        ['Procédure simplifiée (CPCE L125-1)', 'possible (≤ 5 000 €)'],
      ],
      table: {
        columns: ['Facture', 'Émise le', 'Échéance', 'Montant'],
        rows: [['F-2026-118', '2 octobre 2026', '1er novembre 2026', euros(1850)]],
      },
    },
    {
      heading: 'Prescription',
      paragraphs: [
        'Aucune facture prescrite à la date du dossier.',
        'Prochaine date de prescription : 1er novembre 2031.',
      ],
    },
    {
      heading: `Journal des échanges (${journal.length} entrées)`,
      table: { columns: JOURNAL_COLUMNS, columnWidths: [0.16, 0.14, 0.09, 0.1, 0.51], rows: journal },
    },
  ],
});

const A4_HEIGHT = 841.89;
const MARGIN = 56;

/**
 * The baseline (PDF y, from the page bottom) of every piece of text drawn. pdfkit places each
 * text fragment with an absolute `1 0 0 1 x y Tm` inside deflated content streams.
 */
function textBaselines(pdf: Buffer): number[] {
  const raw = pdf.toString('latin1');
  const baselines: number[] = [];
  for (const match of raw.matchAll(/>>\nstream\n/g)) {
    const start = match.index + match[0].length;
    const end = raw.indexOf('\nendstream', start);
    const content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    for (const tm of content.matchAll(/1 0 0 1 (-?[\d.]+) (-?[\d.]+) Tm/g)) baselines.push(Number(tm[2]));
  }
  return baselines;
}

/** Content stays above the bottom margin; only the footer line sits in it. */
function expectNothingInBottomMargin(pdf: Buffer): void {
  const baselines = textBaselines(pdf);
  expect(baselines.length).toBeGreaterThan(0);
  const misplaced = baselines.filter((y) => y > A4_HEIGHT || y < 20 || (y > 40 && y < MARGIN));
  expect(misplaced).toEqual([]);
}

describe('renderSummaryPdf', () => {
  test('prints the title, headings, fields, paragraphs, tables and footer, € and accents intact', async () => {
    const pdf = await renderSummaryPdf(summaryOf([journalRow(1), journalRow(2)]));

    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { text, info } = await inspectPdf(pdf);
    const found = normalised(text);
    for (const expected of [
      'Dossier de transmission au commissaire de justice',
      'Créance AMI-2026-0042 — dossier case-42',
      'Parties',
      'Créancier ACME SAS — 1 rue de la Paix, 75001 Paris — Identifiant : SIREN 123 456 789',
      'Débiteur (professionnel) Dupont SARL — 5 avenue Foch, 69006 Lyon',
      'Modalités de paiement',
      'FR76 3000 6000 0112 3456 7890 189',
      'Procédure simplifiée (CPCE L125-1)',
      // ≤ is not in WinAnsi: it gets an ASCII stand-in rather than a "?".
      'possible (<= 5 000 €)',
      'Facture Émise le Échéance Montant',
      'F-2026-118 2 octobre 2026 1er novembre 2026 1 850,00 €',
      'Prescription',
      'Aucune facture prescrite à la date du dossier.',
      'Prochaine date de prescription : 1er novembre 2031.',
      'Journal des échanges (2 entrées)',
      'Date Type Canal Statut Résumé',
      'entrée 1 : relance envoyée au débiteur',
      'amiable-dossier/1 — établi le 2 décembre 2026',
      'Page 1 / 1',
    ]) {
      expect(found).toContain(normalised(expected));
    }
    expect(info).toMatchObject({
      Title: 'Dossier de transmission au commissaire de justice',
      Creator: 'Amiable',
      CreationDate: 'D:20261202080000Z',
    });
  });

  test('a 500-row journal renders quickly, every row is there in order, the header repeats on each page', async () => {
    const rows = Array.from({ length: 500 }, (_, index) => journalRow(index + 1));
    const started = performance.now();
    const pdf = await renderSummaryPdf(summaryOf(rows));
    const elapsed = performance.now() - started;

    // Generous: it takes a few hundred milliseconds; the bound only catches a quadratic layout.
    expect(elapsed).toBeLessThan(10_000);
    const { text, pages } = await inspectPdf(pdf);
    const numbers = [...normalised(text).matchAll(/entrée (\d+) :/g)].map((match) => Number(match[1]));
    expect(numbers).toEqual(rows.map((_, index) => index + 1));
    expect(pages.length).toBeGreaterThan(10);
    pages.forEach((page, index) => {
      expect(normalised(page)).toContain('Date Type Canal Statut Résumé');
      expect(normalised(page)).toContain(`Page ${index + 1} / ${pages.length}`);
    });
    expectNothingInBottomMargin(pdf);
  });

  test('long cells wrap within their column; a row taller than a page is split, not cut', async () => {
    const words = Array.from({ length: 2500 }, (_, index) => `mot${index + 1}`);
    const unbroken = 'Q'.repeat(400);
    const pdf = await renderSummaryPdf({
      title: 'Rapport',
      createdAt: AT,
      sections: [
        {
          heading: 'Cellules démesurées',
          table: {
            columns: ['N°', 'Texte', 'Empreinte'],
            columnWidths: [0.1, 0.6, 0.3],
            rows: [
              ['1', 'court', 'a'.repeat(64)],
              ['2', words.join(' '), unbroken],
              ['3', 'après la ligne géante', 'fin'],
            ],
          },
        },
      ],
    });

    const { text, pages } = await inspectPdf(pdf);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const found = normalised(text);
    const seen = [...found.matchAll(/\bmot(\d+)\b/g)].map((match) => Number(match[1]));
    expect(seen).toEqual(words.map((_, index) => index + 1));
    // A word wider than its column is broken between characters; none of it is lost.
    expect(found.replace(/[^Q]/g, '')).toHaveLength(unbroken.length);
    expect(found).toContain('après la ligne géante');
    pages.forEach((page) => expect(normalised(page)).toContain('N° Texte Empreinte'));
    expectNothingInBottomMargin(pdf);
  });

  test('is deterministic: the same summary twice gives the same bytes', async () => {
    const rows = Array.from({ length: 60 }, (_, index) => journalRow(index + 1));
    const first = await renderSummaryPdf(summaryOf(rows));
    const again = await renderSummaryPdf(summaryOf(rows.map((row) => [...row])));
    expect(again.equals(first)).toBe(true);
  });

  test('tolerates odd input: empty tables and sections, ragged rows, widths not summing to 1', async () => {
    const pdf = await renderSummaryPdf({
      title: 'Rapport',
      createdAt: AT,
      sections: [
        { heading: 'Vide' },
        { heading: 'Pièces', table: { columns: ['Fichier', 'Nature'], rows: [] } },
        {
          heading: 'Irrégulier',
          table: {
            columns: ['A', 'B', 'C'],
            columnWidths: [2, 1, 1],
            rows: [['seul'], ['un', 'deux', 'trois', 'quatre']],
          },
        },
      ],
    });

    const found = normalised((await inspectPdf(pdf)).text);
    for (const expected of ['Vide', 'Pièces', 'Fichier Nature', 'Irrégulier', 'seul', 'un deux trois / quatre']) {
      expect(found).toContain(expected);
    }
  });
});
