/**
 * Where provider events land: each becomes a journal entry of the case it is about (evidence,
 * keyed by the provider's event id, so a redelivered webhook writes nothing new), and those that
 * change what the case may do become signals: a bounce or an invalid number closes the channel,
 * STOP or an unsubscribe is an opt-out (R4), an inbound SMS is a debtor reply.
 *
 * Events name their case by our ids (SendGrid custom args: the send's `_id` in `message_sends`) or
 * by the provider's message id (Twilio: `provider_refs`, `_id` = that id); an incoming SMS only by
 * the sender's number (the `phone` case list). Every look-up is by `_id`: FerretDB over SQLite
 * reads the whole collection for any other filter.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { ChannelClosedEvent, ChannelClosure, DebtorWroteEvent } from '../../domain/case/channel-events';
import { TERMINAL_STATUSES } from '../../domain/case/types';
import { readCaseList } from '../../models/case-list';
import { caseRecordModel } from '../../models/case-record';
import { caseViewModel, storedView } from '../../models/case-view';
import { appendJournalEntry } from '../../models/journal-entry';
import { messageSendModel, sendOfProviderMessage } from '../../models/message-send';
import type { Logger } from '../../observability/logger';
import type { SealedText } from '../../domain/case/types';
import {
  caseWorkflowId,
  channelClosedSignal,
  debtorWroteSignal,
  formalNoticeReceivedSignal,
} from '../../workflows/case-definitions';
import { parisDateOf } from '../../domain/dates';
import type { InboundEvent, InboundOutcome, InboundSink } from './inbound-events';

/** Twilio error codes that say the number will never take an SMS from us. */
const SMS_DEAD_NUMBER_CODES = new Set(['21211', '21612', '21614', '30005', '30006']);
const SMS_OPT_OUT_CODE = '21610';

export interface CaseSinkDependencies {
  database: Connection;
  client: Client;
  seal: (plain: string) => SealedText;
  logger: Logger;
}

type EmailEvent = Extract<InboundEvent, { kind: 'email_event' }>;
type SmsStatus = Extract<InboundEvent, { kind: 'sms_status' }>;
type SmsIncoming = Extract<InboundEvent, { kind: 'sms_incoming' }>;
type LetterEventInput = Extract<InboundEvent, { kind: 'letter_event' }>;

const LETTER_SUMMARY: Readonly<Record<LetterEventInput['event'], string>> = {
  posted: 'courrier déposé (preuve de dépôt du prestataire)',
  delivered: 'courrier distribué : accusé de réception signé',
  returned_undeliverable: 'courrier retourné : destinataire inconnu à l’adresse (pli non distribuable)',
  refused_by_recipient: 'courrier refusé par le destinataire (la présentation vaut notification)',
  not_collected: 'courrier non réclamé à l’issue du délai de mise en instance',
};

/** SendGrid's bounce types, in the journal's language. */
const BOUNCE_TYPES: Readonly<Record<string, string>> = {
  bounce: 'rejet définitif',
  blocked: 'refus temporaire du serveur destinataire',
};

const EMAIL_SUMMARY: Readonly<Record<EmailEvent['event'], string | undefined>> = {
  processed: undefined,
  deferred: undefined,
  delivered: 'e-mail remis au serveur du destinataire (SendGrid)',
  opened: 'e-mail ouvert (SendGrid)',
  clicked: 'lien de l’e-mail ouvert (SendGrid)',
  bounced: 'e-mail rejeté par le serveur du destinataire (SendGrid)',
  dropped: 'e-mail non envoyé par SendGrid (adresse rejetée ou désinscrite)',
  spam_report: 'e-mail signalé comme indésirable par le destinataire (SendGrid)',
  unsubscribed: 'désinscription du destinataire (SendGrid)',
};

const EMAIL_CLOSURE: Partial<Record<EmailEvent['event'], ChannelClosure>> = {
  bounced: 'bounced',
  dropped: 'bounced',
  spam_report: 'spam_report',
  unsubscribed: 'opted_out',
};

export function createCaseInboundSink(dependencies: CaseSinkDependencies): InboundSink {
  const { client, logger } = dependencies;
  const { database } = dependencies;
  const Records = caseRecordModel(database);
  const Views = caseViewModel(database);
  const Sends = messageSendModel(database);

  async function journalOnce(entry: {
    caseId: string;
    key: string;
    at: Date;
    type: string;
    channel: 'email' | 'sms' | 'letter';
    summary: string;
    providerMessageId?: string;
    actor: 'system' | 'debtor';
    body?: string;
  }): Promise<void> {
    await appendJournalEntry(database, {
      caseId: entry.caseId,
      idempotencyKey: entry.key,
      at: entry.at,
      type: entry.type,
      channel: entry.channel,
      summary: entry.summary,
      ...(entry.providerMessageId ? { providerMessageId: entry.providerMessageId } : {}),
      ...(entry.body !== undefined ? { content: { body: entry.body } } : {}),
      actor: { role: entry.actor },
    });
  }

  /** False when the case's workflow has closed: the event is then evidence only. */
  async function signal<T>(
    caseId: string,
    definition: typeof channelClosedSignal | typeof debtorWroteSignal | typeof formalNoticeReceivedSignal,
    event: T,
  ) {
    try {
      await client.workflow.getHandle(caseWorkflowId(caseId)).signal(definition as never, event as never);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  async function caseOfSend(providerMessageId: string | undefined): Promise<string | undefined> {
    if (!providerMessageId) return undefined;
    return (await sendOfProviderMessage(database, providerMessageId))?.caseId;
  }

  async function closeChannel(caseId: string, event: ChannelClosedEvent): Promise<void> {
    await signal(caseId, channelClosedSignal, event);
  }

  /**
   * The case of the message an e-mail event is about. Our custom args carry the idempotency key,
   * claimed in `message_sends` before SendGrid ever saw the message, so an event naming a key that
   * was never claimed (or claimed for another case) is about no message we sent: `unknown`, even
   * though it is signed, and even if the case exists. An event with no reference of ours at all is
   * another sender's on the same account: `ignored`. The provider's message id is not required to
   * match the stored one: an event from an attempt we believed lost is evidence of what left.
   */
  async function caseOfEmail(event: EmailEvent): Promise<string | 'unknown' | 'ignored'> {
    if (event.idempotencyKey) {
      const send = await Sends.findOne({ _id: event.idempotencyKey }, { caseId: 1 }).lean();
      if (!send || (event.caseId && event.caseId !== send.caseId)) return 'unknown';
      return send.caseId;
    }
    const byMessageId = await caseOfSend(event.providerMessageId);
    if (byMessageId && (!event.caseId || event.caseId === byMessageId)) return byMessageId;
    return event.caseId || byMessageId ? 'unknown' : 'ignored';
  }

  async function emailEvent(event: EmailEvent): Promise<InboundOutcome> {
    const summary = EMAIL_SUMMARY[event.event];
    if (!summary) return 'accepted';
    const caseId = await caseOfEmail(event);
    if (caseId === 'unknown' || caseId === 'ignored') {
      logger.warn({ provider: 'sendgrid', event: event.event, outcome: caseId }, 'event for no message we sent');
      return caseId;
    }
    await journalOnce({
      caseId,
      key: `sendgrid:${event.eventId}`,
      at: event.at,
      type: 'delivery_event',
      channel: 'email',
      summary: event.bounceType ? `${summary} [${BOUNCE_TYPES[event.bounceType] ?? event.bounceType}]` : summary,
      ...(event.providerMessageId ? { providerMessageId: event.providerMessageId } : {}),
      actor: event.event === 'unsubscribed' || event.event === 'spam_report' ? 'debtor' : 'system',
    });
    // A "blocked" bounce is the receiving server refusing for now (reputation, rate): not a dead address.
    const why = event.bounceType === 'blocked' ? undefined : EMAIL_CLOSURE[event.event];
    if (why) await closeChannel(caseId, { channel: 'email', why, providerEventId: `sendgrid:${event.eventId}` });
    return 'accepted';
  }

  async function smsStatus(event: SmsStatus): Promise<InboundOutcome> {
    if (!['delivered', 'undelivered', 'failed', 'read'].includes(event.status)) return 'accepted';
    // A status callback names the message by its SID only, which we store once Twilio returns it.
    const caseId = await caseOfSend(event.providerMessageId);
    if (!caseId) {
      logger.warn({ provider: 'twilio', status: event.status }, 'status for no message we sent');
      return 'unknown';
    }
    const code = event.errorCode ? ` (erreur Twilio ${event.errorCode})` : '';
    await journalOnce({
      caseId,
      key: `twilio:${event.eventId}`,
      at: event.at,
      type: 'delivery_event',
      channel: 'sms',
      summary:
        event.status === 'delivered' || event.status === 'read'
          ? 'SMS remis au destinataire (Twilio)'
          : `SMS non remis${code} (Twilio)`,
      providerMessageId: event.providerMessageId,
      actor: 'system',
    });
    const providerEventId = `twilio:${event.eventId}`;
    if (event.errorCode === SMS_OPT_OUT_CODE) {
      await closeChannel(caseId, { channel: 'sms', why: 'opted_out', providerEventId });
    } else if (event.errorCode && SMS_DEAD_NUMBER_CODES.has(event.errorCode)) {
      await closeChannel(caseId, { channel: 'sms', why: 'invalid_recipient', providerEventId });
    }
    return 'accepted';
  }

  /**
   * A number may belong to several open cases (one debtor, several claims): the message concerns
   * the debtor, so each of them hears it. Closed cases keep it as evidence.
   */
  async function casesOfNumber(phone: string): Promise<string[]> {
    const listed = await readCaseList(database, 'phone', phone);
    if (listed.length > 0) return listed;
    // A number we never texted (the worker lists a number before its first SMS): a scan of every
    // case record, the one left on a request path. Rare: a debtor writing first, or a stranger.
    const records = await Records.find({ 'debtor.phone': phone }, { caseId: 1 }).lean();
    return records.map((record) => record.caseId);
  }

  async function smsIncoming(event: SmsIncoming): Promise<void> {
    const caseIds = await casesOfNumber(event.from);
    if (caseIds.length === 0) {
      logger.info({ provider: 'twilio' }, 'incoming SMS from a number of no case: ignored');
      return;
    }
    const providerEventId = `twilio:${event.eventId}`;
    for (const caseId of caseIds) {
      const view = await storedView(Views, caseId);
      // No view stored yet: the case has just opened, its workflow hears it.
      const open = !view || !(TERMINAL_STATUSES as readonly string[]).includes(view.status);
      if (event.optOut) {
        // Closed cases too: the debtor's STOP must be on file wherever their number is.
        await journalOnce({
          caseId: caseId,
          key: `${providerEventId}:${caseId}`,
          at: event.at,
          type: 'opt_out',
          channel: 'sms',
          summary: 'SMS « STOP » reçu : le débiteur refuse les SMS',
          actor: 'debtor',
          body: event.body,
        });
        if (open) await closeChannel(caseId, { channel: 'sms', why: 'opted_out', providerEventId });
        continue;
      }
      const reply: DebtorWroteEvent = {
        channel: 'sms',
        message: dependencies.seal(event.body),
        receivedAt: event.at.toISOString(),
        providerEventId,
      };
      const heard = open && (await signal(caseId, debtorWroteSignal, reply));
      if (!heard) {
        await journalOnce({
          caseId: caseId,
          key: `${providerEventId}:${caseId}`,
          at: event.at,
          type: 'debtor_reply',
          channel: 'sms',
          summary: 'Message du débiteur reçu par SMS (dossier clos)',
          actor: 'debtor',
          body: event.body,
        });
      }
    }
  }

  /**
   * The proof of sending and of receipt of a letter (R5, R6). It carries the letter's provider id,
   * so the handoff dossier lists it under the mise en demeure it proves. A letter returned as
   * undeliverable closes the postal channel; a refused or uncollected one was still presented.
   */
  async function letterEvent(event: LetterEventInput): Promise<InboundOutcome> {
    const send = await Sends.findOne(
      { _id: event.idempotencyKey },
      { caseId: 1, stage: 1, providerMessageId: 1 },
    ).lean();
    if (!send) {
      logger.warn({ provider: 'letter', event: event.event }, 'event for no letter we sent');
      return 'unknown';
    }
    const providerMessageId = send.providerMessageId ?? event.trackingNumber;
    await journalOnce({
      caseId: send.caseId,
      key: `letter:${event.eventId}`,
      at: event.at,
      type: 'delivery_event',
      channel: 'letter',
      summary: LETTER_SUMMARY[event.event] + (event.trackingNumber ? ` — n° ${event.trackingNumber}` : ''),
      ...(providerMessageId ? { providerMessageId } : {}),
      actor: 'system',
    });
    // Delivered, refused or left unclaimed: the notice was presented that day, and its deadline runs from it.
    const presented = ['delivered', 'refused_by_recipient', 'not_collected'].includes(event.event);
    if (presented && send.stage === 'formal_notice') {
      await signal(send.caseId, formalNoticeReceivedSignal, {
        receivedOn: parisDateOf(event.at),
        providerEventId: `letter:${event.eventId}`,
      });
    }
    if (event.event === 'returned_undeliverable') {
      await closeChannel(send.caseId, {
        channel: 'letter',
        why: 'bounced',
        providerEventId: `letter:${event.eventId}`,
      });
    }
    return 'accepted';
  }

  return {
    async accept(event: InboundEvent): Promise<InboundOutcome | void> {
      if (event.kind === 'email_event') return emailEvent(event);
      if (event.kind === 'sms_status') return smsStatus(event);
      if (event.kind === 'letter_event') return letterEvent(event);
      return smsIncoming(event);
    },
  };
}
