/**
 * A letter as a French business letter: sender top left, recipient where a window envelope shows
 * it, date, reference, sending mode, subject, then the text the compliance checker approved, word
 * for word. Page numbers on every page, so a missing page of a mise en demeure shows.
 */
import { contentWidth, createPdf, FONT, FONT_BOLD, MARGIN, pdfBuffer, pdfSafeText, stampPageNumbers } from './pdf';

export interface LetterDocument {
  /** Who writes: the collection company when one acts, else the creditor. */
  sender: { name: string; address: string; legalId?: string };
  recipient: { name: string; address: string };
  /** "Paris, le 2 décembre 2026" style line: give the French date string already formatted. */
  dateLine: string;
  /** Case reference, printed as "Réf. : ..." */
  reference: string;
  /** Printed above the title when set, e.g. "Lettre recommandée avec accusé de réception" or "Lettre recommandée électronique". */
  sendingMode?: string;
  /** Letter title / subject, e.g. "Mise en demeure" — printed bold. */
  title: string;
  /** The exact text of the letter (already compliance-checked): paragraphs separated by blank lines, single newlines kept. */
  body: string;
  /** Used for PDF metadata dates (deterministic output). */
  createdAt: Date;
}

/** Where the address window of a French DL/C5 envelope falls on a folded A4 sheet. */
const RECIPIENT_X = 320;
const RECIPIENT_Y = 150;
const SENDER_WIDTH = 240;
const BODY_SIZE = 10.5;
const PARAGRAPH_GAP = 8;

/** Addresses arrive as the user typed them: one line per newline, ", " left as it is. */
const linesOf = (address: string): string[] =>
  address
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** Paragraphs are separated by blank lines; single newlines inside one are kept as line breaks. */
const paragraphsOf = (body: string): string[] =>
  body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/^\n+|\s+$/g, ''))
    .filter((paragraph) => paragraph.trim() !== '');

export async function renderLetterPdf(letter: LetterDocument): Promise<Buffer> {
  const doc = createPdf({
    title: letter.title,
    author: letter.sender.name,
    subject: `${letter.title} — Réf. ${letter.reference}`,
    createdAt: letter.createdAt,
  });
  const text = (value: string) => pdfSafeText(value);
  const width = contentWidth(doc);

  doc.font(FONT_BOLD).fontSize(11).text(text(letter.sender.name), MARGIN, MARGIN, { width: SENDER_WIDTH });
  doc.font(FONT).fontSize(10);
  for (const line of linesOf(letter.sender.address)) doc.text(text(line), { width: SENDER_WIDTH });
  if (letter.sender.legalId) doc.fontSize(9).text(text(letter.sender.legalId), { width: SENDER_WIDTH });
  const senderBottom = doc.y;

  const recipientWidth = doc.page.width - MARGIN - RECIPIENT_X;
  doc
    .font(FONT_BOLD)
    .fontSize(11)
    .text(text(letter.recipient.name), RECIPIENT_X, Math.max(RECIPIENT_Y, senderBottom + 12), {
      width: recipientWidth,
    });
  doc.font(FONT).fontSize(10);
  for (const line of linesOf(letter.recipient.address)) doc.text(text(line), { width: recipientWidth });

  doc.text(text(letter.dateLine), MARGIN, Math.max(doc.y, senderBottom) + 28, { width, align: 'right' });
  doc.moveDown(1.5);
  doc.text(text(`Réf. : ${letter.reference}`), MARGIN, doc.y, { width });
  if (letter.sendingMode) {
    doc.moveDown(0.5);
    doc.font(FONT_BOLD).text(text(letter.sendingMode), { width });
  }
  doc.moveDown(1);
  doc.font(FONT_BOLD).fontSize(12.5).text(text(letter.title), { width });
  doc.moveDown(1);

  doc.font(FONT).fontSize(BODY_SIZE);
  // Justified lines stretch their spaces; a paragraph's last line and lines ending in a hard
  // break stay left-aligned (pdfkit's rule), so amounts listed one per line look like a list.
  // The gap is added by hand: pdfkit's paragraphGap would also open after every hard break.
  for (const paragraph of paragraphsOf(letter.body)) {
    doc.text(text(paragraph), MARGIN, doc.y, { width, align: 'justify', lineGap: 1.5 });
    doc.y += PARAGRAPH_GAP;
  }

  stampPageNumbers(doc);
  return pdfBuffer(doc);
}
