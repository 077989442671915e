/**
 * The evidence a case keeps: the mise en demeure as a PDF letter (R5) stored before it is posted,
 * in the form CPCE L100 allows, and the handoff dossier (R6) built from the whole case and
 * delivered once. PDFs are checked by extracting their text.
 */
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { createCaseActivities, type CaseActivitiesDependencies } from '../../activities/case-activities';
import type { HandOffInput, SendMessageInput } from '../../activities/contracts';
import { WebhookDossierDelivery } from '../../activities/handoff/delivery';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { claimPrescription } from '../../domain/prescription';
import { computeStatement } from '../../domain/statement';
import { DEFAULT_RATE_TABLE } from '../../domain/late-charges';
import { caseRecordModel } from '../../models/case-record';
import { documentModel } from '../../models/document';
import { journalEntryModel } from '../../models/journal-entry';
import { messageSendModel } from '../../models/message-send';
import { createLogger } from '../../observability/logger';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';
import { normalised, pdfText } from '../helpers/pdf-text';

let connection: Connection;
const silent = createLogger('test', 'silent');

beforeAll(async () => {
  connection = await connectTestDatabase('letters_dossier');
  await Promise.all(
    [journalEntryModel, caseRecordModel, messageSendModel, documentModel].map((model) =>
      model(connection).createIndexes(),
    ),
  );
});

afterAll(async () => {
  await dropTestDatabase(connection);
});

const CREDITOR = { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris', legalId: '552100554' };
const BUSINESS = {
  kind: 'business',
  name: 'Dupont SARL',
  email: 'contact@dupont.example',
  address: '5 avenue Foch, 69006 Lyon',
} as const;
const CONSUMER: DebtorFixture = {
  kind: 'consumer',
  name: 'Jeanne Martin',
  email: 'jeanne@martin.example',
  address: '3 rue Basse, 13001 Marseille',
};
const IBAN = 'virement au compte IBAN FR76 3000 6000 0112 3456 7890 189';
const INVOICE = { number: 'F-2026-118', issueDate: '2026-01-01', dueDate: '2026-01-31', amountCents: 185000 };

let counter = 0;
interface DebtorFixture {
  kind: 'business' | 'consumer';
  name: string;
  email?: string;
  address?: string;
  lreConsentAt?: string;
}

async function insertCase(debtor: DebtorFixture = BUSINESS) {
  const caseId = `c_evidence_${++counter}_${randomBytes(3).toString('hex')}`;
  const reference = `INV-${counter}`;
  await caseRecordModel(connection).create({
    caseId,
    creditorId: CREDITOR.id,
    reference,
    payloadHash: 'sha256:test',
    workflowId: `case-${caseId}`,
    creditor: CREDITOR,
    debtor,
    claim: {
      nature: 'Prestation de maintenance, janvier 2026',
      basis: 'Bon de commande BC-778 signé le 2025-12-12',
      currency: 'EUR',
      invoices: [INVOICE],
    },
    policy: 'standard',
    paymentInstructions: IBAN,
    openedAt: new Date('2026-02-03T09:00:00Z'),
    balanceCents: 185000,
    debtorKind: debtor.kind,
  });
  return { caseId, reference };
}

function formalNotice(caseId: string, overrides: Partial<SendMessageInput> = {}): SendMessageInput {
  return {
    caseId,
    idempotencyKey: `${caseId}:formal_notice:letter`,
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
    invoiceNumbers: [INVOICE.number],
    formalNoticeDeadline: '2026-03-06',
    at: '2026-02-23T09:00:00.000Z',
    ...overrides,
  };
}

function activitiesWith(extra: Partial<CaseActivitiesDependencies> = {}) {
  const letters = new SimulatedTransport();
  const activities = createCaseActivities({
    connection,
    dataKey: randomBytes(32),
    logger: silent,
    transports: { email: new SimulatedTransport(), sms: new SimulatedTransport(), letter: letters },
    ...extra,
  });
  return { activities, letters };
}

describe('the mise en demeure as a PDF letter (R5)', () => {
  test('has the R5 content, is stored with the case before posting, and the journal cites its SHA-256', async () => {
    const { caseId, reference } = await insertCase();
    const { activities, letters } = activitiesWith();

    const result = await activities.sendMessage(formalNotice(caseId));

    expect(result.status).toBe('simulated');
    const [posted] = letters.outbox;
    expect(posted?.letter).toEqual({ form: 'lrar' });
    const pdf = posted!.attachments![0]!;
    expect(pdf.contentType).toBe('application/pdf');
    const text = normalised(await pdfText(pdf.content));
    for (const expected of [
      'Lettre recommandée avec accusé de réception',
      'Mise en demeure',
      'ACME SAS',
      '1 rue de la Paix, 75001 Paris',
      'Dupont SARL',
      '5 avenue Foch, 69006 Lyon',
      `Réf. : ${reference}`,
      'F-2026-118',
      'Bon de commande BC-778',
      '1 850,00 €',
      '12,34 €',
      '40,00 €',
      '1 902,34 €',
      'au plus tard le 6 mars 2026',
      IBAN,
      'procédure judiciaire',
    ]) {
      expect(text).toContain(normalised(expected));
    }
    const stored = await documentModel(connection).find({ caseId }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'formal_notice', contentType: 'application/pdf' });
    const sha256 = createHash('sha256').update(pdf.content).digest('hex');
    expect(stored[0]?.sha256).toBe(sha256);
    const [entry] = await journalEntryModel(connection).find({ caseId }).lean();
    expect(entry?.document).toMatchObject({ id: stored[0]?.documentId, kind: 'formal_notice', sha256, form: 'lrar' });
    expect(entry?.summary).toBe(
      'Courrier simulé : mise en demeure (lettre recommandée avec accusé de réception (LRAR), selon la configuration)' +
        ' — aucun prestataire configuré, rien n’est sorti de la machine',
    );
  });

  test('on a time-barred claim the letter says nothing of court action', async () => {
    const { caseId } = await insertCase();
    const { activities, letters } = activitiesWith();

    await activities.sendMessage(formalNotice(caseId, { timeBarred: true }));

    const text = normalised(await pdfText(letters.outbox[0]!.attachments![0]!.content));
    expect(text).toContain('Mise en demeure');
    expect(text).not.toMatch(/judiciaire|tribunal|commissaire|saisie/i);
  });

  test('a retried send posts the same bytes and stores one document', async () => {
    const { caseId } = await insertCase();
    const first = activitiesWith();
    const failing = {
      simulated: false,
      send: async () => {
        throw new Error('connection reset');
      },
    };
    const { activities: flaky } = activitiesWith({
      transports: { email: new SimulatedTransport(), sms: new SimulatedTransport(), letter: failing },
    });

    await expect(flaky.sendMessage(formalNotice(caseId))).rejects.toThrow(/provider error/);
    await first.activities.sendMessage(formalNotice(caseId));

    const stored = await documentModel(connection).find({ caseId }).lean();
    expect(stored).toHaveLength(1);
    const posted = first.letters.outbox[0]!.attachments![0]!.content;
    expect(createHash('sha256').update(posted).digest('hex')).toBe(stored[0]?.sha256);
  });

  test.each([
    ['a consumer who never consented gets paper', CONSUMER, { form: 'lrar' }],
    [
      'a consumer who consented beforehand gets an LRE at their address',
      { ...CONSUMER, lreConsentAt: '2026-01-05T10:00:00+01:00' },
      { form: 'lre', email: 'jeanne@martin.example' },
    ],
    [
      'a consent recorded after the notice does not count',
      { ...CONSUMER, lreConsentAt: '2026-02-24T10:00:00+01:00' },
      { form: 'lrar' },
    ],
    ['a professional gets an LRE', BUSINESS, { form: 'lre', email: BUSINESS.email }],
  ])('CPCE L100 with LRE preferred: %s', async (_title, debtor, expected) => {
    const { caseId } = await insertCase(debtor);
    const { activities, letters } = activitiesWith({ letters: { preferElectronicRegisteredMail: true } });

    await activities.sendMessage(formalNotice(caseId, { debtorKind: debtor.kind }));

    expect(letters.outbox[0]?.letter).toEqual(expected);
    const text = normalised(await pdfText(letters.outbox[0]!.attachments![0]!.content));
    expect(text).toContain(
      expected.form === 'lre' ? 'Lettre recommandée électronique' : 'Lettre recommandée avec accusé de réception',
    );
  });

  test('a reminder by post is an ordinary letter, stored too', async () => {
    const { caseId } = await insertCase();
    const { activities, letters } = activitiesWith();

    await activities.sendMessage(
      formalNotice(caseId, {
        stage: 'reminder_2',
        tone: 'firm',
        template: 'reminder_2.firm',
        idempotencyKey: `${caseId}:reminder_2:letter`,
        formalNoticeDeadline: undefined,
      }),
    );

    expect(letters.outbox[0]?.letter).toEqual({ form: 'ordinary' });
    expect(await documentModel(connection).countDocuments({ caseId, kind: 'letter' })).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The handoff dossier

interface ReceivedDossier {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

async function startDossierReceiver(statuses: number[]) {
  const received: ReceivedDossier[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, raw });
      res.writeHead(statuses.shift() ?? 201, { 'x-request-id': `cj-${received.length}` }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dossiers`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SECRET = 'shared-secret-with-the-etude';

function handOffInput(caseId: string): HandOffInput {
  const at = '2026-03-10T09:00:00.000Z';
  const payments = [{ amountCents: 50000, paidAt: '2026-02-20', reference: 'VIR-1' }];
  return {
    caseId,
    idempotencyKey: `${caseId}:handoff`,
    at,
    statement: computeStatement({
      invoices: [INVOICE],
      payments,
      debtorKind: 'business',
      asOf: '2026-03-10',
      lateCharges: 'claim',
      rates: DEFAULT_RATE_TABLE,
      currency: 'EUR',
    }),
    prescription: claimPrescription(
      { nature: '', basis: '', currency: 'EUR', invoices: [INVOICE] },
      'business',
      [],
      '2026-03-10',
    ),
  };
}

describe('the handoff dossier (R6)', () => {
  test('the manifest and the PDF summary hold the journal, invoices, notice proof, breakdown and prescription; delivered once, signed', async () => {
    const receiver = await startDossierReceiver([]);
    try {
      const { caseId, reference } = await insertCase();
      const { activities } = activitiesWith({
        dossierDelivery: new WebhookDossierDelivery({ url: receiver.url, secret: SECRET }),
      });
      await activities.sendMessage(formalNotice(caseId));
      const input = handOffInput(caseId);

      const { summary } = await activities.handOffCase(input);
      const again = await activities.handOffCase(input);

      expect(summary).toMatch(
        /^dossier de transmission \(manifeste [0-9a-f]{12}…, synthèse [0-9a-f]{12}…\) remis au commissaire de justice par webhook http:\/\/127\.0\.0\.1:\d+$/,
      );
      expect(again.summary).toBe(summary);
      expect(receiver.received).toHaveLength(1);
      const [delivery] = receiver.received as [ReceivedDossier];
      expect(delivery.headers['idempotency-key']).toBe(input.idempotencyKey);
      const timestamp = delivery.headers['x-amiable-timestamp'] as string;
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      expect(delivery.headers['x-amiable-signature']).toBe(
        `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${delivery.raw}`).digest('hex')}`,
      );
      const body = JSON.parse(delivery.raw);
      const { manifest } = body;
      expect(manifest.case).toMatchObject({ id: caseId, reference });
      expect(manifest.parties.debtor).toMatchObject({ name: 'Dupont SARL' });
      expect(manifest.claim.invoices).toEqual([INVOICE]);
      expect(manifest.breakdown.totals).toMatchObject({
        principalCents: 185000,
        paidCents: 50000,
        indemnityCents: 4000,
      });
      expect(manifest.breakdown.rateSegments[0].segments[0].ratePercent).toBeGreaterThan(10);
      expect(manifest.prescription).toMatchObject({ prescribed: false, period: expect.anything() });
      expect(manifest.smallClaimsProcedure).toEqual({ article: 'CPCE L125-1', eligible: true });
      const notice = await documentModel(connection).findOne({ caseId, kind: 'formal_notice' }).lean();
      expect(manifest.formalNotices).toEqual([
        expect.objectContaining({
          form: 'lrar',
          status: 'simulated',
          document: { id: notice?.documentId, filename: notice?.filename, sha256: notice?.sha256 },
        }),
      ]);
      expect(manifest.journal.map((entry: { stage?: string }) => entry.stage)).toContain('formal_notice');

      const [manifestFile, summaryFile] = body.files;
      expect(JSON.parse(Buffer.from(manifestFile.contentBase64, 'base64').toString('utf8'))).toEqual(manifest);
      const text = normalised(await pdfText(Buffer.from(summaryFile.contentBase64, 'base64')));
      for (const expected of [
        'Dossier de transmission au commissaire de justice',
        'Dupont SARL',
        'F-2026-118',
        'Paiements reçus',
        'VIR-1',
        'Prescription',
        'Aucune facture prescrite',
        notice!.sha256,
        'Journal des échanges',
        'formal_notice',
      ]) {
        expect(text).toContain(normalised(expected));
      }

      const stored = await documentModel(connection).find({ caseId }, { content: 0 }).lean();
      expect(stored.map((document) => document.kind).sort()).toEqual([
        'formal_notice',
        'handoff_manifest',
        'handoff_summary',
      ]);
      const handoff = await journalEntryModel(connection).findOne({ caseId, type: 'handoff' }).lean();
      expect(handoff).toMatchObject({ status: 'sent', providerMessageId: 'cj-1' });
    } finally {
      await receiver.close();
    }
  });

  test('a destination that fails is retried; one that refuses raises a manager alert, and nothing is repeated', async () => {
    const receiver = await startDossierReceiver([503, 422]);
    try {
      const { caseId } = await insertCase();
      const { activities } = activitiesWith({ dossierDelivery: new WebhookDossierDelivery({ url: receiver.url }) });
      const input = handOffInput(caseId);

      await expect(activities.handOffCase(input)).rejects.toThrow(/provider error on attempt 1/);
      const refused = await activities.handOffCase(input);
      await activities.handOffCase(input);

      expect(receiver.received).toHaveLength(2);
      expect(refused.summary).toBe('refus définitif du prestataire (demande rejetée, code 422) : canal fermé');
      const entries = await journalEntryModel(connection).find({ caseId }).sort({ at: 1, _id: 1 }).lean();
      expect(entries.map((entry) => `${entry.type}:${entry.status ?? ''}`)).toEqual([
        'handoff:failed',
        'handoff:failed',
        'manager_alert:',
      ]);
      // The same dossier both times: the bytes were kept after the first attempt.
      const [first, second] = receiver.received as [ReceivedDossier, ReceivedDossier];
      expect(JSON.parse(first.raw).files).toEqual(JSON.parse(second.raw).files);
    } finally {
      await receiver.close();
    }
  });

  test('without a destination it is prepared and stored, and the journal says simulated', async () => {
    const { caseId } = await insertCase();
    const { activities } = activitiesWith();

    const { summary } = await activities.handOffCase(handOffInput(caseId));

    expect(summary).toMatch(
      /^dossier de transmission préparé \(manifeste [0-9a-f]{12}…, synthèse [0-9a-f]{12}…\) ; transmission au commissaire de justice simulée : rien n’est sorti de la machine$/,
    );
    expect(await documentModel(connection).countDocuments({ caseId })).toBe(2);
  });
});
