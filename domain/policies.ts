/**
 * Reminder policies are data: which steps, on which channels, in which tone, how many days after
 * the due date (J), and the settings the case workflow reads for promises, replies, installment
 * plans and the formal notice. A policy that breaks a rule below is refused when it is loaded,
 * with a message naming the field, so a mistake in configuration never reaches a debtor.
 */
import { z } from 'zod';
import { addDays, compareDates, daysBetween } from './dates';
import { CHANNELS, DEBTOR_KINDS, TONES, type CalendarDate, type Channel, type DebtorKind, type Tone } from './types';
import { ACCESSORIES_TREATMENTS } from './statement';

/** Escalation order of the stages a policy may schedule (`none` is the state before any step). */
export const POLICY_STAGES = ['reminder_1', 'reminder_2', 'final_reminder', 'formal_notice', 'handoff'] as const;
export type PolicyStage = (typeof POLICY_STAGES)[number];

/** Channels the system sends by itself; a `call` is a task for an agent and does not count. */
export const AUTOMATED_CHANNELS: readonly Channel[] = ['email', 'sms', 'letter'];

const dayCount = (min: number) => z.number().int().min(min);

const stepSchema = z
  .object({
    stage: z.enum(POLICY_STAGES),
    offsetDays: dayCount(0).describe('days after the due date (J)'),
    channels: z.array(z.enum(CHANNELS)),
    tone: z.enum(TONES),
    template: z.string().regex(/^[a-z0-9_.-]+$/, 'lowercase letters, digits, ".", "_" or "-"'),
  })
  .strict();

const policyObjectSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lowercase identifier'),
    name: z.string().min(1),
    description: z.string().min(1),
    suitedFor: z.array(z.enum(DEBTOR_KINDS)).min(1),
    steps: z.array(stepSchema).min(2),
    /** Least number of days between two steps that contact the debtor automatically. */
    minContactSpacingDays: dayCount(1),
    /** Whether late-payment penalties and the €40 indemnity are claimed (business debtors only). */
    lateCharges: z.enum(['claim', 'waive']),
    /**
     * When late charges are claimed: `claimed` (absent = claimed, the law: Code civil 1343-1, the
     * accessories stay due until paid) or `waived_when_principal_paid` (payments go to principal
     * first and the accessories are given up once the whole principal is paid). domain/statement.ts.
     */
    accessories: z.enum(ACCESSORIES_TREATMENTS).optional(),
    promise: z
      .object({
        /** Days after the promised date before a promise counts as broken. */
        graceDays: dayCount(0),
        /** A promise further away than this is refused: offer an installment plan instead. */
        maxHorizonDays: dayCount(1),
      })
      .strict(),
    /** How long a debtor's reply holds the automated sequence while an agent answers. */
    replyHoldDays: dayCount(1),
    installmentPlan: z
      .object({
        maxInstallments: dayCount(2),
        maxDurationDays: dayCount(1),
        reminderDaysBefore: dayCount(0),
        graceDays: dayCount(0),
        /** Déchéance du terme: the plan fails after this many missed installments… */
        defaultAfterMissedInstallments: dayCount(1),
        /** …or when one installment is still unpaid this many days after its due date. */
        defaultAfterDaysUnpaid: dayCount(1),
      })
      .strict(),
    formalNotice: z
      .object({
        /** Days the debtor has to pay, counted from receipt of the notice (8 by default). */
        deadlineDays: dayCount(1),
        /** Days assumed between posting a registered letter and its receipt. */
        assumedDeliveryDays: dayCount(0),
        /**
         * Legal interest from receipt (Code civil 1231-6) where late-payment penalties do not run:
         * absent = claimed; `waive` gives it up (no message then demands it).
         */
        interest: z.enum(['claim', 'waive']).optional(),
      })
      .strict(),
  })
  .strict();

const STAGE_RANK = new Map<PolicyStage, number>(POLICY_STAGES.map((stage, index) => [stage, index]));
const TONE_RANK = new Map<Tone, number>(TONES.map((tone, index) => [tone, index]));

type PolicyInput = z.infer<typeof policyObjectSchema>;
type Issue = { path: (string | number)[]; message: string };

/** Rules between fields, kept apart from the shape so each reads as one sentence of the domain. */
function policyRuleViolations(policy: PolicyInput, automatedCap: { count: number; perDays: number }): Issue[] {
  const issues: Issue[] = [];
  const { steps } = policy;
  const stepPath = (index: number, field?: string) => ['steps', index, ...(field ? [field] : [])];

  if (steps[0]?.stage !== 'reminder_1') {
    issues.push({ path: stepPath(0, 'stage'), message: 'the first step must be reminder_1 (a courteous reminder)' });
  }
  if (steps[0] && steps[0].tone !== 'courteous') {
    issues.push({ path: stepPath(0, 'tone'), message: 'the first reminder must be courteous' });
  }
  steps.forEach((step, index) => {
    const previous = steps[index - 1];
    if (previous) {
      if (STAGE_RANK.get(step.stage)! <= STAGE_RANK.get(previous.stage)!) {
        issues.push({
          path: stepPath(index, 'stage'),
          message: `must come after ${previous.stage} in escalation order`,
        });
      }
      if (step.offsetDays <= previous.offsetDays) {
        issues.push({ path: stepPath(index, 'offsetDays'), message: 'must be later than the previous step' });
      }
      if (TONE_RANK.get(step.tone)! < TONE_RANK.get(previous.tone)!) {
        issues.push({ path: stepPath(index, 'tone'), message: 'the tone may only grow firmer from step to step' });
      }
    }
    const automated = step.channels.filter((channel) => AUTOMATED_CHANNELS.includes(channel));
    if (new Set(step.channels).size !== step.channels.length) {
      issues.push({ path: stepPath(index, 'channels'), message: 'a channel is listed twice' });
    }
    if (step.stage === 'handoff' && step.channels.length > 0) {
      issues.push({ path: stepPath(index, 'channels'), message: 'the handoff contacts no one: the file leaves us' });
    }
    if (step.stage !== 'handoff' && step.channels.length === 0) {
      issues.push({ path: stepPath(index, 'channels'), message: 'a reminder step needs at least one channel' });
    }
    if (step.stage === 'formal_notice') {
      if (!step.channels.includes('letter')) {
        issues.push({ path: stepPath(index, 'channels'), message: 'a mise en demeure is sent by registered letter' });
      }
      if (step.tone !== 'formal')
        issues.push({ path: stepPath(index, 'tone'), message: 'a mise en demeure is formal' });
    }
    if (automated.length > automatedCap.count) {
      issues.push({
        path: stepPath(index, 'channels'),
        message: `more automated contacts in one step than the cap of ${automatedCap.count} per ${automatedCap.perDays} days`,
      });
    }
  });

  const automatedSteps = steps.filter((step) => step.channels.some((channel) => AUTOMATED_CHANNELS.includes(channel)));
  automatedSteps.forEach((step, index) => {
    const previous = automatedSteps[index - 1];
    if (previous && step.offsetDays - previous.offsetDays < policy.minContactSpacingDays) {
      issues.push({
        path: stepPath(steps.indexOf(step), 'offsetDays'),
        message: `must be at least minContactSpacingDays (${policy.minContactSpacingDays}) after the previous contact`,
      });
    }
    // The schedule itself must fit the rolling cap, counting the window's first day (a step sent
    // late in the day must not push the next one over): otherwise every case would be deferred.
    const windowStart = step.offsetDays - automatedCap.perDays;
    const inWindow = automatedSteps
      .filter((other) => other.offsetDays >= windowStart && other.offsetDays <= step.offsetDays)
      .reduce((count, other) => count + other.channels.filter((c) => AUTOMATED_CHANNELS.includes(c)).length, 0);
    if (inWindow > automatedCap.count) {
      issues.push({
        path: stepPath(steps.indexOf(step), 'offsetDays'),
        message: `the schedule sends ${inWindow} automated contacts within ${automatedCap.perDays} days (cap ${automatedCap.count})`,
      });
    }
  });

  for (const required of ['formal_notice', 'handoff'] as const) {
    if (!steps.some((step) => step.stage === required)) {
      issues.push({ path: ['steps'], message: `a policy must end with ${required}` });
    }
  }
  const notice = steps.find((step) => step.stage === 'formal_notice');
  const handoffIndex = steps.findIndex((step) => step.stage === 'handoff');
  const handoff = steps[handoffIndex];
  if (notice && handoff && handoff.offsetDays < notice.offsetDays + policy.formalNotice.deadlineDays) {
    issues.push({
      path: stepPath(handoffIndex, 'offsetDays'),
      message: 'the handoff cannot come before the formal notice deadline has passed',
    });
  }
  if (policy.installmentPlan.defaultAfterMissedInstallments > policy.installmentPlan.maxInstallments) {
    issues.push({
      path: ['installmentPlan', 'defaultAfterMissedInstallments'],
      message: 'cannot exceed maxInstallments',
    });
  }
  return issues;
}

export const DEFAULT_AUTOMATED_CAP = { count: 2, perDays: 7 };

export function policySchema(automatedCap = DEFAULT_AUTOMATED_CAP) {
  return policyObjectSchema.superRefine((policy, ctx) => {
    for (const issue of policyRuleViolations(policy, automatedCap)) ctx.addIssue({ code: 'custom', ...issue });
  });
}

export type Policy = PolicyInput;
export type PolicyStep = Policy['steps'][number];

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid reminder policy:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

/** Validates policies as loaded from configuration; throws PolicyError listing every problem. */
export function loadPolicies(raw: unknown[], automatedCap = DEFAULT_AUTOMATED_CAP): Map<string, Policy> {
  const schema = policySchema(automatedCap);
  const problems: string[] = [];
  const policies = new Map<string, Policy>();
  raw.forEach((candidate, index) => {
    const result = schema.safeParse(candidate);
    const label = (candidate as { id?: unknown })?.id ?? `#${index}`;
    if (!result.success) {
      for (const issue of result.error.issues)
        problems.push(`${String(label)}.${issue.path.join('.')}: ${issue.message}`);
    } else if (policies.has(result.data.id)) {
      problems.push(`${result.data.id}: two policies have this id`);
    } else {
      policies.set(result.data.id, result.data);
    }
  });
  if (problems.length) throw new PolicyError(problems);
  return policies;
}

const SHARED_SETTINGS = {
  installmentPlan: { reminderDaysBefore: 3 },
  formalNotice: { assumedDeliveryDays: 3 },
};

/**
 * The shipped policies. `standard` is the seed articles' schedule for a business debtor:
 * courteous reminder J+1…5, firmer J+7…15, last reminder, mise en demeure at J+20 with 8 days,
 * handoff around J+30. Each step sends at most what the contact cap (2 per 7 days) allows.
 */
export const SHIPPED_POLICIES: Policy[] = [
  {
    id: 'standard',
    name: 'Standard',
    description: 'Débiteur professionnel : relances progressives puis mise en demeure à J+20.',
    suitedFor: ['business'],
    steps: [
      { stage: 'reminder_1', offsetDays: 3, channels: ['email'], tone: 'courteous', template: 'reminder_1.courteous' },
      { stage: 'reminder_2', offsetDays: 10, channels: ['sms', 'call'], tone: 'firm', template: 'reminder_2.firm' },
      { stage: 'final_reminder', offsetDays: 15, channels: ['email'], tone: 'firm', template: 'final_reminder.firm' },
      { stage: 'formal_notice', offsetDays: 20, channels: ['letter'], tone: 'formal', template: 'formal_notice' },
      { stage: 'handoff', offsetDays: 30, channels: [], tone: 'formal', template: 'handoff' },
    ],
    minContactSpacingDays: 5,
    lateCharges: 'claim',
    // [default] Settling the principal settles the case: the accessories are demanded while it is
    // unpaid and given up once it is paid (the firm policy claims them to the end, Code civil 1343-1).
    accessories: 'waived_when_principal_paid',
    promise: { graceDays: 3, maxHorizonDays: 30 },
    replyHoldDays: 5,
    installmentPlan: {
      ...SHARED_SETTINGS.installmentPlan,
      maxInstallments: 6,
      maxDurationDays: 183,
      graceDays: 5,
      defaultAfterMissedInstallments: 2,
      defaultAfterDaysUnpaid: 30,
    },
    formalNotice: { ...SHARED_SETTINGS.formalNotice, deadlineDays: 8 },
  },
  /**
   * The default for a consumer [default]: the seeds' progression (a courteous reminder in the first
   * days, a second one, a last one, a mise en demeure, the handoff) at a gentler pace and tone
   * ("un client fidèle qui rencontre des difficultés nécessitera une approche différente"): the
   * second reminder stays courteous, the mise en demeure gives 15 days (the seeds' "8 à 15 jours"),
   * plans may run a year, and no late charges (L441-10 never applies to a consumer).
   */
  {
    id: 'consumer',
    name: 'Particulier',
    description:
      'Débiteur particulier (politique par défaut) : ton courtois, relances espacées, mise en demeure à J+35 avec 15 jours.',
    suitedFor: ['consumer'],
    steps: [
      { stage: 'reminder_1', offsetDays: 5, channels: ['email'], tone: 'courteous', template: 'reminder_1.courteous' },
      {
        stage: 'reminder_2',
        offsetDays: 15,
        channels: ['email', 'sms'],
        tone: 'courteous',
        template: 'reminder_2.courteous',
      },
      {
        stage: 'final_reminder',
        offsetDays: 25,
        channels: ['email', 'call'],
        tone: 'firm',
        template: 'final_reminder.firm',
      },
      { stage: 'formal_notice', offsetDays: 35, channels: ['letter'], tone: 'formal', template: 'formal_notice' },
      { stage: 'handoff', offsetDays: 55, channels: [], tone: 'formal', template: 'handoff' },
    ],
    minContactSpacingDays: 7,
    lateCharges: 'waive',
    promise: { graceDays: 5, maxHorizonDays: 45 },
    replyHoldDays: 7,
    installmentPlan: {
      ...SHARED_SETTINGS.installmentPlan,
      maxInstallments: 12,
      maxDurationDays: 366,
      graceDays: 7,
      defaultAfterMissedInstallments: 2,
      defaultAfterDaysUnpaid: 45,
    },
    formalNotice: { ...SHARED_SETTINGS.formalNotice, deadlineDays: 15 },
  },
  {
    id: 'gentle',
    name: 'Bienveillante',
    description:
      'Consommateur, client fidèle ou débiteur en difficulté : ton empathique, délais longs, solution proposée.',
    suitedFor: ['consumer', 'business'],
    steps: [
      { stage: 'reminder_1', offsetDays: 7, channels: ['email'], tone: 'courteous', template: 'reminder_1.courteous' },
      {
        stage: 'reminder_2',
        offsetDays: 21,
        channels: ['email', 'sms'],
        tone: 'courteous',
        template: 'reminder_2.courteous',
      },
      {
        stage: 'final_reminder',
        offsetDays: 35,
        channels: ['letter', 'call'],
        tone: 'firm',
        template: 'final_reminder.firm',
      },
      { stage: 'formal_notice', offsetDays: 50, channels: ['letter'], tone: 'formal', template: 'formal_notice' },
      { stage: 'handoff', offsetDays: 75, channels: [], tone: 'formal', template: 'handoff' },
    ],
    minContactSpacingDays: 14,
    lateCharges: 'waive',
    promise: { graceDays: 5, maxHorizonDays: 60 },
    replyHoldDays: 10,
    installmentPlan: {
      ...SHARED_SETTINGS.installmentPlan,
      maxInstallments: 12,
      maxDurationDays: 366,
      graceDays: 7,
      defaultAfterMissedInstallments: 2,
      defaultAfterDaysUnpaid: 45,
    },
    formalNotice: { ...SHARED_SETTINGS.formalNotice, deadlineDays: 15 },
  },
  {
    id: 'firm',
    name: 'Ferme',
    description: 'Débiteur qui ne répond pas ou de mauvaise foi : cadence serrée, mise en demeure rapide.',
    suitedFor: ['business', 'consumer'],
    steps: [
      { stage: 'reminder_1', offsetDays: 1, channels: ['email'], tone: 'courteous', template: 'reminder_1.courteous' },
      { stage: 'reminder_2', offsetDays: 5, channels: ['sms', 'call'], tone: 'firm', template: 'reminder_2.firm' },
      {
        stage: 'final_reminder',
        offsetDays: 9,
        channels: ['email', 'call'],
        tone: 'firm',
        template: 'final_reminder.firm',
      },
      { stage: 'formal_notice', offsetDays: 13, channels: ['letter'], tone: 'formal', template: 'formal_notice' },
      { stage: 'handoff', offsetDays: 22, channels: [], tone: 'formal', template: 'handoff' },
    ],
    minContactSpacingDays: 3,
    lateCharges: 'claim',
    accessories: 'claimed',
    promise: { graceDays: 2, maxHorizonDays: 15 },
    replyHoldDays: 3,
    installmentPlan: {
      ...SHARED_SETTINGS.installmentPlan,
      maxInstallments: 3,
      maxDurationDays: 92,
      graceDays: 3,
      defaultAfterMissedInstallments: 1,
      defaultAfterDaysUnpaid: 15,
    },
    formalNotice: { ...SHARED_SETTINGS.formalNotice, deadlineDays: 8 },
  },
];

export const POLICIES = loadPolicies(SHIPPED_POLICIES);
/** The default of a business debtor, and of any caller that does not know the debtor's kind. */
export const DEFAULT_POLICY_ID = 'standard';

/** [default] A case opened without a `policy` follows the one shipped for its debtor's kind. */
export const DEFAULT_POLICY_BY_DEBTOR_KIND: Readonly<Record<DebtorKind, string>> = Object.freeze({
  business: DEFAULT_POLICY_ID,
  consumer: 'consumer',
});

export function defaultPolicyIdFor(kind: DebtorKind): string {
  return DEFAULT_POLICY_BY_DEBTOR_KIND[kind];
}

export function getPolicy(id: string): Policy {
  const policy = POLICIES.get(id);
  if (!policy) throw new PolicyError([`unknown policy "${id}"; known: ${[...POLICIES.keys()].join(', ')}`]);
  return policy;
}

export interface ScheduledStep {
  stage: PolicyStage;
  date: CalendarDate;
  channels: Channel[];
  tone: Tone;
  template: string;
}

/**
 * The calendar days on which each step falls, counted from the due date. A case opened late
 * starts at the first step on the day it opens and keeps the policy's spacing from there: it
 * never fires several reminders at once to catch up.
 */
export function planSchedule(policy: Policy, dueDate: CalendarDate, openedOn: CalendarDate): ScheduledStep[] {
  const first = policy.steps[0]!;
  const firstOnTime = addDays(dueDate, first.offsetDays);
  const lateByDays = compareDates(openedOn, firstOnTime) > 0 ? daysBetween(firstOnTime, openedOn) : 0;
  return policy.steps.map((step) => ({
    stage: step.stage,
    date: addDays(dueDate, step.offsetDays + lateByDays),
    channels: [...step.channels],
    tone: step.tone,
    template: step.template,
  }));
}
