/**
 * The words of the case file. The journal is evidence handed to a commissaire de justice: it speaks
 * one language (French), amounts in euros and instants in Paris time, as the API does. Every text
 * the domain, the activities and the webhooks write for people goes through these formatters, so
 * no raw cents, no UTC ISO string and no English channel name can reach a journal entry.
 *
 * Pure (no clock, no I/O): workflow code calls it and a replay formats the same way.
 */
import { DateTime } from 'luxon';
import { formatAmount } from './money';
import { PARIS, type CalendarDate } from './types';

/** "4 200,00 €", with the no-break spaces French typesetting uses (see `formatAmount`). */
export function formatEuros(cents: number): string {
  return formatAmount(cents, 'EUR');
}

function parisDateTimeOf(instant: string | Date): DateTime {
  // Parsed as the validators parse it (Date.parse): whatever an action accepted can be written down.
  const parsed = DateTime.fromJSDate(typeof instant === 'string' ? new Date(instant) : instant, { zone: 'utc' });
  if (!parsed.isValid) throw new RangeError(`not an instant: ${String(instant)}`);
  return parsed.setZone(PARIS);
}

/** The day an instant falls on in Paris, "03/12/2026". */
export function formatParisDate(instant: string | Date): string {
  return parisDateTimeOf(instant).toFormat('dd/MM/yyyy');
}

/** An instant as a Parisian reads it, "03/12/2026 à 10:00" (summer and winter time alike). */
export function formatParisDateTime(instant: string | Date): string {
  return parisDateTimeOf(instant).toFormat("dd/MM/yyyy 'à' HH:mm");
}

/** A calendar day (`YYYY-MM-DD`, already a Paris day: no time zone applies), "03/12/2026". */
export function formatCalendarDate(date: CalendarDate): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a calendar date: ${date}`);
  return `${match[3]}/${match[2]}/${match[1]}`;
}

/**
 * Channels by their French names. Inbound-only channels (`phone`, `web`) and the system's own
 * entries are named too, because replies and notes are journaled with them.
 */
const CHANNEL_NAMES: Record<string, string> = {
  email: 'e-mail',
  sms: 'SMS',
  letter: 'courrier',
  call: 'appel',
  phone: 'téléphone',
  web: 'site web',
  system: 'système',
};
export const channelName = (channel: string): string => CHANNEL_NAMES[channel] ?? channel;

/** The stages of the sequence and the other things a case waits for, as the case file names them. */
const STAGE_NAMES: Record<string, string> = {
  none: 'ouverture',
  reminder_1: 'relance 1',
  reminder_2: 'relance 2',
  final_reminder: 'dernière relance',
  formal_notice: 'mise en demeure',
  handoff: 'transmission au commissaire de justice',
  promise_check: 'échéance de la promesse',
  pause_end: 'fin de la suspension',
  reply_hold_end: 'fin du délai de réponse',
  prescription_alert: 'alerte de prescription',
  installment_due: 'échéance de l’échéancier',
  installment_plan_confirmation: 'confirmation de l’échéancier',
  installment_reminder: 'rappel d’échéance',
  installment_missed: 'avis d’échéance impayée',
};
export const stageName = (stage: string): string => STAGE_NAMES[stage] ?? stage;

/** Message statuses as the journal states them (masculine: "e-mail envoyé", "SMS bloqué"). */
const MESSAGE_STATUS_NAMES: Record<string, string> = {
  sent: 'envoyé',
  simulated: 'simulé (aucun prestataire configuré)',
  failed: 'en échec',
  deferred: 'reporté',
  blocked: 'bloqué',
  delivered: 'distribué',
  refused: 'refusé par le prestataire',
  unknown: 'issue inconnue',
};
export const messageStatusName = (status: string): string => MESSAGE_STATUS_NAMES[status] ?? status;
