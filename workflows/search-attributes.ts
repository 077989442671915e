/**
 * Custom search attributes: what managers filter on in the Temporal Web UI, e.g.
 * `CaseStage = "formal_notice" AND BalanceCents > 100000`. They hold no personal data (R7):
 * ids, statuses and amounts only.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CaseStatus = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const CaseStage = defineSearchAttributeKey('CaseStage', SearchAttributeType.KEYWORD);
export const BalanceCents = defineSearchAttributeKey('BalanceCents', SearchAttributeType.INT);
export const CreditorId = defineSearchAttributeKey('CreditorId', SearchAttributeType.KEYWORD);
export const DebtorKind = defineSearchAttributeKey('DebtorKind', SearchAttributeType.KEYWORD);
/**
 * The debtor a case was linked to when it opened (`d_…`, no personal data; models/debtor-directory.ts):
 * `DebtorKey = "d_…"` lists one debtor's cases. A debtor merged later keeps its cases' keys: the
 * debtor's keys are all of those its merges name.
 */
export const DebtorKey = defineSearchAttributeKey('DebtorKey', SearchAttributeType.KEYWORD);
export const NextActionAt = defineSearchAttributeKey('NextActionAt', SearchAttributeType.DATETIME);
/** The kinds of the case's unacknowledged manager alerts, e.g. `OpenAlerts = "message_outcome_unknown"`. */
export const OpenAlerts = defineSearchAttributeKey('OpenAlerts', SearchAttributeType.KEYWORD_LIST);

// The installment-plan workflow's own attributes, e.g. `PlanNextInstallmentAt < "2027-03-01T00:00:00Z"`.
export const CaseId = defineSearchAttributeKey('CaseId', SearchAttributeType.KEYWORD);
export const PlanNextInstallmentAt = defineSearchAttributeKey('PlanNextInstallmentAt', SearchAttributeType.DATETIME);
export const PlanInstallmentsPaid = defineSearchAttributeKey('PlanInstallmentsPaid', SearchAttributeType.INT);
// A keyword, not an int: SQL visibility (the dev server, PostgreSQL) allows 3 int attributes per
// namespace, and a plan's installment count is only ever filtered on by equality.
export const PlanInstallmentsTotal = defineSearchAttributeKey('PlanInstallmentsTotal', SearchAttributeType.KEYWORD);
export const PlanRemainingCents = defineSearchAttributeKey('PlanRemainingCents', SearchAttributeType.INT);

export const PLAN_SEARCH_ATTRIBUTES = [
  CaseId,
  PlanNextInstallmentAt,
  PlanInstallmentsPaid,
  PlanInstallmentsTotal,
  PlanRemainingCents,
];

export const ALL_SEARCH_ATTRIBUTES = [
  CaseStatus,
  CaseStage,
  BalanceCents,
  CreditorId,
  DebtorKind,
  DebtorKey,
  NextActionAt,
  OpenAlerts,
  ...PLAN_SEARCH_ATTRIBUTES,
];
