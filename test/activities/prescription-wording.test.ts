/**
 * R4 and R1 in the words of a message: a final reminder announces the mise en demeure only when
 * the case decided it will come (`formalNoticeFollows`), and the checker stops any template that
 * announces it anyway; a time-barred invoice is stated as payable voluntarily, outside the amount
 * demanded; a mise en demeure that may not name court action does not.
 */
import type { SendMessageInput, WrittenChannel } from '../../activities/contracts';
import { composeMessage, messageContext, wordingFor } from '../../activities/messages/compose';
import type { MessageWording } from '../../activities/messages/french-wording';
import { checkMessage, describeViolations } from '../../domain/compliance';
import type { Tone } from '../../domain/types';
import type { CaseRecord } from '../../models/case-record';

const record = {
  caseId: 'c_words',
  reference: 'INV-2026-0042',
  creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
  debtor: { kind: 'consumer', name: 'M. Martin', email: 'martin@example.org', address: '5 avenue Foch, 69006 Lyon' },
  claim: { nature: 'Abonnement annuel', basis: 'Contrat signé le 3 janvier', currency: 'EUR', invoices: [] },
  paymentInstructions: 'virement au compte IBAN FR76 3000 6000 0112 3456 7890 189',
} as unknown as CaseRecord;

function input(overrides: Partial<SendMessageInput>): SendMessageInput {
  return {
    caseId: 'c_words',
    idempotencyKey: 'c_words:final_reminder:email',
    stage: 'final_reminder',
    channel: 'email',
    tone: 'courteous',
    template: 'final_reminder.courteous',
    debtorKind: 'consumer',
    timeBarred: false,
    amounts: {
      principalCents: 50000,
      interestCents: 0,
      accessoriesCents: 0,
      paidCents: 0,
      totalCents: 50000,
      currency: 'EUR',
    },
    invoiceNumbers: ['NEW'],
    at: '2026-12-02T10:00:00.000Z',
    ...overrides,
  };
}

function composed(send: SendMessageInput, wording: MessageWording = wordingFor(send)!) {
  const context = messageContext(record, send, { reference: 'INV-2026-0042', date: '2 novembre 2026' });
  const message = composeMessage(wording, record, context, send);
  return { message, verdict: checkMessage(message, context) };
}

const TONES: Tone[] = ['courteous', 'firm', 'formal'];
const CHANNELS: WrittenChannel[] = ['email', 'sms', 'letter'];
const cases = TONES.flatMap((tone) => CHANNELS.map((channel) => ({ tone, channel })));

describe('R4: a final reminder announces the mise en demeure only when it will come', () => {
  test.each(cases)('$tone $channel, none will come: no mention of it, and the message passes', ({ tone, channel }) => {
    const { message, verdict } = composed(
      input({ tone, channel, template: `final_reminder.${tone}`, formalNoticeFollows: false }),
    );
    expect(`${message.subject ?? ''}\n${message.body}`).not.toMatch(/mise en demeure/i);
    expect(describeViolations(verdict.violations)).toBe('');
  });

  test.each(cases)('$tone $channel, it will come: announced, and the message passes', ({ tone, channel }) => {
    const { message, verdict } = composed(
      input({ tone, channel, template: `final_reminder.${tone}`, formalNoticeFollows: true }),
    );
    expect(message.body).toMatch(/mise en demeure/);
    expect(describeViolations(verdict.violations)).toBe('');
  });

  test('a template that announces it anyway is blocked by the checker, subject and body alike', () => {
    const send = input({ formalNoticeFollows: false });
    const rogue: MessageWording = {
      subject: 'Dernier rappel avant mise en demeure',
      opening: 'La somme de {{total}} reste due. Une mise en demeure vous sera adressée.',
      sms: 'Une mise en demeure suivra.',
    };
    const { verdict } = composed(send, rogue);
    expect(verdict.ok).toBe(false);
    expect(verdict.violations.map((violation) => `${violation.kind} ${violation.detail}`)).toEqual([
      'step_that_will_not_come the subject announces a mise en demeure the case will not send',
      'step_that_will_not_come the body announces a mise en demeure the case will not send',
    ]);
    // The same words pass when the mise en demeure will come.
    expect(composed(input({ formalNoticeFollows: true }), rogue).verdict.ok).toBe(true);
  });
});

describe('R1 per invoice: a barred invoice is shown, not demanded', () => {
  test.each(['email', 'letter'] as const)(
    '%s: its own line, « prescrite — paiement volontaire possible »',
    (channel) => {
      const { message, verdict } = composed(
        input({
          channel,
          stage: 'reminder_2',
          template: 'reminder_2.courteous',
          barredInvoices: [{ number: 'OLD', outstandingCents: 30000 }],
        }),
      );
      // Amounts carry a no-break space before the euro sign.
      const body = message.body.replace(/\u00A0|\u202F/g, ' ');
      expect(body).toContain(
        '\n\nFacture OLD (300,00 €) : prescrite — paiement volontaire possible ; elle n’est pas comprise dans la somme demandée.\n',
      );
      expect(body).toContain('Montant total dû : 500,00 €');
      expect(body).toContain('Facture concernée : NEW');
      expect(verdict.ok).toBe(true);
    },
  );

  test('a mise en demeure that may not name court action says nothing of it', () => {
    const base = {
      stage: 'formal_notice' as const,
      tone: 'formal' as const,
      channel: 'letter' as const,
      template: 'formal_notice',
      formalNoticeDeadline: '2026-12-21',
    };
    expect(composed(input({ ...base, timeBarred: false })).message.body).toMatch(/procédure judiciaire/);
    const barred = composed(input({ ...base, timeBarred: true }));
    expect(barred.message.body).not.toMatch(/procédure judiciaire|justice/);
    expect(barred.verdict.ok).toBe(true);
  });
});
