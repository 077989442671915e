/**
 * The case as people see it: the API's Case (without personal data, which the API merges in) and a
 * one-line French summary for the Temporal Web UI, like a line in a case file.
 */
import { paidCents, principalCents, balanceCents, lateChargesCents, prescriptionOf } from './state';
import { nextActionOf, stageLabel } from './progress';
import type { InstallmentView } from '../installments';
import { planSnapshot, type PlanSnapshot } from './installment-plan';
import type { CaseState, IsoInstant } from './types';
import { formatParisDate } from '../french-text';
import { openAlertsOf, withOpenAlerts } from './alerts';

const STATUS_LABELS: Record<string, string> = {
  active: 'en cours',
  promise_to_pay: 'promesse de paiement',
  disputed: 'contestée',
  installment_plan: 'échéancier en cours',
  paused: 'suspendue',
  paid: 'soldée',
  handed_off: 'transmise au commissaire de justice',
  cancelled: 'annulée',
  unrecoverable: 'irrécouvrable',
};

/** Why no reminder goes while the case is in these states: said before what comes next. */
const STANDSTILL: Record<string, string> = {
  disputed: 'créance contestée : aucune relance jusqu’à décision d’un responsable',
  paused: 'dossier suspendu : aucune relance',
};

export function caseSummary(state: CaseState, now: IsoInstant): string {
  const last = state.lastEvent
    ? `${state.lastEvent.label} le ${formatParisDate(state.lastEvent.at)}`
    : 'Dossier ouvert';
  const next = nextActionOf(state, now);
  const standstill = STANDSTILL[state.status];
  const nextText = next === null ? null : `prochaine étape : ${stageLabel(next.type)} le ${formatParisDate(next.at)}`;
  if (standstill) return `${last} — ${nextText ? `${standstill} ; ${nextText}` : standstill}`;
  return `${last} — ${nextText ?? `créance ${STATUS_LABELS[state.status] ?? state.status}`}`;
}

export interface CaseSnapshot {
  id: string;
  reference: string;
  creditorId: string;
  debtorKind: string;
  policy: string;
  status: string;
  stage: string;
  amounts: {
    principalCents: number;
    paidCents: number;
    balanceCents: number;
    overpaidCents: number;
    lateChargesCents: number;
    currency: string;
  };
  openedAt: IsoInstant;
  closedAt: IsoInstant | null;
  nextAction: { type: string; at: IsoInstant } | null;
  prescription: { date: string | null; prescribed: boolean };
  promise: { amountCents: number; promisedDate: string } | null;
  installmentPlan:
    ({ agreedAt: IsoInstant; installments: InstallmentView[] } & Omit<PlanSnapshot, 'installments'>) | null;
  dispute: { openedAt: IsoInstant } | null;
  pause: { since: IsoInstant; until: IsoInstant | null } | null;
  openCallTasks: { id: string; reason: string; dueAt: IsoInstant }[];
  summary: string;
  workflowId: string;
  revision: number;
  /** Manager alerts not yet acknowledged (GET /alerts lists them). */
  openAlerts?: number;
}

export function caseSnapshot(state: CaseState, now: IsoInstant, workflowId: string): CaseSnapshot {
  const { input } = state;
  const prescription = prescriptionOf(state, now);
  return {
    id: input.caseId,
    reference: input.reference,
    creditorId: input.creditorId,
    debtorKind: input.debtorKind,
    policy: input.policyId,
    status: state.status,
    stage: state.stage,
    amounts: {
      principalCents: principalCents(state),
      paidCents: paidCents(state),
      balanceCents: balanceCents(state, now),
      overpaidCents: state.overpaidCents,
      lateChargesCents: lateChargesCents(state, now),
      currency: input.currency,
    },
    openedAt: input.openedAt,
    closedAt: state.closedAt,
    nextAction: nextActionOf(state, now),
    prescription: { date: prescription.date, prescribed: prescription.prescribed },
    promise: state.promise
      ? { amountCents: state.promise.amountCents, promisedDate: state.promise.promisedDate }
      : null,
    installmentPlan: state.plan ? { agreedAt: state.plan.agreedAt, ...planSnapshot(state, now)! } : null,
    dispute: state.dispute ? { openedAt: state.dispute.openedAt } : null,
    pause: state.pause ? { since: state.pause.since, until: state.pause.until ?? null } : null,
    openCallTasks: state.callTasks
      .filter((task) => task.status === 'open')
      .map(({ id, reason, dueAt }) => ({ id, reason, dueAt })),
    summary: withOpenAlerts(caseSummary(state, now), state),
    workflowId,
    revision: state.revision,
    openAlerts: openAlertsOf(state).length,
  };
}
