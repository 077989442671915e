/**
 * PDFs are checked the way a reader sees them: by extracting their text. Line wrapping, justified
 * spacing and table cells all turn into arbitrary whitespace, so compare through `normalised`.
 *
 * pdf-parse (pdf.js) runs in a child process: its fake worker loads pdf.worker.mjs with a dynamic
 * import(), which jest's module sandbox refuses without --experimental-vm-modules.
 */
import { spawn } from 'node:child_process';

export interface InspectedPdf {
  /** All pages, as pdf-parse joins them ("-- n of N --" after each page). */
  text: string;
  /** One string per page. */
  pages: string[];
  /** The document information dictionary (Title, Author, CreationDate as "D:...Z", ...). */
  info: Record<string, unknown>;
}

const EXTRACT = `
const { PDFParse } = require(process.argv[1]);
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: Buffer.concat(chunks) });
  try {
    const { text, pages } = await parser.getText();
    const { info } = await parser.getInfo();
    process.stdout.write(JSON.stringify({ text, pages: pages.map((page) => page.text), info }));
  } finally {
    await parser.destroy();
  }
});
`;

export function inspectPdf(pdf: Buffer): Promise<InspectedPdf> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', EXTRACT, require.resolve('pdf-parse')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`pdf-parse exited with ${code}: ${Buffer.concat(err).toString('utf8')}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as InspectedPdf);
      } catch (error) {
        reject(error);
      }
    });
    child.stdin.end(pdf);
  });
}

export async function pdfText(pdf: Buffer): Promise<string> {
  return (await inspectPdf(pdf)).text;
}

/** Every run of whitespace, no-break and narrow no-break spaces included, as one plain space. */
export function normalised(text: string): string {
  return text.replace(/[\s\u00a0\u202f\u2007\u2009]+/g, ' ').trim();
}
