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
    // Handlebars names the missing variable; the values themselves are never quoted. The message is
    // a blocked message's journal summary: French, naming the value (« "x" not defined in … »).
    const detail = cause instanceof Error ? cause.message.split('\n')[0]! : String(cause);
    const missing = /"([^"]+)" not defined/.exec(detail)?.[1];
    super(`le modèle ${template} ne peut pas être composé : ${missing ? `valeur « ${missing} » absente` : detail}`);
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

const RATE = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 4 });

/** "12,15 %": a no-break space before the sign, as French typography and the amounts have it. */
export function frenchPercent(percent: number): string {
  return `${RATE.format(percent)}\u00A0%`;
}

const RATE_BASES = {
  ecb_plus_10: 'taux de refinancement de la BCE majoré de 10 points',
  contract: 'taux prévu au contrat',
} as const;

function formattedAmounts(amounts: SendMessageInput['amounts']): MessageContext['claim']['amounts'] {
  const { currency, lateCharges } = amounts;
  const interest = formatAmount(amounts.interestCents, currency);
  const accessories = formatAmount(amounts.accessoriesCents, currency);
  return {
    principal: formatAmount(amounts.principalCents, currency),
    interest,
    accessories,
    total: formatAmount(amounts.totalCents, currency),
    ...(lateCharges
      ? {
          lateCharges: {
            penalties: interest,
            ...(lateCharges.penaltyRatePercent === undefined
              ? {}
              : { rate: frenchPercent(lateCharges.penaltyRatePercent) }),
            ...(lateCharges.penaltyRateBasis === undefined
              ? {}
              : { rateBasis: RATE_BASES[lateCharges.penaltyRateBasis] }),
            indemnity: accessories,
            waivedWhenPrincipalPaid: lateCharges.waivedWhenPrincipalPaid,
          },
        }
      : {}),
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
  email: { of: (debtor) => present(debtor.email), missing: 'aucune adresse e-mail au dossier' },
  sms: { of: (debtor) => present(debtor.phone), missing: 'aucun numéro de téléphone au dossier' },
  letter: {
    // An envelope needs a name as well as an address.
    of: (debtor) => (present(debtor.address) ? `${debtor.name}\n${debtor.address}` : undefined),
    missing: 'aucune adresse postale au dossier',
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
    ...(input.formalNoticeFollows === undefined ? {} : { formalNoticeFollows: input.formalNoticeFollows }),
    ...(input.barredInvoices?.length
      ? {
          barredInvoices: input.barredInvoices.map((invoice) => ({
            number: invoice.number,
            outstanding: formatAmount(invoice.outstandingCents, input.amounts.currency),
          })),
        }
      : {}),
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

/**
 * R1 per invoice: a barred invoice stays on the statement, payable voluntarily, with no demand and
 * no threat; the amounts above do not include it.
 */
function barredInvoicesText(context: MessageContext): string | undefined {
  const barred = context.barredInvoices ?? [];
  if (barred.length === 0) return undefined;
  const lines = barred.map(
    (invoice) =>
      `Facture ${invoice.number} (${invoice.outstanding}) : prescrite — paiement volontaire possible ; ` +
      'elle n’est pas comprise dans la somme demandée.',
  );
  return lines.join('\n');
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
  // R4: the mise en demeure is announced only when the case decided it will come (unset: as before).
  const announces = wording.formalNoticeAnnouncement && context.formalNoticeFollows !== false;
  try {
    if (context.channel === 'sms') {
      const announcement = announces ? ` ${render(wording.formalNoticeAnnouncement!.sms, values)}` : '';
      return { body: render(SMS_FRAME, { text: render(wording.sms, values) + announcement, mentions }), context };
    }
    const body = render(WRITTEN_FRAME, {
      opening: render(wording.opening, values),
      announcement: announces ? render(wording.formalNoticeAnnouncement!.written, values) : undefined,
      barred: barredInvoicesText(context),
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
