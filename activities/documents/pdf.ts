/**
 * What every PDF the case produces shares: the page, the fonts, the metadata, and the text filter.
 *
 * Documents are evidence: the journal cites them by SHA-256, and a retried activity may render
 * again before the first result was stored. So the same input must give the same bytes. pdfkit
 * gets there once the dates are fixed: it derives the trailer /ID from an MD5 of the info
 * dictionary (no randomness unless the file is encrypted), the standard fonts are not embedded,
 * and content streams are deflated by Node's zlib, which is deterministic for a given zlib build
 * (a Node upgrade that changes zlib could change the compressed bytes, not the content).
 */
import PDFDocument from 'pdfkit';

export type Pdf = PDFKit.PDFDocument;

export const FONT = 'Helvetica';
export const FONT_BOLD = 'Helvetica-Bold';
/** About 2 cm: roomy enough for a punched, filed, or stapled letter. */
export const MARGIN = 56;

export interface PdfMetadata {
  title: string;
  author: string;
  subject: string;
  createdAt: Date;
}

export function createPdf(metadata: PdfMetadata): Pdf {
  return new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    font: FONT,
    // Page numbers need the page count, known only once everything is laid out.
    bufferPages: true,
    info: {
      Title: metadata.title,
      Author: metadata.author,
      Subject: metadata.subject,
      Creator: 'Amiable',
      CreationDate: metadata.createdAt,
      ModDate: metadata.createdAt,
    },
  });
}

/** Ends the document and resolves with its bytes. Call once the content is complete. */
export function pdfBuffer(doc: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/** Width between the left and right margins. */
export const contentWidth = (doc: Pdf): number => doc.page.width - doc.page.margins.left - doc.page.margins.right;

/** The lowest y text may reach on the current page. */
export const bottomOf = (doc: Pdf): number => doc.page.height - doc.page.margins.bottom;

/**
 * Writes a line in the bottom margin of every buffered page. pdfkit starts a new page when text
 * goes past the bottom margin, so the margin is lifted while the footer is drawn.
 */
export function stampPages(doc: Pdf, draw: (page: { index: number; count: number; y: number }) => void): void {
  const { start, count } = doc.bufferedPageRange();
  for (let index = start; index < start + count; index++) {
    doc.switchToPage(index);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    draw({ index: index - start, count, y: doc.page.height - bottom + 20 });
    doc.page.margins.bottom = bottom;
  }
}

/** "Page n / N", right-aligned in the footer, plus an optional note on the left. */
export function stampPageNumbers(doc: Pdf, note?: string): void {
  stampPages(doc, ({ index, count, y }) => {
    doc.font(FONT).fontSize(8).fillColor('#555555');
    const label = `Page ${index + 1} / ${count}`;
    const right = doc.page.width - doc.page.margins.right;
    const labelWidth = doc.widthOfString(label);
    if (note) {
      doc.text(pdfSafeText(note), doc.page.margins.left, y, {
        width: right - doc.page.margins.left - labelWidth - 12,
        height: doc.currentLineHeight(true) * 2,
        ellipsis: true,
      });
    }
    doc.text(label, right - labelWidth, y, { lineBreak: false });
    doc.fillColor('black');
  });
}

/**
 * Code points above U+00FF that WinAnsiEncoding (Windows-1252) has, i.e. what pdfkit's standard
 * fonts can draw besides Latin-1. Latin-1's C1 controls (U+0080 to U+009F) are not in it.
 */
const WIN_ANSI_EXTRA = new Set([
  0x0152, 0x0153, 0x0160, 0x0161, 0x0178, 0x017d, 0x017e, 0x0192, 0x02c6, 0x02dc, 0x2013, 0x2014, 0x2018, 0x2019,
  0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);

const NO_BREAK_SPACE = '\u00a0';

/** Characters that have a faithful WinAnsi stand-in. */
const SUBSTITUTES: Readonly<Record<string, string>> = {
  // Intl.NumberFormat('fr-FR') groups digits with U+202F and French typography puts thin spaces
  // before ; : ! ?: they must not become line breaks either.
  '\u202f': NO_BREAK_SPACE,
  '\u2009': NO_BREAK_SPACE,
  '\u2007': NO_BREAK_SPACE,
  '\t': ' ',
  '\u2000': ' ',
  '\u2001': ' ',
  '\u2002': ' ',
  '\u2003': ' ',
  '\u2004': ' ',
  '\u2005': ' ',
  '\u2006': ' ',
  '\u2008': ' ',
  '\u200a': ' ',
  '\u205f': ' ',
  '\u3000': ' ',
  '\u2028': '\n',
  '\u2029': '\n',
  // Invisible: a '?' would add what the author never wrote. The soft hyphen is in WinAnsi, but
  // pdfkit draws it as a visible hyphen when it does not fall at a line end.
  '\u00ad': '',
  '\u200b': '',
  '\u200c': '',
  '\u200d': '',
  '\u2060': '',
  '\ufeff': '',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2212': '-',
  '\u2264': '<=',
  '\u2265': '>=',
};

function winAnsi(codePoint: number): boolean {
  return (
    codePoint === 0x0a ||
    (codePoint >= 0x20 && codePoint <= 0x7e) ||
    (codePoint >= 0xa0 && codePoint <= 0xff) ||
    WIN_ANSI_EXTRA.has(codePoint)
  );
}

/**
 * Makes text drawable with the standard PDF fonts, which only know WinAnsiEncoding: unusual spaces
 * become the no-break or plain space they stand for, a few symbols get an ASCII stand-in, and
 * anything else the fonts cannot show becomes '?' (pdfkit would otherwise draw nothing, or a
 * wrong glyph, without a word). Line breaks are kept.
 */
export function pdfSafeText(text: string): string {
  let safe = '';
  // NFC first, so that a letter followed by a combining accent becomes the WinAnsi letter.
  for (const char of text.normalize('NFC').replace(/\r\n?/g, '\n')) {
    const substitute = SUBSTITUTES[char];
    if (substitute !== undefined) safe += substitute;
    else safe += winAnsi(char.codePointAt(0)!) ? char : '?';
  }
  return safe;
}
