/**
 * A structured report for a person to read, such as the handoff dossier summary: sections of
 * paragraphs, label/value lists and tables. A case journal can run to hundreds of rows, so tables
 * are laid out by hand: each row is measured, moved whole to the next page when it does not fit
 * (header repeated), and split only when a single row is taller than a page. Nothing is drawn past
 * the bottom margin and no cell text is cut.
 */
import {
  bottomOf,
  contentWidth,
  createPdf,
  FONT,
  FONT_BOLD,
  MARGIN,
  pdfBuffer,
  pdfSafeText,
  stampPageNumbers,
  type Pdf,
} from './pdf';

export interface SummarySection {
  heading: string;
  paragraphs?: string[];
  /** Label / value pairs, printed as a two-column list. */
  fields?: [label: string, value: string][];
  /** A table: column headers and rows of cells (strings). Long tables continue on the next page with the header repeated. */
  table?: { columns: string[]; rows: string[][]; columnWidths?: number[] /* fractions summing to 1 */ };
}

export interface SummaryDocument {
  title: string;
  subtitle?: string;
  sections: SummarySection[];
  createdAt: Date;
  footer?: string;
}

const TEXT_SIZE = 9.5;
const TABLE_SIZE = 8;
const CELL_PADDING = 3;
const FIELD_LABEL_SHARE = 0.32;
/** Room a heading needs below it so that it does not end a page alone. */
const KEEP_WITH_HEADING = 60;
/** Rounding slack: pdfkit positions are floats, and a row that fits exactly must not move. */
const EPSILON = 0.01;

interface Grid {
  /** Column widths in points. */
  widths: number[];
  header?: string[];
  fontSize: number;
  /** Columns printed bold (the labels of a field list). */
  boldColumns?: ReadonlySet<number>;
  ruled: boolean;
}

type Row = string[];

/** Widths in points from fractions, tolerating fractions that do not quite sum to 1. */
function columnWidths(total: number, count: number, fractions?: number[]): number[] {
  const usable =
    fractions && fractions.length === count && fractions.every((fraction) => Number.isFinite(fraction) && fraction > 0);
  const shares = usable ? fractions : Array.from({ length: count }, () => 1);
  const sum = shares.reduce((a, b) => a + b, 0);
  return shares.map((share) => (total * share) / sum);
}

/** A row with exactly one cell per column; surplus cells are kept in the last one, not dropped. */
function fitRow(cells: string[], count: number): Row {
  const row = Array.from({ length: count }, (_, index) => cells[index] ?? '');
  if (cells.length > count) row[count - 1] = cells.slice(count - 1).join(' / ');
  return row.map(pdfSafeText);
}

function setCellFont(doc: Pdf, grid: Grid, column: number, header: boolean): void {
  doc.font(header || grid.boldColumns?.has(column) ? FONT_BOLD : FONT).fontSize(grid.fontSize);
}

function cellHeight(doc: Pdf, grid: Grid, row: Row, column: number, header: boolean): number {
  setCellFont(doc, grid, column, header);
  const cell = row[column] ?? '';
  const lines =
    cell.trim() === '' ? doc.currentLineHeight(true) : doc.heightOfString(cell, { width: textWidth(grid, column) });
  return lines + 2 * CELL_PADDING;
}

const textWidth = (grid: Grid, column: number) => Math.max(1, (grid.widths[column] ?? 0) - 2 * CELL_PADDING);

function rowHeight(doc: Pdf, grid: Grid, row: Row, header = false): number {
  let height = 0;
  for (let column = 0; column < grid.widths.length; column++) {
    height = Math.max(height, cellHeight(doc, grid, row, column, header));
  }
  return height;
}

function drawRow(doc: Pdf, grid: Grid, row: Row, y: number, height: number, header = false): void {
  const width = grid.widths.reduce((a, b) => a + b, 0);
  if (header) doc.rect(MARGIN, y, width, height).fill('#e6e6e6');
  doc.fillColor('black');
  let x = MARGIN;
  for (let column = 0; column < grid.widths.length; column++) {
    setCellFont(doc, grid, column, header);
    // The height bound stops pdfkit from adding a page on its own; the row was measured to fit.
    doc.text(row[column] ?? '', x + CELL_PADDING, y + CELL_PADDING, {
      width: textWidth(grid, column),
      height: height - 2 * CELL_PADDING + 1,
    });
    x += grid.widths[column] ?? 0;
  }
  if (grid.ruled) {
    doc
      .moveTo(MARGIN, y + height)
      .lineTo(MARGIN + width, y + height)
      .lineWidth(header ? 0.8 : 0.4)
      .strokeColor(header ? '#666666' : '#bbbbbb')
      .stroke();
  }
}

/**
 * The longest start of `text` that fits in `maxHeight`, cut between words (or, for one word wider
 * than the column, between characters), and the rest.
 */
function splitText(doc: Pdf, text: string, width: number, maxHeight: number): [head: string, tail: string] {
  const fits = (candidate: string) => doc.heightOfString(candidate, { width }) <= maxHeight + EPSILON;
  const longestFitting = (pieces: string[]): number => {
    let low = 0;
    let high = pieces.length;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (fits(pieces.slice(0, middle).join(''))) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  const count = longestFitting(words);
  if (count > 0) return [words.slice(0, count).join('').trimEnd(), words.slice(count).join('')];
  const characters = Array.from(words[0] ?? '');
  // At least one character, so that splitting always progresses.
  const taken = Math.max(1, longestFitting(characters));
  return [characters.slice(0, taken).join(''), characters.slice(taken).join('') + words.slice(1).join('')];
}

function splitRow(doc: Pdf, grid: Grid, row: Row, maxHeight: number): [head: Row, tail: Row] {
  const head: Row = [];
  const tail: Row = [];
  row.forEach((cell, column) => {
    if (cellHeight(doc, grid, row, column, false) <= maxHeight + EPSILON) {
      head.push(cell);
      tail.push('');
    } else {
      const [first, rest] = splitText(doc, cell, textWidth(grid, column), maxHeight - 2 * CELL_PADDING);
      head.push(first);
      tail.push(rest);
    }
  });
  return [head, tail];
}

/** Lays rows out from doc.y, breaking pages between rows and repeating the header. */
function drawGrid(doc: Pdf, grid: Grid, rows: Row[]): void {
  const header = grid.header ? fitRow(grid.header, grid.widths.length) : undefined;
  const headerHeight = header ? rowHeight(doc, grid, header, true) : 0;
  const pageRoom = bottomOf(doc) - doc.page.margins.top - headerHeight;
  doc.font(FONT).fontSize(grid.fontSize);
  // A row is only split where a few lines of it fit, so no page ends on a one-line sliver.
  const splitRoom = 3 * doc.currentLineHeight(true) + 2 * CELL_PADDING;
  let y = doc.y;
  const newPage = () => {
    doc.addPage();
    y = doc.page.margins.top;
    if (header) {
      drawRow(doc, grid, header, y, headerHeight, true);
      y += headerHeight;
    }
  };

  const first = rows[0];
  const firstHeight = first ? rowHeight(doc, grid, first) : 0;
  if (y + headerHeight + Math.min(firstHeight, splitRoom) > bottomOf(doc) + EPSILON) newPage();
  else if (header) {
    drawRow(doc, grid, header, y, headerHeight, true);
    y += headerHeight;
  }

  for (const row of rows) {
    let pending: Row | undefined = row;
    while (pending) {
      const height = rowHeight(doc, grid, pending);
      const room = bottomOf(doc) - y;
      if (height <= room + EPSILON) {
        drawRow(doc, grid, pending, y, height);
        y += height;
        pending = undefined;
      } else if (height > pageRoom + EPSILON && room >= splitRoom) {
        // Taller than a whole page: moving it would not help. Print what fits, carry the rest over.
        const [head, tail] = splitRow(doc, grid, pending, room);
        drawRow(doc, grid, head, y, rowHeight(doc, grid, head));
        pending = tail;
        newPage();
      } else {
        newPage();
      }
    }
  }
  doc.x = MARGIN;
  doc.y = y;
}

/** Starts a new page unless `needed` points remain above the bottom margin. */
function keepRoom(doc: Pdf, needed: number): void {
  if (doc.y + needed > bottomOf(doc)) doc.addPage();
}

function drawSection(doc: Pdf, section: SummarySection): void {
  const width = contentWidth(doc);
  doc.font(FONT_BOLD).fontSize(12);
  const heading = pdfSafeText(section.heading);
  keepRoom(doc, doc.heightOfString(heading, { width }) + KEEP_WITH_HEADING);
  doc.text(heading, MARGIN, doc.y, { width });
  doc
    .moveTo(MARGIN, doc.y + 1)
    .lineTo(MARGIN + width, doc.y + 1)
    .lineWidth(0.6)
    .strokeColor('#888888')
    .stroke();
  doc.y += 6;

  doc.font(FONT).fontSize(TEXT_SIZE);
  for (const paragraph of section.paragraphs ?? []) {
    doc.text(pdfSafeText(paragraph), MARGIN, doc.y, { width, lineGap: 1 });
    doc.y += 4;
  }

  if (section.fields?.length) {
    if (section.paragraphs?.length) doc.y += 4;
    const labelWidth = width * FIELD_LABEL_SHARE;
    drawGrid(
      doc,
      { widths: [labelWidth, width - labelWidth], fontSize: TEXT_SIZE, boldColumns: new Set([0]), ruled: false },
      section.fields.map(([label, value]) => fitRow([label, value], 2)),
    );
  }

  if (section.table) {
    const { columns, rows } = section.table;
    if (columns.length) {
      doc.y += 6;
      drawGrid(
        doc,
        {
          widths: columnWidths(width, columns.length, section.table.columnWidths),
          header: columns,
          fontSize: TABLE_SIZE,
          ruled: true,
        },
        rows.map((row) => fitRow(row, columns.length)),
      );
    }
  }
  doc.y += 14;
}

export async function renderSummaryPdf(summary: SummaryDocument): Promise<Buffer> {
  const doc = createPdf({
    title: summary.title,
    author: 'Amiable',
    subject: summary.subtitle ?? summary.title,
    createdAt: summary.createdAt,
  });
  const width = contentWidth(doc);
  doc.font(FONT_BOLD).fontSize(16).text(pdfSafeText(summary.title), MARGIN, MARGIN, { width });
  if (summary.subtitle) {
    doc.moveDown(0.3);
    doc.font(FONT).fontSize(11).fillColor('#333333').text(pdfSafeText(summary.subtitle), { width });
    doc.fillColor('black');
  }
  doc.y += 18;
  for (const section of summary.sections) drawSection(doc, section);
  stampPageNumbers(doc, summary.footer);
  return pdfBuffer(doc);
}
