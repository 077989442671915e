/**
 * One agreed installment plan (échéancier), from agreement to its end: every installment paid,
 * the plan in default (déchéance du terme), or stopped by its case (replaced, cancelled, closed).
 *
 * It is a child of the case workflow, with a history of its own that the Web UI shows next to the
 * case's, and search attributes of its own. It only watches the calendar and the payments; what
 * it decides goes back to the case as signals, and the case — which knows the contact limits, the
 * channels and the journal — does the talking to the debtor.
 */
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { parisDateOf, parisInstant } from '../domain/dates';
import {
  advancePlan,
  endPlan,
  initialPlanState,
  installmentViews,
  nextPlanCheckOn,
  planProgress,
  recordPlanPayment,
  resumePlan,
  suspendPlan,
  type PlanEvent,
  type PlanState,
} from '../domain/installments';
import { formatAmount } from '../domain/money';
import {
  getPlanQuery,
  planControlSignal,
  planEventSignal,
  planPaymentSignal,
  type InstallmentPlanInput,
  type PlanView,
} from './plan-definitions';
import {
  CaseId,
  PlanInstallmentsPaid,
  PlanInstallmentsTotal,
  PlanNextInstallmentAt,
  PlanRemainingCents,
} from './search-attributes';

const MAX_HISTORY_EVENTS = 2_000;

const frenchDate = (date: string): string => date.split('-').reverse().join('/');

const OUTCOME_LABELS: Record<string, string> = {
  completed: 'échéancier soldé',
  defaulted: 'échéancier défaillant (déchéance du terme)',
  cancelled: 'échéancier annulé',
  replaced: 'échéancier remplacé par un nouvel échéancier',
  case_closed: 'dossier clos',
};

export async function installmentPlan(input: InstallmentPlanInput, carried?: PlanState): Promise<PlanView> {
  const plan = carried ?? initialPlanState(input);
  const today = () => parisDateOf(new Date());
  let changes = 0;

  const paidTotal = () => plan.payments.reduce((sum, payment) => sum + payment.amountCents, 0);

  function view(): PlanView {
    const progress = planProgress(plan.installments, paidTotal());
    const { next } = progress;
    const summary =
      plan.outcome !== null
        ? `${OUTCOME_LABELS[plan.outcome]} — ${progress.installmentsPaid}/${progress.installmentsTotal} échéances payées`
        : `${progress.installmentsPaid}/${progress.installmentsTotal} échéances payées, reste ${formatAmount(progress.remainingCents, input.currency)}` +
          (plan.suspendedSince !== null
            ? ` — suspendu depuis le ${frenchDate(plan.suspendedSince)}`
            : next
              ? ` — prochaine échéance : ${formatAmount(next.amountDueCents, input.currency)} le ${frenchDate(next.dueDate)}`
              : '');
    return {
      caseId: plan.caseId,
      planNumber: plan.planNumber,
      agreedOn: plan.agreedOn,
      installments: installmentViews(plan.installments, paidTotal(), today(), plan.rules.graceDays),
      progress,
      suspended: plan.suspendedSince !== null,
      outcome: plan.outcome,
      summary,
    };
  }

  setHandler(getPlanQuery, view);
  setHandler(planPaymentSignal, (payment) => {
    if (recordPlanPayment(plan, payment)) changes += 1;
  });
  setHandler(planControlSignal, (control) => {
    if (control.action === 'suspend') suspendPlan(plan, today());
    else if (control.action === 'resume') resumePlan(plan, today());
    else endPlan(plan, control.outcome);
    changes += 1;
  });

  /** The case may have closed meanwhile: then there is no one left to tell, and the plan ends. */
  async function tellCase(event: Exclude<PlanEvent, { kind: 'completed' }>): Promise<void> {
    try {
      await getExternalWorkflowHandle(input.caseWorkflowId).signal(planEventSignal, {
        ...event,
        planNumber: plan.planNumber,
      });
    } catch {
      endPlan(plan, 'case_closed');
    }
  }

  function publish(): void {
    const current = view();
    const { next } = current.progress;
    upsertSearchAttributes([
      { key: CaseId, value: plan.caseId },
      { key: PlanInstallmentsPaid, value: current.progress.installmentsPaid },
      { key: PlanInstallmentsTotal, value: String(current.progress.installmentsTotal) },
      { key: PlanRemainingCents, value: current.progress.remainingCents },
      { key: PlanNextInstallmentAt, value: next && plan.outcome === null ? parisInstant(next.dueDate) : null },
    ]);
    setCurrentDetails(current.summary);
  }

  for (;;) {
    for (const event of advancePlan(plan, today())) {
      // The case closes itself when the last payment lands: completion needs no message.
      if (event.kind !== 'completed') await tellCase(event);
    }
    publish();
    if (plan.outcome !== null) break;

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) {
      await continueAsNew<typeof installmentPlan>(input, plan);
    }

    const seen = changes;
    const nextCheck = nextPlanCheckOn(plan, today());
    const changed = () => changes !== seen;
    if (nextCheck === null) await condition(changed);
    else await condition(changed, Math.max(1, parisInstant(nextCheck).getTime() - Date.now()));
  }
  return view();
}
