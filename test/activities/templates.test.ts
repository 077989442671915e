/**
 * Every shipped French template, in every situation it can meet (channel, debtor kind, time-barred
 * or not, first message or a later one, with or without a collection company), renders in strict
 * mode and passes the compliance checker. A template that would be blocked in production fails
 * here first.
 */
import type { SendMessageInput, WrittenChannel } from '../../activities/contracts';
import { composeMessage, messageContext, TemplateError, wordingFor } from '../../activities/messages/compose';
import { DEFAULT_WORDING, PLAN_WORDING } from '../../activities/messages/french-wording';
import { checkMessage, describeViolations } from '../../domain/compliance';
import type { CaseRecord } from '../../models/case-record';
import type { DebtorKind, Stage, Tone } from '../../domain/types';

const record = (withCollector: boolean) =>
  ({
    caseId: 'c_templates',
    reference: 'INV-2026-0042',
    creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
    ...(withCollector
      ? { collector: { name: 'Recouvr’Express SAS', address: '8 quai du Port, 13002 Marseille' } }
      : {}),
    debtor: {
      kind: 'business',
      name: 'Dupont SARL',
      email: 'contact@dupont.example',
      address: '5 avenue Foch, 69006 Lyon',
    },
    claim: {
      nature: 'Prestation de maintenance, octobre',
      basis: 'Bon de commande BC-778 signé',
      currency: 'EUR',
      invoices: [],
    },
    paymentInstructions: 'virement au compte IBAN FR76 3000 6000 0112 3456 7890 189',
  }) as unknown as CaseRecord;

function input(
  stage: Stage,
  tone: Tone,
  channel: WrittenChannel,
  debtorKind: DebtorKind,
  timeBarred: boolean,
): SendMessageInput {
  return {
    caseId: 'c_templates',
    idempotencyKey: `c_templates:${stage}:${channel}`,
    stage,
    channel,
    tone,
    template: `${stage}.${tone}`,
    debtorKind,
    timeBarred,
    amounts: {
      principalCents: 185000,
      interestCents: debtorKind === 'business' ? 1234 : 0,
      accessoriesCents: debtorKind === 'business' ? 4000 : 0,
      paidCents: 0,
      totalCents: debtorKind === 'business' ? 190234 : 185000,
      currency: 'EUR',
      ...(debtorKind === 'business'
        ? {
            lateCharges: {
              penaltyRatePercent: 12.15,
              penaltyRateBasis: 'ecb_plus_10' as const,
              indemnifiedInvoices: 1,
              waivedWhenPrincipalPaid: stage === 'reminder_1',
            },
          }
        : {}),
    },
    invoiceNumbers: ['F-2025-118'],
    ...(stage === 'formal_notice' ? { formalNoticeDeadline: '2026-12-14' } : {}),
    at: '2026-12-02T10:00:00.000Z',
  };
}

const CHANNELS: WrittenChannel[] = ['email', 'sms', 'letter'];
const situations = Object.entries(DEFAULT_WORDING).flatMap(([stage, tones]) =>
  Object.keys(tones ?? {}).flatMap((tone) =>
    CHANNELS.flatMap((channel) =>
      (['business', 'consumer'] as const).flatMap((debtorKind) =>
        [false, true].flatMap((timeBarred) =>
          [false, true].flatMap((later) =>
            [false, true].map((withCollector) => ({
              stage: stage as Stage,
              tone: tone as Tone,
              channel,
              debtorKind,
              timeBarred,
              later,
              withCollector,
            })),
          ),
        ),
      ),
    ),
  ),
);

test('the situations cover every stage and tone shipped', () => {
  expect(new Set(situations.map((s) => `${s.stage}/${s.tone}`)).size).toBe(
    Object.values(DEFAULT_WORDING).reduce((count, tones) => count + Object.keys(tones ?? {}).length, 0),
  );
  expect(situations.length).toBeGreaterThan(300);
});

test.each(situations)(
  '$stage / $tone by $channel, $debtorKind, time-barred $timeBarred, later $later, collector $withCollector: compliant',
  ({ stage, tone, channel, debtorKind, timeBarred, later, withCollector }) => {
    const message = input(stage, tone, channel, debtorKind, timeBarred);
    const caseRecord = record(withCollector);
    const context = messageContext(
      caseRecord,
      message,
      later ? { reference: 'INV-2026-0042', date: '3 novembre 2026' } : undefined,
    );
    const composed = composeMessage(wordingFor(message)!, caseRecord, context, message);

    const verdict = checkMessage(composed, context);
    expect(verdict.ok ? 'compliant' : describeViolations(verdict.violations)).toBe('compliant');
    expect(composed.body).not.toMatch(/\{\{|\}\}/);
    // The court action is named in a mise en demeure by letter or e-mail, and only while it is possible.
    const namesCourt = /procédure judiciaire/.test(composed.body);
    expect(namesCourt).toBe(stage === 'formal_notice' && channel !== 'sms' && !timeBarred);
    if (channel === 'sms') expect(composed.subject).toBeUndefined();
    else expect(composed.subject).toMatch(/\S/);
    // R2, R3: a business debtor's written message names each charge on its own line.
    const lines = composed.body.split('\n');
    const named = (pattern: RegExp) => lines.some((line) => pattern.test(line));
    const namesCharges =
      named(/^Principal : 1\u202F850,00\u00A0€$/) &&
      named(
        /^Intérêts — pénalités de retard : 12,34\u00A0€, au taux annuel de 12,15\u00A0% .*principal impayé.*L441-10/,
      ) &&
      named(
        /^Autres accessoires — indemnité forfaitaire pour frais de recouvrement : 40,00\u00A0€ .*L441-10 et D441-5/,
      );
    expect(namesCharges).toBe(debtorKind === 'business' && channel !== 'sms');
    expect(/pénalités de retard|indemnité forfaitaire/.test(composed.body)).toBe(
      debtorKind === 'business' && channel !== 'sms',
    );
  },
);

test.each(Object.keys(PLAN_WORDING))('plan template %s renders and is compliant on every channel', (template) => {
  for (const channel of CHANNELS) {
    const message: SendMessageInput = {
      ...input('none', 'courteous', channel, 'business', false),
      template,
      installmentPlan: {
        planNumber: 1,
        schedule: [
          { dueDate: '2027-01-15', amountCents: 92500 },
          { dueDate: '2027-02-15', amountCents: 92500 },
        ],
        installment: { number: 1, dueDate: '2027-01-15', amountDueCents: 92500 },
      },
    };
    const context = messageContext(record(false), message, undefined);
    const composed = composeMessage(wordingFor(message)!, record(false), context, message);
    const verdict = checkMessage(composed, context);
    expect(verdict.ok ? 'compliant' : describeViolations(verdict.violations)).toBe('compliant');
    expect(composed.body).toContain('15 janvier 2027');
  }
});

test('a template naming a value the message does not have is refused, not sent with a hole', () => {
  const message = input('reminder_1', 'courteous', 'email', 'business', false);
  const context = messageContext(record(false), message, undefined);
  const wording = { subject: 'Rappel', opening: 'À régler au plus tard le {{deadline}}.', sms: 'x' };
  expect(() => composeMessage(wording, record(false), context, message)).toThrow(TemplateError);
  expect(() => composeMessage(wording, record(false), context, message)).toThrow(/valeur « deadline » absente/);
});
