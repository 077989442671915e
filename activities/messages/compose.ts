/**
 * Turns a decided message (stage, tone, template, amounts) and the case record into the exact text
 * the debtor receives. Rendering is Handlebars in strict mode: a template that names a value the
 * message lacks throws, and the activity blocks the message rather than send a letter with a hole.
 * What comes out is checked by domain/compliance before anything is sent, and stored as sent.
 */
import Handlebars from 'handlebars';
import type { SendMessageInput, WrittenChannel } from '../contracts';
import { renderMandatoryMentions, type MessageContext } from '../../domain/compliance';
import { parisInstant } from '../../domain/dates';
import { formatAmount } from '../../domain/money';
import type { CaseRecord } from '../../models/case-record';
import {
  DEFAULT_WORDING,
  PLAN_WORDING,
  SMS_FRAME,
  WRITTEN_FRAME,
  type MessageWording,
  type WordingTable,
} from './french-wording';

// An environment of our own: helpers or partials registered elsewhere cannot change a letter.
const templating = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Plain text out (`noEscape`): these are e-mails, SMS and letters, not HTML pages. */
function render(source: string, values: Readonly<Record<string, unknown>>): string {
  let template = compiled.get(source);
  if (!template) {
    template = templating.compile(source, { noEscape: true, strict: true });
    compiled.set(source, template);
  }
  return template(values);
}

export class TemplateError extends Error {
  constructor(template: string, cause: unknown) {
    // Handlebars names the missing variable; the values themselves are never quoted.
    super(`template ${template} cannot be rendered: ${cause instanceof Error ? cause.message.split('\n')[0] : cause}`);
    this.name = 'TemplateError';
  }
}

// ---------------------------------------------------------------------------------------------
// Dates and amounts as the debtor reads them

const FRENCH_DATE = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "3 mars 2026": the form the mentions module looks for. */
export function frenchDate(instant: Date): string {
  return FRENCH_DATE.format(instant);
}

export function frenchCalendarDate(date: string): string {
  // Noon in Paris: never near a day boundary, whatever the offset.
  return frenchDate(parisInstant(date, '12:00'));
}

function formattedAmounts(amounts: SendMessageInput['amounts']): MessageContext['claim']['amounts'] {
  const { currency } = amounts;
  return {
    principal: formatAmount(amounts.principalCents, currency),
    interest: formatAmount(amounts.interestCents, currency),
    accessories: formatAmount(amounts.accessoriesCents, currency),
    total: formatAmount(amounts.totalCents, currency),
  };
}

// ---------------------------------------------------------------------------------------------
// Recipients

type Debtor = CaseRecord['debtor'];

interface Recipient {
  of: (debtor: Debtor) => string | undefined;
  missing: string;
}

function present(value: string | null | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

export const RECIPIENTS: Readonly<Record<WrittenChannel, Recipient>> = {
  email: { of: (debtor) => present(debtor.email), missing: 'no e-mail address on file' },
  sms: { of: (debtor) => present(debtor.phone), missing: 'no phone number on file' },
  letter: {
    // An envelope needs a name as well as an address.
    of: (debtor) => (present(debtor.address) ? `${debtor.name}\n${debtor.address}` : undefined),
    missing: 'no postal address on file',
  },
};

// ---------------------------------------------------------------------------------------------
// Composing

export interface ComposedMessage {
  subject?: string;
  body: string;
  context: MessageContext;
}

export function messageContext(
  record: CaseRecord,
  input: SendMessageInput,
  firstMessage: MessageContext['firstMessage'],
): MessageContext {
  const { creditor, collector } = record;
  return {
    creditor: { name: creditor.name, address: creditor.address },
    ...(collector ? { collector: { name: collector.name, address: collector.address } } : {}),
    claim: {
      basis: record.claim.basis,
      invoiceNumbers: input.invoiceNumbers,
      amounts: formattedAmounts(input.amounts),
    },
    paymentInstructions: record.paymentInstructions,
    ...(firstMessage ? { firstMessage } : {}),
    ...(input.formalNoticeDeadline ? { formalNoticeDeadline: frenchCalendarDate(input.formalNoticeDeadline) } : {}),
    debtorKind: input.debtorKind,
    channel: input.channel,
    stage: input.stage,
    timeBarred: input.timeBarred,
  };
}

/** The words for this message: a plan's template by name, else the stage and tone (overrides first). */
export function wordingFor(input: SendMessageInput, overrides?: WordingTable): MessageWording | undefined {
  if (input.installmentPlan) return PLAN_WORDING[input.template];
  return overrides?.[input.stage]?.[input.tone] ?? DEFAULT_WORDING[input.stage]?.[input.tone];
}

/** What a plan's message fills in: the schedule, and the installment it is about. */
function planValues(plan: SendMessageInput['installmentPlan'], currency: string): Record<string, string> {
  if (!plan) return {};
  const schedule = plan.schedule
    .map(
      (installment) =>
        `${frenchCalendarDate(installment.dueDate)} : ${formatAmount(installment.amountCents, currency)}`,
    )
    .join(' ; ');
  return {
    schedule,
    installmentCount: String(plan.schedule.length),
    ...(plan.installment
      ? {
          installmentNumber: String(plan.installment.number),
          installmentDate: frenchCalendarDate(plan.installment.dueDate),
          installmentAmount: formatAmount(plan.installment.amountDueCents, currency),
        }
      : {}),
  };
}

/** Throws `TemplateError` when the wording names a value this message does not have. */
export function composeMessage(
  wording: MessageWording,
  record: CaseRecord,
  context: MessageContext,
  input: SendMessageInput,
): ComposedMessage {
  const values = {
    total: context.claim.amounts.total,
    invoices: context.claim.invoiceNumbers.join(', '),
    nature: record.claim.nature,
    ...(context.formalNoticeDeadline ? { deadline: context.formalNoticeDeadline } : {}),
    ...planValues(input.installmentPlan, input.amounts.currency),
  };
  const mentions = renderMandatoryMentions(context);
  try {
    if (context.channel === 'sms') {
      return { body: render(SMS_FRAME, { text: render(wording.sms, values), mentions }), context };
    }
    const body = render(WRITTEN_FRAME, {
      opening: render(wording.opening, values),
      // Court action is named only while the claim can still go to court (R1, R5).
      courtAction: wording.courtAction && !context.timeBarred ? render(wording.courtAction, values) : undefined,
      mentions,
      sender: (record.collector ?? record.creditor).name,
    });
    return { subject: render(wording.subject, values), body, context };
  } catch (error) {
    throw new TemplateError(input.template, error);
  }
}
