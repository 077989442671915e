/**
 * The shared PDF plumbing: text that the standard fonts can draw, and documents that are the same
 * bytes for the same input (the journal cites them by SHA-256).
 */
import fc from 'fast-check';
import { createPdf, pdfBuffer, pdfSafeText } from '../../activities/documents/pdf';
import { inspectPdf, normalised } from '../helpers/pdf-text';

/**
 * What the standard fonts can draw, asked of pdfkit itself: a character outside their encoding
 * maps to .notdef, which has no width. C1 controls are excluded: pdfkit would draw them as the
 * Windows-1252 signs that share their byte (U+0080 as €), which is not what the author wrote.
 */
const measuring = createPdf({ title: '', author: '', subject: '', createdAt: new Date(0) }).font('Helvetica');
const drawable = (char: string) => !/[\u0080-\u009f]/.test(char) && measuring.widthOfString(char) > 0;

describe('pdfSafeText', () => {
  test('keeps French letters and the typographic signs WinAnsi has', () => {
    const french = 'é è ê ë à â ç ù û ü î ï ô ÿ œ æ É È À Ç Œ Ÿ € « » ’ ‘ “ ” – — … • ° § ² ½';
    expect(pdfSafeText(french)).toBe(french);
    expect(pdfSafeText("Aujourd’hui, l'échéance « dépassée » – 1 850,00 € … ")).toBe(
      "Aujourd’hui, l'échéance « dépassée » – 1 850,00 € … ",
    );
  });

  test('turns the narrow no-break space of fr-FR amounts (and thin spaces) into a no-break space', () => {
    const amount = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(1234.56);
    expect(amount).toContain('\u202f');
    expect(pdfSafeText(amount)).toBe('1\u00a0234,56\u00a0€');
    expect(pdfSafeText('Attention\u2009!')).toBe('Attention\u00a0!');
  });

  test('anything else outside WinAnsi becomes one "?" per character', () => {
    expect(pdfSafeText('Payé ✓ → ok')).toBe('Payé ? ? ok');
    expect(pdfSafeText('merci 😀')).toBe('merci ?');
    expect(pdfSafeText('株式会社')).toBe('????');
    expect(pdfSafeText('Łódź')).toBe('?ód?');
    expect(pdfSafeText('bell\u0007')).toBe('bell?');
  });

  test('composes accents, keeps line breaks, and drops or substitutes what has a faithful stand-in', () => {
    expect(pdfSafeText('Cre\u0301ance')).toBe('Créance');
    expect(pdfSafeText('ligne 1\r\nligne 2\rligne 3\nligne 4')).toBe('ligne 1\nligne 2\nligne 3\nligne 4');
    expect(pdfSafeText('a\tb')).toBe('a b');
    expect(pdfSafeText('recou\u00advre\u200bment')).toBe('recouvrement');
    expect(pdfSafeText('≤ 5 000 € ; ≥ 1 ; \u22123 ; non\u2011sécable')).toBe('<= 5 000 € ; >= 1 ; -3 ; non-sécable');
  });

  test('keeps exactly the characters pdfkit can draw, over the whole Basic Multilingual Plane', () => {
    const disagreements: string[] = [];
    for (let codePoint = 0; codePoint <= 0xffff; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const char = String.fromCharCode(codePoint);
      // Kept although not drawn: the line break. Drawable but dropped: the soft hyphen.
      const expected = char === '\n' || (drawable(char) && char !== '\u00ad');
      if ((pdfSafeText(char) === char) !== expected) disagreements.push(`U+${codePoint.toString(16).padStart(4, '0')}`);
    }
    expect(disagreements).toEqual([]);
  });

  test('whatever the input, the output is drawable and stable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (input) => {
        const safe = pdfSafeText(input);
        for (const char of safe) expect(char === '\n' || drawable(char)).toBe(true);
        expect(pdfSafeText(safe)).toBe(safe);
      }),
      { numRuns: 500 },
    );
  });
});

describe('createPdf and pdfBuffer', () => {
  const render = (createdAt: Date) => {
    const doc = createPdf({ title: 'Essai', author: 'ACME SAS', subject: 'Déterminisme', createdAt });
    doc.text(pdfSafeText('Montant dû : 1\u202f850,00 €'));
    return pdfBuffer(doc);
  };
  const at = new Date('2026-12-02T09:00:00Z');

  test('the same input gives the same bytes; another date gives other bytes', async () => {
    const first = await render(at);
    const second = await render(new Date(at));
    expect(first.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(first.equals(second)).toBe(true);
    expect(first.equals(await render(new Date('2026-12-03T09:00:00Z')))).toBe(false);
  });

  test('carries the metadata and the text', async () => {
    const pdf = await render(at);
    const { info, text } = await inspectPdf(pdf);
    expect(info).toMatchObject({
      Title: 'Essai',
      Author: 'ACME SAS',
      Subject: 'Déterminisme',
      Creator: 'Amiable',
      CreationDate: 'D:20261202090000Z',
      ModDate: 'D:20261202090000Z',
    });
    expect(normalised(text)).toContain('Montant dû : 1 850,00 €');
  });
});
