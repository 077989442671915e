/**
 * The case workflow's activities: the journal, the projection of the case for the API, call tasks,
 * outgoing messages, the handoff and manager alerts.
 *
 * Temporal retries an activity whose attempt failed or timed out, and a worker can die anywhere, so
 * every write here is keyed: a retry finds what the previous attempt wrote and does not write it
 * again. A message goes further: a message may not leave twice (docs/domain.md, "What a case must
 * never do"), so a send whose outcome is unknown after a crash is reported, never repeated.
 *
 * Personal data (R7) is read from the case record here and goes to the transport only: logs carry
 * ids, stages, channels and statuses, and thrown errors (which Temporal records in the workflow's
 * history) carry no names, addresses or message text.
 */
import type { Connection } from 'mongoose';
import type {
  ActorRole,
  CallTaskInput,
  CaseActivities,
  CaseView,
  JournalDraft,
  MessageStatus,
  SendMessageInput,
  SendMessageResult,
  WrittenChannel,
} from './contracts';
import { checkMessage, describeViolations, renderMandatoryMentions, type MessageContext } from '../domain/compliance';
import { parisInstant } from '../domain/dates';
import { formatAmount } from '../domain/money';
import type { Stage, Tone } from '../domain/types';
import { callTaskModel } from '../models/call-task';
import { caseRecordModel, storeProjection, type CaseRecord } from '../models/case-record';
import { journalEntryModel, type JOURNAL_CHANNELS } from '../models/journal-entry';
import { messageSendModel, type MessageSend } from '../models/message-send';
import { openText } from '../models/sealed-text';
import type { Logger } from '../observability/logger';

// ---------------------------------------------------------------------------------------------
// Transports

export interface OutboundMessage {
  /** E-mail address, phone number, or for a letter the recipient's name and postal address. */
  to: string;
  subject?: string;
  body: string;
  /** Passed on so that a provider with idempotent requests can drop a duplicate on its side too. */
  idempotencyKey: string;
}

export interface MessageTransport {
  /** True when nothing leaves the machine: the journal then says `simulated`, never `sent`. */
  readonly simulated: boolean;
  /**
   * Throws when the provider did not take the message. An error with `permanent: true` (hard
   * bounce, invalid number, opt-out) closes the channel instead of being retried; its `reason`, if
   * any, goes to the journal and must hold no personal data.
   */
  send(message: OutboundMessage): Promise<{ providerMessageId?: string }>;
}

export class PermanentDeliveryError extends Error {
  readonly permanent = true;
  constructor(readonly reason: string) {
    super(`permanent delivery failure: ${reason}`);
    this.name = 'PermanentDeliveryError';
  }
}

// ---------------------------------------------------------------------------------------------
// Wording (placeholders until the real templates exist)

/** `{total}`, `{invoices}`, `{nature}` and `{deadline}` are filled in; the mandatory mentions follow. */
export interface MessageWording {
  /** Subject of an e-mail, title of a letter; an SMS has none. */
  subject: string;
  opening: string;
  sms: string;
  /** Said only when the claim is not time-barred (R1, R5). */
  courtAction?: string;
}

export type WordingTable = Partial<Record<Stage, Partial<Record<Tone, MessageWording>>>>;

const FIRST_REMINDER: Record<Tone, MessageWording> = {
  courteous: {
    subject: 'Rappel : facture {invoices} en attente de règlement',
    opening:
      "Sauf erreur ou omission de notre part, nous n'avons pas encore reçu le règlement de la somme de {total} " +
      "relative à : {nature}. Il s'agit peut-être d'un simple oubli ; si vous avez réglé entre-temps, " +
      'merci de ne pas tenir compte de ce message.',
    sms: 'Rappel : la somme de {total} reste à régler.',
  },
  firm: {
    subject: 'Relance : facture {invoices} impayée',
    opening:
      "L'échéance est dépassée et la somme de {total} relative à : {nature} reste impayée à ce jour. " +
      'Nous vous demandons de procéder à son règlement dans les meilleurs délais.',
    sms: 'Relance : la somme de {total} est échue et reste impayée.',
  },
  formal: {
    subject: 'Relance : facture {invoices} impayée',
    opening:
      'Nous constatons que la somme de {total} relative à : {nature} demeure impayée. ' +
      'Nous vous invitons à en effectuer le règlement sans délai.',
    sms: 'Relance : la somme de {total} demeure impayée.',
  },
};

const SECOND_REMINDER: Record<Tone, MessageWording> = {
  courteous: {
    subject: 'Deuxième rappel : facture {invoices}',
    opening:
      'Nous revenons vers vous au sujet de la somme de {total} relative à : {nature}, toujours en attente de ' +
      'règlement. Si vous rencontrez une difficulté, contactez-nous : nous pouvons convenir ensemble ' +
      "d'une solution, par exemple un échéancier.",
    sms: 'Deuxième rappel : la somme de {total} reste à régler. Une difficulté ? Contactez-nous.',
  },
  firm: {
    subject: 'Deuxième relance : facture {invoices} impayée',
    opening:
      'Notre précédent rappel est resté sans effet : la somme de {total} relative à : {nature} reste due. ' +
      'Nous vous demandons de la régler sans attendre, ou de nous contacter rapidement pour convenir ' +
      "d'un échéancier.",
    sms: 'Deuxième relance : la somme de {total} reste due. Merci de la régler sans attendre.',
  },
  formal: {
    subject: 'Deuxième relance : facture {invoices} impayée',
    opening:
      'Malgré notre précédent rappel, la somme de {total} relative à : {nature} demeure impayée. ' +
      'Nous vous demandons de la régler sans délai.',
    sms: 'Deuxième relance : la somme de {total} demeure impayée.',
  },
};

const FINAL_REMINDER: Record<Tone, MessageWording> = {
  courteous: {
    subject: 'Dernier rappel : facture {invoices}',
    opening:
      "Malgré nos rappels, la somme de {total} relative à : {nature} n'a pas encore été réglée. " +
      'Sans règlement ou nouvelle de votre part, nous devrons vous adresser une mise en demeure. ' +
      'Si vous rencontrez une difficulté, contactez-nous : une solution reste possible.',
    sms: 'Dernier rappel : la somme de {total} reste à régler avant mise en demeure.',
  },
  firm: {
    subject: 'Dernière relance avant mise en demeure : facture {invoices}',
    opening:
      "Malgré nos relances, la somme de {total} relative à : {nature} n'a toujours pas été réglée. " +
      'Sans règlement de votre part, nous vous adresserons une mise en demeure.',
    sms: 'Dernière relance : la somme de {total} reste due. Sans règlement, une mise en demeure suivra.',
  },
  formal: {
    subject: 'Dernière relance avant mise en demeure : facture {invoices}',
    opening:
      'Malgré nos relances, la somme de {total} relative à : {nature} demeure impayée. ' +
      'À défaut de règlement, nous vous adresserons une mise en demeure.',
    sms: 'Dernière relance : la somme de {total} demeure impayée. Une mise en demeure suivra.',
  },
};

const FORMAL_NOTICE_WORDING: MessageWording = {
  subject: 'Mise en demeure',
  // The demand with its deadline is one of the mandatory mentions below: not said twice.
  opening:
    'Malgré nos relances, la somme de {total} relative à : {nature} reste impayée à ce jour. ' +
    'La présente lettre vaut mise en demeure de payer.',
  sms: 'Mise en demeure : la somme de {total} est à régler au plus tard le {deadline}.',
  courtAction:
    'À défaut de règlement au plus tard le {deadline}, le créancier pourra engager une procédure judiciaire ' +
    'pour obtenir le paiement de sa créance.',
};

/**
 * The messages of an installment plan, by template. `{schedule}` lists every installment;
 * `{installmentNumber}`, `{installmentDate}`, `{installmentAmount}` name the one a reminder is
 * about; `{total}` is what remains owed.
 */
export const PLAN_WORDING: Readonly<Record<string, MessageWording>> = {
  'installment_plan.installment_plan_confirmation': {
    subject: 'Confirmation de votre échéancier : facture {invoices}',
    opening:
      "Nous vous confirmons l'échéancier convenu pour le règlement de la somme relative à : {nature}. " +
      'Échéances : {schedule}. Chaque échéance est à régler au plus tard à la date indiquée ; ' +
      "si vous rencontrez une difficulté, contactez-nous avant l'échéance.",
    sms: 'Votre échéancier de {installmentCount} échéances est confirmé : {schedule}.',
  },
  'installment_plan.installment_reminder': {
    subject: 'Rappel : échéance du {installmentDate}',
    opening:
      "Conformément à l'échéancier convenu, l'échéance n°{installmentNumber}, d'un montant de " +
      '{installmentAmount}, est à régler au plus tard le {installmentDate}. ' +
      'Si vous avez déjà réglé cette échéance, merci de ne pas tenir compte de ce message.',
    sms: 'Rappel : échéance n°{installmentNumber} de {installmentAmount} à régler au plus tard le {installmentDate}.',
  },
  'installment_plan.installment_missed': {
    subject: 'Échéance impayée du {installmentDate}',
    opening:
      "L'échéance n°{installmentNumber} de l'échéancier convenu, d'un montant de {installmentAmount}, " +
      "prévue le {installmentDate}, n'a pas été réglée à ce jour. Nous vous demandons de la régler sans délai. " +
      "À défaut, l'échéancier pourra prendre fin et la totalité de la somme restant due deviendra exigible.",
    sms: 'Échéance n°{installmentNumber} de {installmentAmount} du {installmentDate} impayée : merci de la régler sans délai.',
  },
};

/** A mise en demeure is formal whatever the policy says: one wording for every tone. */
export const DEFAULT_WORDING: WordingTable = {
  reminder_1: FIRST_REMINDER,
  reminder_2: SECOND_REMINDER,
  final_reminder: FINAL_REMINDER,
  formal_notice: { courteous: FORMAL_NOTICE_WORDING, firm: FORMAL_NOTICE_WORDING, formal: FORMAL_NOTICE_WORDING },
};

const GREETING = 'Madame, Monsieur,';
const CLOSING = "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.";

function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
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
function frenchDate(instant: Date): string {
  return FRENCH_DATE.format(instant);
}

function frenchCalendarDate(date: string): string {
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
// Composing a message

type Debtor = CaseRecord['debtor'];

interface Recipient {
  of: (debtor: Debtor) => string | undefined;
  missing: string;
}

function present(value: string | null | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

const RECIPIENTS: Readonly<Record<WrittenChannel, Recipient>> = {
  email: { of: (debtor) => present(debtor.email), missing: 'no e-mail address on file' },
  sms: { of: (debtor) => present(debtor.phone), missing: 'no phone number on file' },
  letter: {
    // An envelope needs a name as well as an address.
    of: (debtor) => (present(debtor.address) ? `${debtor.name}\n${debtor.address}` : undefined),
    missing: 'no postal address on file',
  },
};

interface ComposedMessage {
  subject?: string;
  body: string;
  context: MessageContext;
}

function messageContext(
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

/**
 * The debtor is greeted "Madame, Monsieur" and never named: the rendered text is stored in the
 * journal, and keeping the debtor's identity out of it keeps personal data in the case record.
 */
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

function composeMessage(
  wording: MessageWording,
  record: CaseRecord,
  context: MessageContext,
  input: SendMessageInput,
): ComposedMessage {
  const values = {
    total: context.claim.amounts.total,
    invoices: context.claim.invoiceNumbers.join(', '),
    nature: record.claim.nature,
    deadline: context.formalNoticeDeadline ?? '',
    ...planValues(input.installmentPlan, input.amounts.currency),
  };
  const mentions = renderMandatoryMentions(context);
  if (context.channel === 'sms') return { body: `${fill(wording.sms, values)}\n${mentions}`, context };
  const opening = [wording.opening, context.timeBarred ? undefined : wording.courtAction]
    .filter((sentence): sentence is string => sentence !== undefined)
    .map((sentence) => fill(sentence, values))
    .join(' ');
  const sender = (record.collector ?? record.creditor).name;
  const body = [GREETING, opening, mentions, `${CLOSING}\n${sender}`].join('\n\n');
  return { subject: fill(wording.subject, values), body, context };
}

// ---------------------------------------------------------------------------------------------
// Journal helpers

type JournalChannel = (typeof JOURNAL_CHANNELS)[number];

interface JournalDocument {
  caseId: string;
  idempotencyKey: string;
  at: Date;
  type: string;
  summary: string;
  channel?: JournalChannel;
  stage?: Stage;
  status?: MessageStatus;
  providerMessageId?: string;
  content?: { subject?: string; body?: string };
  actor: { role: ActorRole; id?: string };
}

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/** The journal's word for a phone call is `phone`; the case rules say `call`. */
function journalChannel(channel: JournalDraft['channel']): JournalChannel | undefined {
  return channel === 'call' ? 'phone' : channel;
}

const DELIVERED = ['sent', 'simulated'] as const;
type DeliveredStatus = (typeof DELIVERED)[number];

/** An SMS does not carry the RGPD notice nor the full R2 set: only a letter or an e-mail is "the first letter". */
const FIRST_LETTER_CHANNELS: readonly WrittenChannel[] = ['email', 'letter'];

const OUTCOME_UNKNOWN = 'outcome unknown after a crash: not re-sent; check the provider';

const attemptKey = (idempotencyKey: string, attempt: number): string => `${idempotencyKey}:attempt-${attempt}`;

// ---------------------------------------------------------------------------------------------
// The activities

export interface CaseActivitiesDependencies {
  connection: Connection;
  /** 32 bytes (see `parseDataKey`): opens the free text that crosses Temporal sealed. */
  dataKey: Buffer;
  logger: Logger;
  transports: Readonly<Record<WrittenChannel, MessageTransport>>;
  /** Overrides entries of `DEFAULT_WORDING`, stage by stage and tone by tone. */
  wording?: WordingTable;
}

export function createCaseActivities(dependencies: CaseActivitiesDependencies): CaseActivities {
  const { connection, dataKey, transports } = dependencies;
  const logger = dependencies.logger.child({ component: 'case-activities' });
  const JournalEntry = journalEntryModel(connection);
  const CaseRecords = caseRecordModel(connection);
  const CallTasks = callTaskModel(connection);
  const MessageSends = messageSendModel(connection);

  /** False when an entry with this key exists: the write already happened, on this attempt or an earlier one. */
  async function writeOnce(entry: JournalDocument): Promise<boolean> {
    try {
      await JournalEntry.create(entry);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  function journalDocument(draft: JournalDraft): JournalDocument {
    const channel = journalChannel(draft.channel);
    return {
      caseId: draft.caseId,
      idempotencyKey: draft.idempotencyKey,
      at: new Date(draft.at),
      type: draft.type,
      summary: draft.summary,
      ...(channel ? { channel } : {}),
      ...(draft.stage ? { stage: draft.stage } : {}),
      ...(draft.status ? { status: draft.status } : {}),
      actor: { role: draft.actor.role, ...(draft.actor.id ? { id: draft.actor.id } : {}) },
      ...(draft.sealedText !== undefined ? { content: { body: openText(draft.sealedText, dataKey) } } : {}),
    };
  }

  async function recordJournal(drafts: JournalDraft[]): Promise<void> {
    // Every text is opened before anything is written: a text that cannot be opened writes nothing.
    const documents = drafts.map(journalDocument);
    for (const document of documents) await writeOnce(document);
  }

  async function saveCaseProjection(view: CaseView): Promise<void> {
    if (await storeProjection(CaseRecords, view)) return;
    // Retryable: the record may be one write behind the workflow that publishes into it.
    throw new Error(`case record ${view.id} not found: projection revision ${view.revision} not saved`);
  }

  async function createCallTask(input: CallTaskInput): Promise<void> {
    try {
      await CallTasks.create({
        taskId: input.taskId,
        caseId: input.caseId,
        reason: input.reason,
        dueAt: new Date(input.dueAt),
        status: 'open',
        balanceCents: input.balanceCents,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async function closeCallTask(input: Parameters<CaseActivities['closeCallTask']>[0]): Promise<void> {
    // Only an open task: a retry must not move the closing time of a task it already closed.
    await CallTasks.updateOne(
      { taskId: input.taskId, caseId: input.caseId, status: 'open' },
      {
        $set: {
          status: 'done',
          outcome: input.outcome,
          closedAt: new Date(),
          ...(input.agentId ? { agentId: input.agentId } : {}),
        },
      },
    );
  }

  // --- messages ------------------------------------------------------------------------------

  function messageEntry(
    input: SendMessageInput,
    idempotencyKey: string,
    outcome: Pick<JournalDocument, 'status' | 'summary' | 'content' | 'providerMessageId'>,
  ): JournalDocument {
    return {
      caseId: input.caseId,
      idempotencyKey,
      at: new Date(input.at),
      type: 'message',
      channel: input.channel,
      stage: input.stage,
      actor: { role: 'system' },
      ...outcome,
    };
  }

  const logFields = (input: SendMessageInput) => ({
    caseId: input.caseId,
    idempotencyKey: input.idempotencyKey,
    channel: input.channel,
    stage: input.stage,
  });

  async function block(
    input: SendMessageInput,
    summary: string,
    extra: { closeChannel?: boolean; content?: { subject?: string; body: string } } = {},
  ): Promise<SendMessageResult> {
    // Keyed by the instant of this try as well: a later try of the same step is another event.
    const key = `${input.idempotencyKey}:blocked:${input.at}`;
    await writeOnce(messageEntry(input, key, { status: 'blocked', summary, content: extra.content }));
    logger.warn({ ...logFields(input), summary }, 'message blocked');
    return { status: 'blocked', summary, ...(extra.closeChannel ? { closeChannel: true } : {}) };
  }

  function storedResult(send: MessageSend): SendMessageResult {
    return {
      status: send.status ?? 'sent',
      summary: send.summary ?? '',
      ...(send.providerMessageId ? { providerMessageId: send.providerMessageId } : {}),
    };
  }

  async function markSent(input: SendMessageInput, result: SendMessageResult): Promise<void> {
    await MessageSends.updateOne(
      { idempotencyKey: input.idempotencyKey, state: { $in: ['sending', 'unknown'] } },
      {
        $set: {
          state: 'sent',
          status: result.status,
          summary: result.summary,
          settledAt: new Date(),
          ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
        },
      },
    );
  }

  async function reportUnknownOutcome(input: SendMessageInput): Promise<SendMessageResult> {
    await MessageSends.updateOne(
      { idempotencyKey: input.idempotencyKey, state: 'sending' },
      { $set: { state: 'unknown', settledAt: new Date() } },
    );
    const key = `${input.idempotencyKey}:outcome-unknown`;
    await writeOnce(messageEntry(input, key, { status: 'failed', summary: OUTCOME_UNKNOWN }));
    logger.error(logFields(input), 'message outcome unknown after a crash: not re-sent');
    return { status: 'failed', summary: OUTCOME_UNKNOWN };
  }

  /**
   * An attempt claimed this send and did not settle it. The journal tells what it got done: the
   * delivered entry (then only the bookkeeping was lost), or its failed attempt (then the provider
   * refused and trying again is safe). Neither means it may have sent: it is not sent again.
   */
  async function settleInterrupted(input: SendMessageInput, send: MessageSend): Promise<SendMessageResult | undefined> {
    const delivered = await JournalEntry.findOne({ idempotencyKey: input.idempotencyKey }).lean();
    if (delivered && DELIVERED.includes(delivered.status as DeliveredStatus)) {
      const result: SendMessageResult = {
        status: delivered.status as DeliveredStatus,
        summary: delivered.summary,
        ...(delivered.providerMessageId ? { providerMessageId: delivered.providerMessageId } : {}),
      };
      await markSent(input, result);
      return result;
    }
    if (
      send.state === 'sending' &&
      (await JournalEntry.exists({ idempotencyKey: attemptKey(input.idempotencyKey, send.attempts) }))
    ) {
      await MessageSends.updateOne(
        { idempotencyKey: input.idempotencyKey, state: 'sending', attempts: send.attempts },
        { $set: { state: 'failed' } },
      );
      return undefined;
    }
    return reportUnknownOutcome(input);
  }

  /** The result of an earlier attempt with this key, or undefined when this attempt may send. */
  async function earlierOutcome(input: SendMessageInput): Promise<SendMessageResult | undefined> {
    const send = await MessageSends.findOne({ idempotencyKey: input.idempotencyKey }).lean();
    if (!send || send.state === 'failed') return undefined;
    if (send.state === 'sent') return storedResult(send);
    return settleInterrupted(input, send);
  }

  /** The attempt number this call now owns, or undefined when another attempt holds the send. */
  async function claimSend(input: SendMessageInput): Promise<number | undefined> {
    const claimedAt = new Date();
    try {
      await MessageSends.create({
        idempotencyKey: input.idempotencyKey,
        caseId: input.caseId,
        channel: input.channel,
        stage: input.stage,
        state: 'sending',
        attempts: 1,
        claimedAt,
      });
      return 1;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const retaken = await MessageSends.findOneAndUpdate(
      { idempotencyKey: input.idempotencyKey, state: 'failed' },
      { $set: { state: 'sending', claimedAt }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    ).lean();
    return retaken?.attempts;
  }

  async function loadCaseRecord(caseId: string): Promise<CaseRecord> {
    const record = await CaseRecords.findOne({ caseId }).lean<CaseRecord>();
    // Retryable: intake may not have finished writing the record the workflow was started for.
    if (!record) throw new Error(`case record ${caseId} not found: message not composed`);
    return record;
  }

  /** R2: later messages repeat the first letter's reference (the case reference) and date. */
  async function firstLetterOf(record: CaseRecord): Promise<MessageContext['firstMessage']> {
    const first = await JournalEntry.findOne({
      caseId: record.caseId,
      type: 'message',
      status: { $in: DELIVERED },
      channel: { $in: FIRST_LETTER_CHANNELS },
    })
      .sort({ at: 1, _id: 1 })
      .lean();
    return first ? { reference: record.reference, date: frenchDate(first.at) } : undefined;
  }

  function wordingFor(input: SendMessageInput): MessageWording | undefined {
    if (input.installmentPlan) return PLAN_WORDING[input.template];
    return dependencies.wording?.[input.stage]?.[input.tone] ?? DEFAULT_WORDING[input.stage]?.[input.tone];
  }

  function isPermanent(error: unknown): error is { permanent: true; reason?: unknown } {
    return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
  }

  /** The provider did not take the message: journal this attempt, then retry or close the channel. */
  async function deliveryFailed(
    input: SendMessageInput,
    message: ComposedMessage,
    attempt: number,
    error: unknown,
  ): Promise<SendMessageResult> {
    const permanent = isPermanent(error);
    const reason = permanent && typeof error.reason === 'string' ? error.reason : 'no reason given';
    const summary = permanent
      ? `provider refused the message permanently (${reason}): channel closed`
      : `provider error on attempt ${attempt}: not sent, will be retried`;
    // Journal first: an attempt found unsettled with its failure journaled is known not to have sent.
    const content = { subject: message.subject, body: message.body };
    await writeOnce(
      messageEntry(input, attemptKey(input.idempotencyKey, attempt), { status: 'failed', summary, content }),
    );
    await MessageSends.updateOne(
      { idempotencyKey: input.idempotencyKey, state: 'sending', attempts: attempt },
      { $set: { state: 'failed', summary, settledAt: new Date() } },
    );
    const errorName = error instanceof Error ? error.name : typeof error;
    logger.warn({ ...logFields(input), attempt, permanent, errorName }, 'message not sent');
    if (permanent) return { status: 'failed', summary, closeChannel: true };
    // The provider's own message may quote the address: it stays out of the workflow's history.
    throw new Error(`${input.channel} message ${input.idempotencyKey}: provider error on attempt ${attempt}, not sent`);
  }

  async function deliver(
    input: SendMessageInput,
    message: ComposedMessage,
    to: string,
    attempt: number,
  ): Promise<SendMessageResult> {
    const transport = transports[input.channel];
    let providerMessageId: string | undefined;
    try {
      ({ providerMessageId } = await transport.send({
        to,
        ...(message.subject !== undefined ? { subject: message.subject } : {}),
        body: message.body,
        idempotencyKey: input.idempotencyKey,
      }));
    } catch (error) {
      return deliveryFailed(input, message, attempt, error);
    }
    const status: DeliveredStatus = transport.simulated ? 'simulated' : 'sent';
    const what = input.installmentPlan ? input.template : input.stage;
    const summary =
      status === 'simulated'
        ? `${what} by ${input.channel} simulated: no provider configured, nothing left the machine`
        : `${what} sent by ${input.channel}`;
    const result: SendMessageResult = { status, summary, ...(providerMessageId ? { providerMessageId } : {}) };
    const content = { subject: message.subject, body: message.body };
    // Journal before bookkeeping: a retry that finds this entry knows the message left.
    await writeOnce(messageEntry(input, input.idempotencyKey, { status, summary, content, providerMessageId }));
    await markSent(input, result);
    logger.info({ ...logFields(input), status, attempt }, 'message delivered');
    return result;
  }

  async function sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
    const earlier = await earlierOutcome(input);
    if (earlier) return earlier;
    const record = await loadCaseRecord(input.caseId);
    const recipient = RECIPIENTS[input.channel];
    const to = recipient.of(record.debtor);
    if (to === undefined) return block(input, recipient.missing, { closeChannel: true });
    const wording = wordingFor(input);
    if (!wording) return block(input, `no wording for ${input.template} (stage ${input.stage}, ${input.tone} tone)`);
    const context = messageContext(record, input, await firstLetterOf(record));
    const message = composeMessage(wording, record, context, input);
    const verdict = checkMessage(message, context);
    if (!verdict.ok) {
      const content = { subject: message.subject, body: message.body };
      return block(input, describeViolations(verdict.violations), { content });
    }
    const attempt = await claimSend(input);
    if (attempt === undefined) {
      // Another attempt claimed it between our look and our claim: report what it did.
      const concurrent = await earlierOutcome(input);
      if (concurrent) return concurrent;
      throw new Error(`${input.channel} message ${input.idempotencyKey}: claimed by a concurrent attempt`);
    }
    return deliver(input, message, to, attempt);
  }

  // --- handoff and alerts ----------------------------------------------------------------------

  async function handOffCase(input: {
    caseId: string;
    idempotencyKey: string;
    at: string;
  }): Promise<{ summary: string }> {
    const summary =
      'handoff dossier prepared; delivery to the commissaire de justice is simulated: nothing left the machine';
    const written = await writeOnce({
      caseId: input.caseId,
      idempotencyKey: input.idempotencyKey,
      at: new Date(input.at),
      type: 'handoff',
      channel: 'system',
      status: 'simulated',
      summary,
      actor: { role: 'system' },
    });
    if (written)
      logger.info({ caseId: input.caseId, idempotencyKey: input.idempotencyKey }, 'case handed off (simulated)');
    return { summary };
  }

  async function raiseManagerAlert(input: {
    caseId: string;
    idempotencyKey: string;
    kind: string;
    message: string;
  }): Promise<void> {
    const written = await writeOnce({
      caseId: input.caseId,
      idempotencyKey: input.idempotencyKey,
      // The input has no instant: the first attempt's clock, kept by the key on retries.
      at: new Date(),
      type: 'manager_alert',
      channel: 'system',
      summary: `${input.kind}: ${input.message}`,
      actor: { role: 'system' },
    });
    // The message is not logged: it is free text, and logs are no place to find out whether it names someone.
    if (written)
      logger.warn({ caseId: input.caseId, alert: input.kind, idempotencyKey: input.idempotencyKey }, 'manager alert');
  }

  return {
    sendMessage,
    createCallTask,
    closeCallTask,
    recordJournal,
    saveCaseProjection,
    handOffCase,
    raiseManagerAlert,
  };
}
