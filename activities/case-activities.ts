/**
 * The case workflow's activities: the journal, the projection of the case for the API, call tasks,
 * outgoing messages, the handoff and manager alerts.
 *
 * Temporal retries an activity whose attempt failed or timed out, and a worker can die anywhere, so
 * every write here is keyed: a retry finds what the previous attempt wrote and does not write it
 * again. A message goes further: it must leave exactly once (docs/domain.md, "What a case must
 * never do": not twice, and not zero times either). A send that a crash or a silent provider left
 * unsettled is settled by asking the provider; only what the provider cannot tell goes to a person.
 *
 * Personal data (R7) is read from the case record here and goes to the transport only: logs carry
 * ids, stages, channels and statuses, and thrown errors (which Temporal records in the workflow's
 * history) carry no names, addresses or message text.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Connection } from 'mongoose';
import type { RateTable } from '../domain/late-charges';
import { loadRateTable } from '../models/rate-store';
import type {
  ActorRole,
  CallTaskInput,
  CaseActivities,
  CaseView,
  HandOffInput,
  JournalDraft,
  ManagerAlertInput,
  MessageStatus,
  RaisedAlert,
  SendMessageInput,
  SendMessageResult,
  WrittenChannel,
} from './contracts';
import { checkMessage, describeViolations, type MessageContext } from '../domain/compliance';
import type { Stage } from '../domain/types';
import { alertKindLabel } from '../domain/case/alerts';
import { channelName, stageName } from '../domain/french-text';
import { alertIdOf, alertModel } from '../models/alert';
import { closeCallTask as closeTask, createCallTask as createTask } from '../models/call-task';
import { appendToCaseList } from '../models/case-list';
import { isDuplicateKey } from '../models/connection';
import { caseRecordModel, type CaseRecord } from '../models/case-record';
import { caseViewModel, saveView, storedView } from '../models/case-view';
import {
  appendJournalEntry,
  firstLetterModel,
  journalEntryModel,
  journalOf,
  type JOURNAL_CHANNELS,
  type JournalEntry as JournalEntryRecord,
} from '../models/journal-entry';
import type { DocumentKind } from '../models/document';
import {
  callLockId,
  claimLockId,
  currentSend,
  IN_FLIGHT_STATES,
  messageSendLockModel,
  messageSendModel,
  rememberProviderMessage,
  resolveUnknownSend,
  takeLock,
  type MessageSend,
} from '../models/message-send';
import { openText } from '../models/sealed-text';
import type { Logger } from '../observability/logger';
import {
  composeMessage,
  frenchDate,
  messageContext,
  RECIPIENTS,
  TemplateError,
  wordingFor,
  type ComposedMessage,
} from './messages/compose';
import type { WordingTable } from './messages/french-wording';
import { createDocumentStore } from './documents/store';
import { withHeartbeat } from './heartbeat';
import { renderSummaryPdf } from './documents/summary-pdf';
import { buildManifest, buildSummary, type DocumentListing, type DossierManifest } from './handoff/dossier';
import { SimulatedDossierDelivery, type DossierDelivery } from './handoff/delivery';
import { createLetterPreparation, type LetterOptions, type PreparedLetter } from './letters';
import {
  isOutcomeUnknown,
  type LetterForm,
  type MessageTransport,
  type SendLookupResult,
} from './transports/transport';

export {
  OutcomeUnknownError,
  PermanentDeliveryError,
  type MessageTransport,
  type OutboundMessage,
} from './transports/transport';
export { DEFAULT_WORDING, PLAN_WORDING, type MessageWording, type WordingTable } from './messages/french-wording';

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
  document?: { id: string; kind: DocumentKind; filename: string; sha256: string; form?: LetterForm };
  actor: { role: ActorRole; id?: string };
}

/** The journal's word for a phone call is `phone`; the case rules say `call`. */
function journalChannel(channel: JournalDraft['channel']): JournalChannel | undefined {
  return channel === 'call' ? 'phone' : channel;
}

const DELIVERED = ['sent', 'simulated'] as const;
type DeliveredStatus = (typeof DELIVERED)[number];

/** An SMS does not carry the RGPD notice nor the full R2 set: only a letter or an e-mail is "the first letter". */
const FIRST_LETTER_CHANNELS: readonly WrittenChannel[] = ['email', 'letter'];

/** Journaled when the provider cannot tell whether it has the message: a person settles it. */
const outcomeUnknownSummary = (why: string): string =>
  `issue inconnue (${why}) : non renvoyé ; un gestionnaire doit vérifier chez le prestataire`;
const OUTCOME_UNKNOWN_AFTER_CALL = 'le prestataire n’a pas répondu';

const PERMANENT_REASON_NAMES: Record<string, string> = {
  invalid_recipient: 'destinataire invalide',
  opted_out: 'opposition du destinataire (STOP)',
  rejected: 'demande rejetée',
};

/**
 * The journal is French evidence, while a transport's `reason` is an English log line
 * (« sendgrid 400: invalid recipient address »): the journal keeps its kind, in French, and the
 * provider's code (HTTP status or Twilio error number), which is what a person checks at the provider.
 */
function permanentReasonInFrench(error: { reason?: unknown; kind?: unknown }): string {
  const kind = (typeof error.kind === 'string' && PERMANENT_REASON_NAMES[error.kind]) || 'motif non précisé';
  const code = typeof error.reason === 'string' ? /\b\d{3,5}\b/.exec(error.reason)?.[0] : undefined;
  return code ? `${kind}, code ${code}` : kind;
}

/**
 * One thing that must leave at most once (a message, the handoff dossier): what the exactly-once
 * guard and its journal entries need to know about it.
 */
interface Dispatch {
  caseId: string;
  idempotencyKey: string;
  channel: JournalChannel;
  stage: Stage;
  at: string;
  /** The journal entry's type; a message by default. */
  entryType?: 'message' | 'handoff';
}

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
  letters?: LetterOptions;
  /** Where handoff dossiers go; simulated when absent. */
  dossierDelivery?: DossierDelivery;
  /** The worker's clock (when a provider call starts, how long a lookup has failed); tests pin it. */
  now?: () => Date;
  /**
   * How long a provider that cannot be asked (errors, not "I cannot tell") is asked again before
   * the send goes to a person. Default: 6 hours, about what the case's retry policy allows.
   */
  lookupGiveUpAfterMs?: number;
}

export function createCaseActivities(dependencies: CaseActivitiesDependencies): CaseActivities {
  const { connection, dataKey, transports } = dependencies;
  const logger = dependencies.logger.child({ component: 'case-activities' });
  const JournalEntry = journalEntryModel(connection);
  const CaseRecords = caseRecordModel(connection);
  const CaseViews = caseViewModel(connection);
  const MessageSends = messageSendModel(connection);
  const SendLocks = messageSendLockModel(connection);
  const FirstLetters = firstLetterModel(connection);
  const Alerts = alertModel(connection);
  const documents = createDocumentStore(connection);
  const dossierDelivery = dependencies.dossierDelivery ?? new SimulatedDossierDelivery();
  const letters = createLetterPreparation(documents, dependencies.letters ?? { preferElectronicRegisteredMail: false });
  const now = dependencies.now ?? (() => new Date());
  const lookupGiveUpAfterMs = dependencies.lookupGiveUpAfterMs ?? 6 * 3_600_000;

  /** False when an entry with this key exists: the write already happened, on this attempt or an earlier one. */
  function writeOnce(entry: JournalDocument): Promise<boolean> {
    return appendJournalEntry(connection, entry);
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

  /**
   * The case's view for the API, in `case_views` by case id: this activity is that document's only
   * writer (the API reads it, intake writes the record beside it), so models/case-view.ts's read
   * then replace by `_id` cannot lose a concurrent write. An older revision arriving late is dropped.
   */
  async function saveCaseProjection(view: CaseView): Promise<void> {
    await saveView(CaseViews, view);
  }

  async function createCallTask(input: CallTaskInput): Promise<void> {
    await createTask(connection, {
      taskId: input.taskId,
      caseId: input.caseId,
      reason: input.reason,
      dueAt: new Date(input.dueAt),
      balanceCents: input.balanceCents,
    });
  }

  async function closeCallTask(input: Parameters<CaseActivities['closeCallTask']>[0]): Promise<void> {
    // Closed once (models/call-task.ts): a retry must not move the closing time of a task it already closed.
    await closeTask(connection, {
      taskId: input.taskId,
      caseId: input.caseId,
      outcome: input.outcome,
      // The case's time, as every journal entry: the worker's clock is not the case's.
      closedAt: input.at ? new Date(input.at) : new Date(),
      ...(input.agentId ? { agentId: input.agentId } : {}),
    });
  }

  // --- messages ------------------------------------------------------------------------------

  function messageEntry(
    input: Dispatch,
    idempotencyKey: string,
    outcome: Pick<JournalDocument, 'status' | 'summary' | 'content' | 'providerMessageId' | 'document'>,
  ): JournalDocument {
    return {
      caseId: input.caseId,
      idempotencyKey,
      at: new Date(input.at),
      type: input.entryType ?? 'message',
      channel: input.channel,
      stage: input.stage,
      actor: { role: 'system' },
      ...outcome,
    };
  }

  const logFields = (input: Dispatch) => ({
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

  /**
   * Written by `_id` alone (any other filter field is a scan in FerretDB over SQLite). The writer is
   * the attempt holding the send's current claim, whose call lock says it called (or, for `unknown`,
   * the one that found the delivered entry): no other attempt writes this send meanwhile.
   */
  async function markSent(input: Dispatch, result: SendMessageResult): Promise<void> {
    // Before the send says sent: a webhook naming the provider's id finds its send from then on.
    if (result.providerMessageId) {
      await rememberProviderMessage(connection, {
        providerMessageId: result.providerMessageId,
        idempotencyKey: input.idempotencyKey,
        caseId: input.caseId,
      });
    }
    await MessageSends.updateOne(
      { _id: input.idempotencyKey },
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

  /** Nobody can tell whether the message left: kept `unknown`, never sent again without a person. */
  async function reportUnknownOutcome(input: Dispatch, why: string): Promise<SendMessageResult> {
    const summary = outcomeUnknownSummary(why);
    await MessageSends.updateOne(
      { _id: input.idempotencyKey },
      { $set: { state: 'unknown', summary, settledAt: new Date() } },
    );
    const key = `${input.idempotencyKey}:outcome-unknown`;
    await writeOnce(messageEntry(input, key, { status: 'failed', summary }));
    const alertRaised = await alertOutcomeUnknown(input);
    logger.error(logFields(input), 'message outcome unknown: not re-sent, a manager is asked to check');
    return { status: 'failed', summary, alertRaised };
  }

  /**
   * A send left in flight: the journal may already tell what the attempt got done — the delivered
   * entry (only the bookkeeping was lost), or its failed attempt (the provider refused: trying
   * again is safe). Undefined when the journal does not know.
   */
  async function journalTells(input: Dispatch, send: MessageSend): Promise<SendMessageResult | 'retry' | undefined> {
    const delivered = await JournalEntry.findOne({ _id: input.idempotencyKey }).lean();
    if (delivered && DELIVERED.includes(delivered.status as DeliveredStatus)) {
      const result: SendMessageResult = {
        status: delivered.status as DeliveredStatus,
        summary: delivered.summary,
        ...(delivered.providerMessageId ? { providerMessageId: delivered.providerMessageId } : {}),
      };
      await markSent(input, result);
      return result;
    }
    if (await JournalEntry.exists({ _id: attemptKey(input.idempotencyKey, send.attempts) })) {
      // This attempt's failure is journaled: it did not send. Only the next claim can move the send
      // on, and it must first insert its claim lock, so writing `failed` here races with no one.
      await MessageSends.updateOne(
        { _id: input.idempotencyKey },
        { $set: { state: 'failed', attempts: send.attempts } },
      );
      return 'retry';
    }
    return undefined;
  }

  /**
   * What an earlier attempt with this key settled, `inFlight` when it called the provider and
   * nobody knows yet whether the message left, or undefined when this attempt may claim it
   * (never claimed, failed, or claimed by an attempt that died before calling).
   */
  async function earlierOutcome(input: Dispatch): Promise<SendMessageResult | { inFlight: MessageSend } | undefined> {
    const send = await currentSend(connection, input.idempotencyKey);
    if (!send || send.state === 'failed' || send.state === 'claimed') return undefined;
    if (send.state === 'sent') return storedResult(send);
    // Refused for good: asking again would only be refused again (or, for an opt-out, be harassment).
    if (send.state === 'refused') return { status: 'failed', summary: send.summary ?? '', closeChannel: true };
    // Already reported unknown: asked again, it answers the same without writing anything new.
    if (send.state === 'unknown') {
      return { status: 'failed', summary: send.summary ?? '', alertRaised: outcomeUnknownAlert(input) };
    }
    const told = await journalTells(input, send);
    if (told === 'retry') return undefined;
    return told ?? { inFlight: send };
  }

  const settledOnly = (earlier: Awaited<ReturnType<typeof earlierOutcome>>): SendMessageResult | undefined =>
    earlier && !('inFlight' in earlier) ? earlier : undefined;

  /**
   * The attempt number this call now owns, or undefined when the send is settled or in flight. A
   * send claimed by an attempt that died before calling is retaken: its message never left.
   */
  async function claimSend(input: Dispatch): Promise<number | undefined> {
    const claimedAt = now();
    try {
      await MessageSends.create({
        _id: input.idempotencyKey,
        idempotencyKey: input.idempotencyKey,
        caseId: input.caseId,
        channel: input.channel,
        stage: input.stage,
        state: 'claimed',
        attempts: 1,
        claimedAt,
      });
      return 1;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const send = await currentSend(connection, input.idempotencyKey);
    if (send?.state === 'claimed') {
      // Its attempt died before calling: given up for good first, so that it never calls if it wakes.
      const givenUp = await takeLock(SendLocks, {
        _id: callLockId(input.idempotencyKey, send.attempts),
        state: 'retaken',
        at: claimedAt,
      });
      if (!givenUp) {
        const fate = await SendLocks.findOne({ _id: callLockId(input.idempotencyKey, send.attempts) }).lean();
        if (fate?.state !== 'retaken') return undefined; // it called meanwhile: in flight, not claimable
      }
    } else if (send?.state !== 'failed') return undefined;
    return claimNext(input, send.attempts + 1);
  }

  /**
   * Attempt `attempt` takes the send: its claim lock decides among concurrent attempts, and only
   * then does the winner write the send down (by `_id`; nobody else writes it until it settles).
   */
  async function claimNext(input: Dispatch, attempt: number): Promise<number | undefined> {
    const claimedAt = now();
    const claimed = await takeLock(SendLocks, {
      _id: claimLockId(input.idempotencyKey, attempt),
      state: 'claimed',
      at: claimedAt,
    });
    if (!claimed) return undefined;
    await MessageSends.updateOne(
      { _id: input.idempotencyKey },
      { $set: { state: 'claimed', attempts: attempt, claimedAt } },
    );
    return attempt;
  }

  /**
   * The provider call starts now: only from here may the message have left. Conditional on this
   * attempt's claim, so that an attempt presumed dead, whose claim was retaken, never calls.
   */
  async function startCall(input: Dispatch, attempt: number): Promise<void> {
    // The lock is the record that the call started (`currentSend` reads the send as `calling`).
    const at = now();
    const calling = await takeLock(SendLocks, {
      _id: callLockId(input.idempotencyKey, attempt),
      state: 'calling',
      at,
      callStartedAt: at,
    });
    if (!calling) {
      throw new Error(`${input.channel} message ${input.idempotencyKey}: claim ${attempt} retaken by another attempt`);
    }
  }

  /** Makes an in-flight send claimable again, journaling why the earlier call does not count. */
  async function retake(input: Dispatch, send: MessageSend, why: string): Promise<number> {
    await writeOnce(
      messageEntry(input, attemptKey(input.idempotencyKey, send.attempts), {
        status: 'failed',
        summary: `tentative ${send.attempts} interrompue : ${why} ; envoyé à nouveau, sous la même clé`,
      }),
    );
    const retaken = await claimNext(input, send.attempts + 1);
    if (retaken === undefined) {
      throw new Error(`${input.channel} message ${input.idempotencyKey}: settled by a concurrent attempt`);
    }
    logger.warn({ ...logFields(input), attempt: retaken }, 'in-flight send retaken: the provider never had it');
    return retaken;
  }

  /**
   * Settles a send whose provider call may or may not have reached the provider (a crash, or no
   * answer): asks the provider where it can answer. The attempt number to send with when it is
   * known not to have left (or a resend cannot make a second message); the result otherwise.
   */
  async function settleInFlight(
    input: SendMessageInput,
    send: MessageSend,
    message: ComposedMessage,
    to: string,
    letter: PreparedLetter | undefined,
  ): Promise<SendMessageResult | number> {
    const transport = transports[input.channel];
    if (transport.simulated) return retake(input, send, 'envoi simulé, rien n’est sorti de la machine');
    if (transport.resendIsIdempotent) {
      return retake(input, send, 'le prestataire écarte une demande répétée sous la même clé');
    }
    if (!transport.lookup) return reportUnknownOutcome(input, 'le prestataire ne peut pas être interrogé');
    const callStartedAt = send.callStartedAt ?? send.claimedAt;
    let answer: SendLookupResult;
    try {
      answer = await transport.lookup({
        idempotencyKey: input.idempotencyKey,
        caseId: input.caseId,
        to,
        body: message.body,
        sentAfter: callStartedAt,
      });
    } catch (error) {
      if (now().getTime() - callStartedAt.getTime() < lookupGiveUpAfterMs) throw error;
      return reportUnknownOutcome(input, 'le prestataire n’a pas pu être interrogé');
    }
    switch (answer.outcome) {
      case 'found':
        return recordFound(input, message, letter, answer.providerMessageId);
      case 'cannot_tell':
        return reportUnknownOutcome(input, answer.reason);
      case 'not_found': {
        const delayMs = callStartedAt.getTime() + (transport.lookupSettleMs ?? 0) - now().getTime();
        if (delayMs <= 0) return retake(input, send, 'le prestataire ne l’a jamais reçu');
        // Its records may lag behind: asked again once they must show it, not earlier.
        logger.info(
          { ...logFields(input), delayMs },
          'in-flight send not visible at the provider yet: asked again later',
        );
        throw ApplicationFailure.create({
          message: `${input.channel} message ${input.idempotencyKey}: not visible at the provider yet, asked again later`,
          type: 'SendNotSettledYet',
          nextRetryDelay: Math.max(1_000, delayMs),
        });
      }
    }
  }

  /** The provider had it: journaled as sent, as if the answer had come back. */
  async function recordFound(
    input: SendMessageInput,
    message: ComposedMessage,
    letter: PreparedLetter | undefined,
    providerMessageId: string | undefined,
  ): Promise<SendMessageResult> {
    const summary = `${sentSummary(input, letter, 'sent')} (retrouvé chez le prestataire après une interruption)`;
    const result: SendMessageResult = { status: 'sent', summary, ...(providerMessageId ? { providerMessageId } : {}) };
    await writeOnce(
      messageEntry(input, input.idempotencyKey, {
        status: 'sent',
        summary,
        content: { subject: message.subject, body: message.body },
        providerMessageId,
        document: letter?.document,
      }),
    );
    await noteIfFirstLetter(input);
    await markSent(input, result);
    logger.info(logFields(input), 'in-flight send found at the provider: settled as sent');
    return result;
  }

  async function loadCaseRecord(caseId: string): Promise<CaseRecord> {
    const record = await CaseRecords.findOne({ _id: caseId }).lean<CaseRecord>();
    // Retryable: intake may not have finished writing the record the workflow was started for.
    if (!record) throw new Error(`case record ${caseId} not found: message not composed`);
    return record;
  }

  /** R2: later messages repeat the first letter's reference (the case reference) and date. */
  async function firstLetterOf(record: CaseRecord): Promise<MessageContext['firstMessage']> {
    const noted = await FirstLetters.findOne({ _id: record.caseId }).lean();
    if (noted) return { reference: record.reference, date: frenchDate(noted.at) };
    // Not noted: none sent yet, or sent before the note existed. This case's journal tells (no scan).
    const first = (await journalOf(connection, record.caseId)).find(
      (entry) =>
        entry.type === 'message' &&
        DELIVERED.includes(entry.status as DeliveredStatus) &&
        FIRST_LETTER_CHANNELS.includes(entry.channel as WrittenChannel),
    );
    if (!first) return undefined;
    await noteFirstLetter(record.caseId, first.at);
    return { reference: record.reference, date: frenchDate(first.at) };
  }

  /** Once per case (an insert: the first letter stays the first whoever comes second). */
  async function noteFirstLetter(caseId: string, at: Date): Promise<void> {
    try {
      await FirstLetters.create({ _id: caseId, at });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** A written message delivered: the first one is what later messages refer to (R2). */
  async function noteIfFirstLetter(input: SendMessageInput): Promise<void> {
    if (FIRST_LETTER_CHANNELS.includes(input.channel)) await noteFirstLetter(input.caseId, new Date(input.at));
  }

  function isPermanent(error: unknown): error is { permanent: true; reason?: unknown } {
    return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
  }

  /**
   * The dossier's destination may have it but never answered, and it cannot be asked: not retried
   * (it could arrive twice), kept `unknown`, and a manager is asked to check. (A message's
   * provider is asked instead: `settleInFlight`.)
   */
  async function outcomeUnknownAfterCall(input: Dispatch, error: unknown): Promise<SendMessageResult> {
    logger.error({ ...logFields(input), errorName: (error as Error).name }, 'no answer from the destination');
    return reportUnknownOutcome(input, OUTCOME_UNKNOWN_AFTER_CALL);
  }

  const outcomeUnknownAlert = (input: Dispatch): RaisedAlert => ({
    idempotencyKey: `${input.idempotencyKey}:outcome-unknown-alert`,
    kind: 'message_outcome_unknown',
  });

  /** The case is told of the alert (alertRaised) so that it counts it open until a manager settles it. */
  async function alertOutcomeUnknown(input: Dispatch): Promise<RaisedAlert> {
    const alert = outcomeUnknownAlert(input);
    await raiseManagerAlert({
      caseId: input.caseId,
      ...alert,
      message:
        `${stageName(input.stage)} par ${channelName(input.channel)} : le prestataire l’a peut-être reçu, peut-être ` +
        'pas ; vérifier chez lui, puis acquitter l’alerte (« il est parti » ou « l’envoyer à nouveau »)',
      at: input.at,
      ...(input.channel === 'email' || input.channel === 'sms' || input.channel === 'letter'
        ? { send: { idempotencyKey: input.idempotencyKey, stage: input.stage, channel: input.channel } }
        : {}),
    });
    return alert;
  }

  /** The provider did not take the message: journal this attempt, then retry or close the channel. */
  async function deliveryFailed(
    input: Dispatch,
    message: { subject?: string; body: string } | undefined,
    attempt: number,
    error: unknown,
  ): Promise<SendMessageResult> {
    if (isOutcomeUnknown(error)) return outcomeUnknownAfterCall(input, error);
    const permanent = isPermanent(error);
    const summary = permanent
      ? `refus définitif du prestataire (${permanentReasonInFrench(error)}) : canal fermé`
      : `erreur du prestataire à la tentative ${attempt} : non envoyé, nouvel essai à venir`;
    // Journal first: an attempt found unsettled with its failure journaled is known not to have sent.
    const content = message ? { subject: message.subject, body: message.body } : undefined;
    await writeOnce(
      messageEntry(input, attemptKey(input.idempotencyKey, attempt), { status: 'failed', summary, content }),
    );
    // By `_id`: this attempt holds the call lock of `attempt`, so it is the send's only writer now.
    await MessageSends.updateOne(
      { _id: input.idempotencyKey },
      { $set: { state: permanent ? 'refused' : 'failed', attempts: attempt, summary, settledAt: new Date() } },
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
    letter: PreparedLetter | undefined,
  ): Promise<SendMessageResult> {
    const transport = transports[input.channel];
    let providerMessageId: string | undefined;
    await startCall(input, attempt);
    try {
      ({ providerMessageId } = await transport.send({
        to,
        ...(message.subject !== undefined ? { subject: message.subject } : {}),
        body: message.body,
        idempotencyKey: input.idempotencyKey,
        caseId: input.caseId,
        ...(letter
          ? {
              attachments: [letter.attachment],
              letter: { form: letter.form, ...(letter.email ? { email: letter.email } : {}) },
            }
          : {}),
      }));
    } catch (error) {
      if (isOutcomeUnknown(error)) return noAnswer(input, message, to, letter, error);
      return deliveryFailed(input, message, attempt, error);
    }
    const status: DeliveredStatus = transport.simulated ? 'simulated' : 'sent';
    const summary = sentSummary(input, letter, status);
    const result: SendMessageResult = { status, summary, ...(providerMessageId ? { providerMessageId } : {}) };
    const content = { subject: message.subject, body: message.body };
    const document = letter?.document;
    // Journal before bookkeeping: a retry that finds this entry knows the message left.
    await writeOnce(
      messageEntry(input, input.idempotencyKey, { status, summary, content, providerMessageId, document }),
    );
    await noteIfFirstLetter(input);
    await markSent(input, result);
    logger.info({ ...logFields(input), status, attempt }, 'message delivered');
    return result;
  }

  async function sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
    const earlier = await earlierOutcome(input);
    if (earlier && !('inFlight' in earlier)) return earlier;
    const record = await loadCaseRecord(input.caseId);
    const recipient = RECIPIENTS[input.channel];
    const to = recipient.of(record.debtor);
    if (to === undefined) return block(input, recipient.missing, { closeChannel: true });
    const wording = wordingFor(input, dependencies.wording);
    if (!wording) return block(input, `aucun texte pour le modèle ${input.template}`);
    const context = messageContext(record, input, await firstLetterOf(record));
    let message: ComposedMessage;
    try {
      message = composeMessage(wording, record, context, input);
    } catch (error) {
      if (error instanceof TemplateError) return block(input, error.message);
      throw error;
    }
    const verdict = checkMessage(message, context);
    if (!verdict.ok) {
      const content = { subject: message.subject, body: message.body };
      return block(input, describeViolations(verdict.violations), { content });
    }
    const letter = input.channel === 'letter' ? await letters.prepare(record, input, message) : undefined;
    let attempt: number | undefined;
    if (earlier) {
      // An earlier call may have reached the provider: settled first, and sent only if it never left.
      const settled = await settleInFlight(input, earlier.inFlight, message, to, letter);
      if (typeof settled !== 'number') return settled;
      attempt = settled;
    } else {
      attempt = await claimSend(input);
      // Incoming SMS name their case by the sender's number only: listed before the first SMS goes.
      if (attempt === 1 && input.channel === 'sms') await appendToCaseList(connection, 'phone', to, input.caseId);
    }
    if (attempt === undefined) {
      // Another attempt took it between our look and our claim: report what it settled, if it did.
      const concurrent = settledOnly(await earlierOutcome(input));
      if (concurrent) return concurrent;
      throw new Error(`${input.channel} message ${input.idempotencyKey}: claimed by a concurrent attempt`);
    }
    return deliver(input, message, to, attempt, letter);
  }

  /**
   * The provider did not answer: it may have the message. Asked at once (it may already show it);
   * when it never had it, the send is claimable again and the retry sends it, after the backoff.
   */
  async function noAnswer(
    input: SendMessageInput,
    message: ComposedMessage,
    to: string,
    letter: PreparedLetter | undefined,
    error: unknown,
  ): Promise<SendMessageResult> {
    logger.warn({ ...logFields(input), errorName: (error as Error).name }, 'no answer from the provider: asking it');
    const send = await currentSend(connection, input.idempotencyKey);
    if (!send || !(IN_FLIGHT_STATES as readonly string[]).includes(send.state)) {
      throw new Error(`${input.channel} message ${input.idempotencyKey}: settled by a concurrent attempt`);
    }
    const settled = await settleInFlight(input, send, message, to, letter);
    if (typeof settled !== 'number') return settled;
    throw new Error(`${input.channel} message ${input.idempotencyKey}: no answer and not at the provider, sent again`);
  }

  /** "E-mail envoyé : relance 1", "Courrier simulé : mise en demeure (LRAR …) — …". */
  function sentSummary(input: SendMessageInput, letter: PreparedLetter | undefined, status: DeliveredStatus): string {
    // A plan's template is `installment_plan.<kind>`: the journal names the kind in French.
    const what = stageName(input.installmentPlan ? input.template.replace(/^installment_plan\./, '') : input.stage);
    const channel = channelName(input.channel);
    const how = `${channel.charAt(0).toUpperCase()}${channel.slice(1)}`;
    const form = letter ? ` (${letter.formReason})` : '';
    return status === 'simulated'
      ? `${how} simulé : ${what}${form} — aucun prestataire configuré, rien n’est sorti de la machine`
      : `${how} envoyé : ${what}${form}`;
  }

  // --- handoff and alerts ----------------------------------------------------------------------

  /**
   * R6: the dossier is built from everything the case kept, stored with it (manifest and PDF
   * summary), then delivered once, with the same exactly-once guard as a message. A destination
   * that refuses it for good raises a manager alert: the case is handed off on paper, by a person.
   */
  async function handOffCase(input: HandOffInput): Promise<{ summary: string; alertRaised?: RaisedAlert }> {
    const dispatch: Dispatch = { ...input, channel: 'system', stage: 'handoff', entryType: 'handoff' };
    const earlier = await earlierOutcome(dispatch);
    let retaken: number | undefined;
    if (earlier && 'inFlight' in earlier) {
      // A dossier destination cannot be asked whether it has it; a simulated one had nothing.
      if (!dossierDelivery.simulated) {
        const unknown = await reportUnknownOutcome(dispatch, 'la destination ne peut pas être interrogée');
        return { summary: unknown.summary, ...(unknown.alertRaised ? { alertRaised: unknown.alertRaised } : {}) };
      }
      retaken = await retake(dispatch, earlier.inFlight, 'transmission simulée, rien n’est sorti de la machine');
    } else if (earlier) return { summary: earlier.summary };
    const record = await loadCaseRecord(input.caseId);
    const at = new Date(input.at);
    const keep = (kind: DocumentKind, suffix: string, contentType: string, render: () => Promise<Buffer>) =>
      documents.keep(
        {
          key: `${input.idempotencyKey}:${suffix}`,
          caseId: input.caseId,
          kind,
          filename: `dossier-${record.reference.replace(/[^A-Za-z0-9._-]/g, '_')}.${suffix}`,
          contentType,
          createdAt: at,
        },
        render,
      );
    // The manifest is kept first and the summary is drawn from the kept manifest: both tell the same story.
    const manifestFile = await keep('handoff_manifest', 'json', 'application/json', async () => {
      // This case's entries and files by `_id` look-ups (models/case-list.ts), never every case's.
      const [journal, listed, view] = await Promise.all([
        journalOf(connection, input.caseId),
        documents.listFor(input.caseId),
        storedView(CaseViews, input.caseId),
      ]);
      const manifest = buildManifest({
        record,
        view,
        journal: journal as JournalEntryRecord[],
        documents: listed as DocumentListing[],
        ...(input.statement ? { statement: input.statement } : {}),
        ...(input.prescription ? { prescription: input.prescription } : {}),
        at,
      });
      return Buffer.from(JSON.stringify(manifest, null, 2), 'utf8');
    });
    const manifest = JSON.parse(manifestFile.content.toString('utf8')) as DossierManifest;
    const summaryFile = await keep('handoff_summary', 'pdf', 'application/pdf', () =>
      renderSummaryPdf(buildSummary(manifest)),
    );
    const attempt = retaken ?? (await claimSend(dispatch));
    if (attempt === undefined) {
      const concurrent = settledOnly(await earlierOutcome(dispatch));
      if (concurrent) return { summary: concurrent.summary };
      throw new Error(`handoff ${input.idempotencyKey}: claimed by a concurrent attempt`);
    }
    let providerMessageId: string | undefined;
    await startCall(dispatch, attempt);
    try {
      ({ providerMessageId } = await dossierDelivery.deliver({
        caseId: input.caseId,
        reference: record.reference,
        idempotencyKey: input.idempotencyKey,
        manifest: manifestFile,
        summary: summaryFile,
      }));
    } catch (error) {
      const refused = await deliveryFailed(dispatch, undefined, attempt, error);
      const alertRaised: RaisedAlert = { idempotencyKey: `${input.idempotencyKey}:refused`, kind: 'handoff_refused' };
      await raiseManagerAlert({
        caseId: input.caseId,
        ...alertRaised,
        message: `le dossier a été refusé par ${dossierDelivery.destination} : le transmettre à la main`,
        at: input.at,
      });
      return { summary: refused.summary, alertRaised };
    }
    const status: DeliveredStatus = dossierDelivery.simulated ? 'simulated' : 'sent';
    const contents = `manifeste ${manifestFile.sha256.slice(0, 12)}…, synthèse ${summaryFile.sha256.slice(0, 12)}…`;
    const summary =
      status === 'simulated'
        ? `dossier de transmission préparé (${contents}) ; transmission au commissaire de justice simulée : rien n’est sorti de la machine`
        : `dossier de transmission (${contents}) remis au commissaire de justice par ${dossierDelivery.destination}`;
    await writeOnce(
      messageEntry(dispatch, input.idempotencyKey, {
        status,
        summary,
        providerMessageId,
        document: {
          id: summaryFile.id,
          kind: 'handoff_summary',
          filename: summaryFile.filename,
          sha256: summaryFile.sha256,
        },
      }),
    );
    await markSent(dispatch, { status, summary, ...(providerMessageId ? { providerMessageId } : {}) });
    logger.info({ caseId: input.caseId, idempotencyKey: input.idempotencyKey, status }, 'case handed off');
    return { summary };
  }

  /** The journal entry (evidence) and the alert's own document (what managers list and acknowledge). */
  async function raiseManagerAlert(input: ManagerAlertInput): Promise<void> {
    // Histories from before give no instant: the first attempt's clock, kept by the key on retries.
    const at = input.at ? new Date(input.at) : new Date();
    const written = await writeOnce({
      caseId: input.caseId,
      idempotencyKey: input.idempotencyKey,
      at,
      type: 'manager_alert',
      channel: 'system',
      summary: `Alerte gestionnaire (${alertKindLabel(input.kind)}) : ${input.message}`,
      actor: { role: 'system' },
    });
    await keepAlert(input, at);
    // The message is not logged: it is free text, and logs are no place to find out whether it names someone.
    if (written)
      logger.warn({ caseId: input.caseId, alert: input.kind, idempotencyKey: input.idempotencyKey }, 'manager alert');
  }

  async function keepAlert(input: ManagerAlertInput, at: Date): Promise<void> {
    const record = await CaseRecords.findOne({ _id: input.caseId }, { creditorId: 1 }).lean<CaseRecord>();
    // Retryable: intake writes the record before it starts the workflow that raises alerts.
    if (!record) throw new Error(`case record ${input.caseId} not found: alert ${input.idempotencyKey} not kept`);
    try {
      await Alerts.create({
        _id: alertIdOf(input.idempotencyKey),
        alertId: alertIdOf(input.idempotencyKey),
        idempotencyKey: input.idempotencyKey,
        caseId: input.caseId,
        creditorId: record.creditorId,
        kind: input.kind,
        message: input.message,
        raisedAt: at,
        status: 'open',
        ...(input.send ? { send: input.send } : {}),
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async function reopenUnknownSend(input: { caseId: string; idempotencyKey: string }): Promise<void> {
    const reopened = await resolveUnknownSend(
      MessageSends,
      input.idempotencyKey,
      'send_again',
      'issue inconnue : un gestionnaire a demandé un nouvel envoi, sous la même clé',
    );
    logger.info({ caseId: input.caseId, idempotencyKey: input.idempotencyKey, reopened }, 'unknown send reopened');
  }

  return {
    sendMessage: (input) => withHeartbeat(() => sendMessage(input)),
    createCallTask,
    closeCallTask,
    recordJournal,
    saveCaseProjection,
    handOffCase: (input) => withHeartbeat(() => handOffCase(input)),
    raiseManagerAlert,
    reopenUnknownSend,
    currentRates: () => currentRatesFrom(connection),
  };
}

/** The histories hold the values only: the sources stay in the store and in GET /rates. */
async function currentRatesFrom(connection: Connection): Promise<RateTable> {
  const table = await loadRateTable(connection);
  const plain = (points: RateTable['ecbMainRefinancingRate']) => points.map(({ from, percent }) => ({ from, percent }));
  return {
    ecbMainRefinancingRate: plain(table.ecbMainRefinancingRate),
    legalInterestRateProfessional: plain(table.legalInterestRateProfessional),
    ...(table.legalInterestRatePrivateCreditor
      ? { legalInterestRatePrivateCreditor: plain(table.legalInterestRatePrivateCreditor) }
      : {}),
  };
}
