/**
 * The letter PDF, checked by extracting its text: a mise en demeure must carry, word for word, what
 * the compliance checker approved, with who writes, to whom, the reference and how it is sent.
 */
import { renderLetterPdf, type LetterDocument } from '../../activities/documents/letter-pdf';
import { inspectPdf, normalised } from '../helpers/pdf-text';

const euros = (amount: number) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(amount);
const IBAN = 'FR76 3000 6000 0112 3456 7890 189';

/** A professional debtor: the 40 € flat recovery indemnity (C. com. L441-10, D441-5) applies. */
const BODY = [
  'Madame, Monsieur,',
  `Sauf erreur de notre part, la facture n° F-2026-118 émise le 2 octobre 2026 par ACME SAS, 1 rue de la Paix, 75001 Paris, à échéance du 1er novembre 2026, demeure impayée malgré nos relances des 9 et 23 novembre 2026.`,
  [
    `Montant principal : ${euros(1850)}`,
    `Intérêts de retard : ${euros(12.34)}`,
    `Indemnité forfaitaire pour frais de recouvrement : ${euros(40)}`,
    `Total dû : ${euros(1902.34)}`,
  ].join('\n'),
  `Par la présente, nous vous mettons en demeure de régler la somme de ${euros(1902.34)} au plus tard le 10 décembre 2026.`,
  `Le règlement peut être effectué par virement sur le compte ${IBAN} (BIC AGRIFRPP882), en indiquant la référence AMI-2026-0042.`,
  `À défaut de paiement dans ce délai, le créancier se réserve la possibilité d’engager une procédure judiciaire en recouvrement, sans autre avis.`,
  'Si vous avez déjà procédé au règlement, nous vous prions de ne pas tenir compte de ce courrier.',
  'Veuillez agréer, Madame, Monsieur, l’expression de nos salutations distinguées.\nLe service recouvrement',
].join('\n\n');

const LETTER: LetterDocument = {
  sender: {
    name: 'Recouvrements Amiables SAS',
    address: '12 boulevard Haussmann\n75009 Paris',
    legalId: 'SIREN 812 345 678',
  },
  recipient: { name: 'Dupont SARL', address: '5 avenue Foch, 69006 Lyon' },
  dateLine: 'Paris, le 2 décembre 2026',
  reference: 'AMI-2026-0042',
  sendingMode: 'Lettre recommandée avec accusé de réception',
  title: 'Mise en demeure',
  body: BODY,
  createdAt: new Date('2026-12-02T09:00:00+01:00'),
};

describe('renderLetterPdf', () => {
  test('a mise en demeure carries its header and every paragraph, amounts and accents intact', async () => {
    const pdf = await renderLetterPdf(LETTER);

    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { text, pages, info } = await inspectPdf(pdf);
    const found = normalised(text);
    for (const expected of [
      'Recouvrements Amiables SAS',
      '12 boulevard Haussmann',
      '75009 Paris',
      'SIREN 812 345 678',
      'Dupont SARL',
      '5 avenue Foch, 69006 Lyon',
      'Paris, le 2 décembre 2026',
      'Réf. : AMI-2026-0042',
      'Lettre recommandée avec accusé de réception',
      'Mise en demeure',
      'Montant principal : 1 850,00 €',
      'Intérêts de retard : 12,34 €',
      'Indemnité forfaitaire pour frais de recouvrement : 40,00 €',
      'au plus tard le 10 décembre 2026',
      IBAN,
    ]) {
      expect(found).toContain(normalised(expected));
    }
    for (const paragraph of BODY.split('\n\n')) expect(found).toContain(normalised(paragraph));
    expect(pages).toHaveLength(1);
    expect(found).toContain('Page 1 / 1');
    expect(info).toMatchObject({ Title: 'Mise en demeure', Author: 'Recouvrements Amiables SAS', Creator: 'Amiable' });
  });

  test('reads in letter order: sender, recipient, date, reference, sending mode, title, body', async () => {
    const found = normalised((await inspectPdf(await renderLetterPdf(LETTER))).text);
    const positions = [
      'Recouvrements Amiables SAS',
      'Dupont SARL',
      'Paris, le 2 décembre 2026',
      'Réf. : AMI-2026-0042',
      'Lettre recommandée avec accusé de réception',
      'Mise en demeure',
      'Madame, Monsieur,',
      'Le service recouvrement',
    ].map((part) => found.indexOf(part));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('is deterministic: the same letter twice gives the same bytes', async () => {
    const first = await renderLetterPdf(LETTER);
    const again = await renderLetterPdf({
      ...LETTER,
      sender: { ...LETTER.sender },
      createdAt: new Date(LETTER.createdAt),
    });
    expect(again.equals(first)).toBe(true);
    const later = await renderLetterPdf({ ...LETTER, createdAt: new Date('2026-12-03T09:00:00+01:00') });
    expect(later.equals(first)).toBe(false);
  });

  test('an electronic registered letter says so; an ordinary letter has no sending mode line', async () => {
    const lre = normalised(
      (await inspectPdf(await renderLetterPdf({ ...LETTER, sendingMode: 'Lettre recommandée électronique' }))).text,
    );
    expect(lre).toContain('Lettre recommandée électronique');

    const { sendingMode: _none, ...ordinary } = LETTER;
    const plain = normalised((await inspectPdf(await renderLetterPdf({ ...ordinary, title: 'Relance' }))).text);
    expect(plain).not.toMatch(/recommandée/);
    expect(plain).toContain('Relance');
  });

  test('a long body flows onto further pages, each numbered "Page n / N"', async () => {
    const paragraphs = Array.from(
      { length: 40 },
      (_, index) =>
        `Paragraphe ${index + 1} : conformément aux conditions générales de vente acceptées lors de la commande, ` +
        `les sommes restant dues portent intérêts de retard au taux prévu, et chaque facture impayée donne lieu ` +
        `à une indemnité forfaitaire pour frais de recouvrement de ${euros(40)} (fin du paragraphe ${index + 1}).`,
    );
    const pdf = await renderLetterPdf({ ...LETTER, body: paragraphs.join('\n\n') });

    const { text, pages } = await inspectPdf(pdf);
    const count = pages.length;
    expect(count).toBeGreaterThanOrEqual(3);
    pages.forEach((page, index) => expect(normalised(page)).toContain(`Page ${index + 1} / ${count}`));
    expect(normalised(pages[1]!)).toContain(`Page 2 / ${count}`);
    const found = normalised(text);
    for (const paragraph of paragraphs) expect(found).toContain(normalised(paragraph));
  });

  test('characters the standard fonts lack become "?" instead of vanishing', async () => {
    const found = normalised(
      (await inspectPdf(await renderLetterPdf({ ...LETTER, body: 'Payé ✓ le 2 décembre\u202f2026 : merci 😀' }))).text,
    );
    expect(found).toContain('Payé ? le 2 décembre 2026 : merci ?');
  });
});
