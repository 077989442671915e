/**
 * What the providers tell a case after the fact: an e-mail bounced, a number is invalid, the debtor
 * opted out (SMS STOP, an unsubscribe), or the debtor wrote back. They arrive as signals from the
 * webhooks, possibly twice (providers retry), possibly after the case has moved on: every rule
 * here gives the same result when applied again.
 */
import type { CaseEffect } from './effects';
import { addDays, maxDate } from '../dates';
import { channelName, formatCalendarDate, formatParisDate } from '../french-text';
import { isTerminal, policyOf } from './state';
import type { CalendarDate, CaseState, IsoInstant, SealedText } from './types';

/** Enough to absorb a provider's retries; the state must not grow with every event. */
const REMEMBERED_EVENTS = 100;

/** True the first time an event id is seen (within the last REMEMBERED_EVENTS). */
function firstSighting(state: CaseState, providerEventId: string): boolean {
  const seen = (state.providerEventsSeen ??= []);
  if (seen.includes(providerEventId)) return false;
  seen.push(providerEventId);
  if (seen.length > REMEMBERED_EVENTS) seen.splice(0, seen.length - REMEMBERED_EVENTS);
  return true;
}

export const CHANNEL_CLOSURES = ['bounced', 'invalid_recipient', 'opted_out', 'spam_report'] as const;
export type ChannelClosure = (typeof CHANNEL_CLOSURES)[number];

export interface ChannelClosedEvent {
  channel: 'email' | 'sms' | 'letter';
  why: ChannelClosure;
  /** The provider's event id: journal and logs can point back at it. */
  providerEventId: string;
}

export interface DebtorWroteEvent {
  channel: 'email' | 'sms';
  message: SealedText;
  receivedAt: IsoInstant;
  providerEventId: string;
}

const WHY: Readonly<Record<ChannelClosure, string>> = {
  bounced: "l'adresse est rejetée par le destinataire (serveur de messagerie, ou pli non distribuable)",
  invalid_recipient: 'le numéro ou l’adresse est invalide',
  opted_out: 'le débiteur a demandé à ne plus être contacté par ce canal',
  spam_report: 'le débiteur a signalé le message comme indésirable',
};

/** R4: an opt-out or a dead address closes the channel for good; the other channels carry on. */
export function applyChannelClosed(state: CaseState, event: ChannelClosedEvent, now: IsoInstant): CaseEffect[] {
  if (!firstSighting(state, event.providerEventId) || state.optedOut.includes(event.channel)) return [];
  state.optedOut.push(event.channel);
  state.lastEvent = { label: 'Canal fermé', at: now };
  const effects: CaseEffect[] = [
    {
      kind: 'journal',
      note: {
        type: 'channel_closed',
        channel: event.channel,
        summary: `${channelName(event.channel)} fermé : ${WHY[event.why]} (événement ${event.providerEventId})`,
        actor: { role: event.why === 'opted_out' || event.why === 'spam_report' ? 'debtor' : 'system' },
      },
    },
  ];
  const writtenLeft = (['email', 'sms', 'letter'] as const).filter((channel) => !state.optedOut.includes(channel));
  if (!isTerminal(state.status) && writtenLeft.length === 0) {
    effects.push({
      kind: 'alert',
      alert: 'no_written_channel',
      message: 'plus aucun canal écrit (e-mail, SMS, courrier) pour joindre le débiteur',
    });
  }
  return effects;
}

/** A debtor's written reply counts as a reply: the automated sequence holds while a person reads it. */
export function applyDebtorWrote(state: CaseState, event: DebtorWroteEvent, now: IsoInstant): CaseEffect[] {
  if (!firstSighting(state, event.providerEventId)) return [];
  const effects: CaseEffect[] = [];
  let summary = `Message du débiteur reçu par ${channelName(event.channel)}`;
  if (!isTerminal(state.status)) {
    state.holdUntil = new Date(Date.parse(now) + policyOf(state).replyHoldDays * 86_400_000).toISOString();
    summary += ` ; relances automatiques suspendues jusqu'au ${formatParisDate(state.holdUntil)}`;
  }
  state.lastEvent = { label: 'Réponse du débiteur', at: now };
  effects.push({
    kind: 'journal',
    note: {
      type: 'debtor_reply',
      channel: event.channel,
      summary,
      actor: { role: 'debtor' },
      sealedText: event.message,
    },
  });
  return effects;
}

export interface FormalNoticeReceivedEvent {
  /** The day the letter was delivered, refused or first presented (the provider's acknowledgement). */
  receivedOn: CalendarDate;
  providerEventId: string;
}

/**
 * R5: the deadline runs from receipt. The letter printed a date computed from an assumed delivery;
 * when the acknowledgement shows a later receipt, the debtor keeps the full deadline from it, so
 * the handoff waits for the later day. An earlier receipt never shortens what the letter promised.
 */
export function applyFormalNoticeReceived(
  state: CaseState,
  event: FormalNoticeReceivedEvent,
  now: IsoInstant,
): CaseEffect[] {
  const notice = state.formalNotice;
  if (!notice || notice.receivedOn !== undefined || !firstSighting(state, event.providerEventId)) return [];
  notice.receivedOn = event.receivedOn;
  const fromReceipt = addDays(event.receivedOn, policyOf(state).formalNotice.deadlineDays);
  const extended = maxDate(notice.deadline, fromReceipt) !== notice.deadline;
  notice.deadline = maxDate(notice.deadline, fromReceipt);
  if (extended && state.nextStepOn !== null) state.nextStepOn = maxDate(state.nextStepOn, addDays(notice.deadline, 1));
  state.lastEvent = { label: 'Mise en demeure reçue', at: now };
  return [
    {
      kind: 'journal',
      note: {
        type: 'formal_notice_received',
        channel: 'letter',
        stage: 'formal_notice',
        summary:
          `Mise en demeure reçue le ${formatCalendarDate(event.receivedOn)} (accusé de réception) : délai de paiement jusqu'au ` +
          `${formatCalendarDate(notice.deadline)}${extended ? ' (prolongé pour courir depuis la réception)' : ''}`,
        actor: { role: 'system' },
      },
    },
  ];
}
