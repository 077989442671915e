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
  HandOffInput,
  JournalDraft,
  MessageStatus,
  SendMessageInput,
  SendMessageResult,
  WrittenChannel,
} from './contracts';
import { checkMessage, describeViolations, type MessageContext } from '../domain/compliance';
import type { Stage } from '../domain/types';
import { callTaskModel } from '../models/call-task';
import { isDuplicateKey } from '../models/connection';
import { caseRecordModel, storeProjection, type CaseRecord } from '../models/case-record';
import {
  journalEntryModel,
  type JOURNAL_CHANNELS,
  type JournalEntry as JournalEntryRecord,
} from '../models/journal-entry';
import type { DocumentKind } from '../models/document';
import { messageSendModel, type MessageSend } from '../models/message-send';
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
import { isOutcomeUnknown, type LetterForm, type MessageTransport } from './transports/transport';

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

const OUTCOME_UNKNOWN = 'outcome unknown after a crash: not re-sent; check the provider';
const OUTCOME_UNKNOWN_AFTER_CALL = 'outcome unknown: the provider did not answer; not re-sent, check the provider';

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
}

export function createCaseActivities(dependencies: CaseActivitiesDependencies): CaseActivities {
  const { connection, dataKey, transports } = dependencies;
  const logger = dependencies.logger.child({ component: 'case-activities' });
  const JournalEntry = journalEntryModel(connection);
  const CaseRecords = caseRecordModel(connection);
  const CallTasks = callTaskModel(connection);
  const MessageSends = messageSendModel(connection);
  const documents = createDocumentStore(connection);
  const dossierDelivery = dependencies.dossierDelivery ?? new SimulatedDossierDelivery();
  const letters = createLetterPreparation(documents, dependencies.letters ?? { preferElectronicRegisteredMail: false });

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

  async function markSent(input: Dispatch, result: SendMessageResult): Promise<void> {
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

  async function reportUnknownOutcome(input: Dispatch): Promise<SendMessageResult> {
    await MessageSends.updateOne(
      { idempotencyKey: input.idempotencyKey, state: 'sending' },
      { $set: { state: 'unknown', summary: OUTCOME_UNKNOWN, settledAt: new Date() } },
    );
    const key = `${input.idempotencyKey}:outcome-unknown`;
    await writeOnce(messageEntry(input, key, { status: 'failed', summary: OUTCOME_UNKNOWN }));
    await alertOutcomeUnknown(input);
    logger.error(logFields(input), 'message outcome unknown after a crash: not re-sent');
    return { status: 'failed', summary: OUTCOME_UNKNOWN };
  }

  /**
   * An attempt claimed this send and did not settle it. The journal tells what it got done: the
   * delivered entry (then only the bookkeeping was lost), or its failed attempt (then the provider
   * refused and trying again is safe). Neither means it may have sent: it is not sent again.
   */
  async function settleInterrupted(input: Dispatch, send: MessageSend): Promise<SendMessageResult | undefined> {
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
  async function earlierOutcome(input: Dispatch): Promise<SendMessageResult | undefined> {
    const send = await MessageSends.findOne({ idempotencyKey: input.idempotencyKey }).lean();
    if (!send || send.state === 'failed') return undefined;
    if (send.state === 'sent') return storedResult(send);
    // Refused for good: asking again would only be refused again (or, for an opt-out, be harassment).
    if (send.state === 'refused') return { status: 'failed', summary: send.summary ?? '', closeChannel: true };
    // Already reported unknown: asked again, it answers the same without writing anything new.
    if (send.state === 'unknown' && send.summary) return { status: 'failed', summary: send.summary };
    return settleInterrupted(input, send);
  }

  /** The attempt number this call now owns, or undefined when another attempt holds the send. */
  async function claimSend(input: Dispatch): Promise<number | undefined> {
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

  function isPermanent(error: unknown): error is { permanent: true; reason?: unknown } {
    return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
  }

  /**
   * The provider may have the message but never answered: not retried (it could leave twice), kept
   * as `unknown` like a send found interrupted by a crash, and a manager is asked to check.
   */
  async function outcomeUnknownAfterCall(
    input: Dispatch,
    message: { subject?: string; body: string } | undefined,
    attempt: number,
    error: unknown,
  ): Promise<SendMessageResult> {
    const summary = `${OUTCOME_UNKNOWN_AFTER_CALL} (${(error as Error).message})`;
    const content = message ? { subject: message.subject, body: message.body } : undefined;
    await writeOnce(
      messageEntry(input, attemptKey(input.idempotencyKey, attempt), { status: 'failed', summary, content }),
    );
    await MessageSends.updateOne(
      { idempotencyKey: input.idempotencyKey, state: 'sending', attempts: attempt },
      { $set: { state: 'unknown', summary, settledAt: new Date() } },
    );
    await alertOutcomeUnknown(input);
    logger.error({ ...logFields(input), attempt }, 'message outcome unknown: the provider did not answer; not re-sent');
    return { status: 'failed', summary };
  }

  function alertOutcomeUnknown(input: Dispatch): Promise<void> {
    return raiseManagerAlert({
      caseId: input.caseId,
      idempotencyKey: `${input.idempotencyKey}:outcome-unknown-alert`,
      kind: 'message_outcome_unknown',
      message: `${input.stage} by ${input.channel}: the provider may or may not have it; check before sending it by hand`,
    });
  }

  /** The provider did not take the message: journal this attempt, then retry or close the channel. */
  async function deliveryFailed(
    input: Dispatch,
    message: { subject?: string; body: string } | undefined,
    attempt: number,
    error: unknown,
  ): Promise<SendMessageResult> {
    if (isOutcomeUnknown(error)) return outcomeUnknownAfterCall(input, message, attempt, error);
    const permanent = isPermanent(error);
    const reason = permanent && typeof error.reason === 'string' ? error.reason : 'no reason given';
    const summary = permanent
      ? `provider refused the message permanently (${reason}): channel closed`
      : `provider error on attempt ${attempt}: not sent, will be retried`;
    // Journal first: an attempt found unsettled with its failure journaled is known not to have sent.
    const content = message ? { subject: message.subject, body: message.body } : undefined;
    await writeOnce(
      messageEntry(input, attemptKey(input.idempotencyKey, attempt), { status: 'failed', summary, content }),
    );
    await MessageSends.updateOne(
      { idempotencyKey: input.idempotencyKey, state: 'sending', attempts: attempt },
      { $set: { state: permanent ? 'refused' : 'failed', summary, settledAt: new Date() } },
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
      return deliveryFailed(input, message, attempt, error);
    }
    const status: DeliveredStatus = transport.simulated ? 'simulated' : 'sent';
    const what = input.installmentPlan ? input.template : input.stage;
    const how = letter ? `${input.channel} (${letter.formReason})` : input.channel;
    const summary =
      status === 'simulated'
        ? `${what} by ${how} simulated: no provider configured, nothing left the machine`
        : `${what} sent by ${how}`;
    const result: SendMessageResult = { status, summary, ...(providerMessageId ? { providerMessageId } : {}) };
    const content = { subject: message.subject, body: message.body };
    const document = letter?.document;
    // Journal before bookkeeping: a retry that finds this entry knows the message left.
    await writeOnce(
      messageEntry(input, input.idempotencyKey, { status, summary, content, providerMessageId, document }),
    );
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
    const wording = wordingFor(input, dependencies.wording);
    if (!wording) return block(input, `no wording for ${input.template} (stage ${input.stage}, ${input.tone} tone)`);
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
    // Rendered and stored before the claim: once claimed, a failure here would look like a lost send.
    const letter = input.channel === 'letter' ? await letters.prepare(record, input, message) : undefined;
    const attempt = await claimSend(input);
    if (attempt === undefined) {
      // Another attempt claimed it between our look and our claim: report what it did.
      const concurrent = await earlierOutcome(input);
      if (concurrent) return concurrent;
      throw new Error(`${input.channel} message ${input.idempotencyKey}: claimed by a concurrent attempt`);
    }
    return deliver(input, message, to, attempt, letter);
  }

  // --- handoff and alerts ----------------------------------------------------------------------

  /**
   * R6: the dossier is built from everything the case kept, stored with it (manifest and PDF
   * summary), then delivered once, with the same exactly-once guard as a message. A destination
   * that refuses it for good raises a manager alert: the case is handed off on paper, by a person.
   */
  async function handOffCase(input: HandOffInput): Promise<{ summary: string }> {
    const dispatch: Dispatch = { ...input, channel: 'system', stage: 'handoff', entryType: 'handoff' };
    const earlier = await earlierOutcome(dispatch);
    if (earlier) return { summary: earlier.summary };
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
      const [journal, listed] = await Promise.all([
        JournalEntry.find({ caseId: input.caseId }).sort({ at: 1, _id: 1 }).lean(),
        documents.listFor(input.caseId),
      ]);
      const manifest = buildManifest({
        record,
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
    const attempt = await claimSend(dispatch);
    if (attempt === undefined) {
      const concurrent = await earlierOutcome(dispatch);
      if (concurrent) return { summary: concurrent.summary };
      throw new Error(`handoff ${input.idempotencyKey}: claimed by a concurrent attempt`);
    }
    let providerMessageId: string | undefined;
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
      await raiseManagerAlert({
        caseId: input.caseId,
        idempotencyKey: `${input.idempotencyKey}:refused`,
        kind: 'handoff_refused',
        message: `the handoff dossier was refused by ${dossierDelivery.destination}: send it by hand`,
      });
      return { summary: refused.summary };
    }
    const status: DeliveredStatus = dossierDelivery.simulated ? 'simulated' : 'sent';
    const contents = `manifest ${manifestFile.sha256.slice(0, 12)}…, summary ${summaryFile.sha256.slice(0, 12)}…`;
    const summary =
      status === 'simulated'
        ? `handoff dossier prepared (${contents}); delivery to the commissaire de justice simulated: nothing left the machine`
        : `handoff dossier (${contents}) delivered to the commissaire de justice by ${dossierDelivery.destination}`;
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
    sendMessage: (input) => withHeartbeat(() => sendMessage(input)),
    createCallTask,
    closeCallTask,
    recordJournal,
    saveCaseProjection,
    handOffCase: (input) => withHeartbeat(() => handOffCase(input)),
    raiseManagerAlert,
  };
}
