/**
 * Manager alerts as the case keeps them: which are still open (for the Web UI's search attribute
 * and the one-line summary), and what a manager's acknowledgement does. An unknown message outcome
 * can be settled "it did leave" (nothing more to do here) or "send it again": the send is made
 * claimable again and the message goes back through the normal contact rules, once, under the
 * same idempotency key.
 */
import { CaseRuleViolation } from './actions';
import type { CaseEffect } from './effects';
import { isTerminal } from './state';
import type { CaseState, IsoInstant, PendingContact } from './types';

export const ALERT_RESOLUTIONS = ['noted', 'message_left', 'send_again'] as const;
export type AlertResolution = (typeof ALERT_RESOLUTIONS)[number];

export const MESSAGE_OUTCOME_UNKNOWN = 'message_outcome_unknown';

/** An alert the case raised and no manager has acknowledged yet. */
export interface OpenAlert {
  /** The idempotency key that raised it (the alert's document is derived from it). */
  key: string;
  kind: string;
  /** An unknown message outcome: the send's own key, and the contact to make again if asked. */
  sendKey?: string;
  contact?: PendingContact;
}

export interface AlertAcknowledgement {
  /** The raising key of the alert. */
  idempotencyKey: string;
  resolution: AlertResolution;
}

const KIND_LABELS: Record<string, string> = {
  [MESSAGE_OUTCOME_UNKNOWN]: 'issue d’un envoi inconnue',
  handoff_refused: 'transmission du dossier refusée',
  installment_plan_defaulted: 'échéancier défaillant',
  no_written_channel: 'aucun canal écrit',
  unrecoverable: 'créance irrécouvrable',
  formal_notice_failed: 'mise en demeure non envoyée',
  prescription: 'prescription (proche ou acquise)',
  rates_missing: 'taux non renseigné',
};
export const alertKindLabel = (kind: string): string => KIND_LABELS[kind] ?? kind;

const RESOLUTION_LABELS: Record<AlertResolution, string> = {
  noted: 'pris en compte',
  message_left: 'le message est bien parti (constaté chez le prestataire)',
  send_again: 'le message sera envoyé une nouvelle fois, sous la même clé',
};

/** Every alert can be noted; only an unknown message outcome can be settled either way. */
export function resolutionsFor(kind: string): readonly AlertResolution[] {
  return kind === MESSAGE_OUTCOME_UNKNOWN ? ALERT_RESOLUTIONS : ['noted'];
}

/** The journal's words for an acknowledgement (the manager's note, if any, is the entry's body). */
export function acknowledgementSummary(kind: string, resolution: AlertResolution): string {
  return `Alerte « ${alertKindLabel(kind)} » acquittée par un gestionnaire : ${RESOLUTION_LABELS[resolution]}`;
}

export function openAlertsOf(state: CaseState): readonly OpenAlert[] {
  return state.openAlerts ?? [];
}

/** The kinds still open, each once, in a stable order: the `OpenAlerts` search attribute. */
export function openAlertKinds(state: CaseState): string[] {
  return [...new Set(openAlertsOf(state).map((alert) => alert.kind))].sort();
}

/** « ⚠ 1 alerte ouverte », or nothing when none is open. */
export function openAlertsLabel(count: number): string | null {
  if (count === 0) return null;
  return count === 1 ? '⚠ 1 alerte ouverte' : `⚠ ${count} alertes ouvertes`;
}

/** The Web UI's line, with the open alerts first so that they are not missed. */
export function withOpenAlerts(summary: string, state: CaseState): string {
  const label = openAlertsLabel(openAlertsOf(state).length);
  return label ? `${label} — ${summary}` : summary;
}

/** An alert the case raised or heard of; the same key twice (a retried activity) counts once. */
export function trackAlert(state: CaseState, alert: OpenAlert): void {
  const open = state.openAlerts ?? [];
  if (open.some((known) => known.key === alert.key)) return;
  state.openAlerts = [...open, alert];
}

/** The policy's mise en demeure: when it did not leave, the case is paused and resuming sends it again. */
function isFormalNoticeLetter(contact: PendingContact): boolean {
  return !contact.plan && contact.stage === 'formal_notice' && contact.channel === 'letter';
}

export function validateAlertAcknowledgement(state: CaseState, ack: AlertAcknowledgement): void {
  if (ack.resolution !== 'send_again') return;
  const alert = openAlertsOf(state).find((known) => known.key === ack.idempotencyKey);
  if (!alert) {
    // Already acknowledged, or raised before the case kept its alerts: it cannot say what to send.
    throw new CaseRuleViolation(
      'invalid_transition',
      'the case has no open alert with this key: nothing to send again',
    );
  }
  if (!alert.sendKey || !alert.contact) {
    throw new CaseRuleViolation(
      'unprocessable',
      `resolution: send_again only settles an unknown message outcome, not ${alert.kind}`,
      'resolution',
    );
  }
  if (isTerminal(state.status)) {
    throw new CaseRuleViolation('invalid_transition', `the case is ${state.status}: nothing more is sent`);
  }
}

/**
 * Closes the alert in the case. "Send it again" reopens the send and queues the contact again (the
 * normal limits decide when it leaves); a mise en demeure is not queued: resuming the paused case
 * sends it, under the same key. Acknowledging an alert the case no longer holds changes nothing.
 */
export function applyAlertAcknowledged(state: CaseState, ack: AlertAcknowledgement, now: IsoInstant): CaseEffect[] {
  const alert = openAlertsOf(state).find((known) => known.key === ack.idempotencyKey);
  if (!alert) return [];
  state.openAlerts = openAlertsOf(state).filter((known) => known !== alert);
  if (ack.resolution !== 'send_again' || !alert.sendKey || !alert.contact) return [];
  const { deferredFor: _deferred, ...contact } = alert.contact;
  if (!isFormalNoticeLetter(contact)) state.pending.push({ ...contact, notBefore: now });
  return [{ kind: 'reopen_send', idempotencyKey: alert.sendKey }];
}
