/**
 * Installment plans (échéancier) on the time-skipping server, across months of virtual time, with
 * the policies' real delays: the plan's own workflow beside its case, payments matched to
 * installments, reminders and missed notices through the case's contact rules, default and the
 * escalation after it, renegotiation, cancellation, a dispute during a plan — and the case's
 * status at every point.
 *
 * Anchor A = a Monday 09:00 Paris in February; the invoice of 1 850,00 € was due A-3. Plans are
 * agreed on A+1 09:00 (standard: reminders 3 days before, 5 days of grace, default after 2 missed
 * installments or one unpaid 30 days; gentle: 7 days of grace, 45 days).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Actor } from '../../domain/case/actions';
import { planWorkflowIdOf } from '../../domain/case/state';
import { addDays, daysBetween } from '../../domain/dates';
import {
  agreeInstallmentPlanUpdate,
  cancelInstallmentPlanUpdate,
  getCaseQuery,
  openDisputeUpdate,
  recordPaymentUpdate,
  resolveDisputeUpdate,
} from '../../workflows/case-definitions';
import { getPlanQuery } from '../../workflows/plan-definitions';
import { recordHistory } from '../helpers/histories';
import {
  expectRefused,
  journalTypes,
  runCaseOn,
  started,
  type ActivityCall,
  type CaseRun,
  setUpServerPerTest,
} from './case-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

setUpServerPerTest((started, bundled) => ([env, bundle] = [started, bundled]));

const AGENT: Actor = { role: 'agent', id: 'agent-7' };
const MANAGER: Actor = { role: 'manager', id: 'manager-1' };
const OPERATIONS: Actor = { role: 'operations' };

const planOf = (caseId: string, planNumber = 1) => env.client.workflow.getHandle(planWorkflowIdOf(caseId, planNumber));

interface PlanMessage {
  kind: string;
  installment?: number;
  amountDueCents?: number;
  /** Paris calendar day and time it went out. */
  on: string;
  at: DateTime;
}

function planMessages(calls: ActivityCall[]): PlanMessage[] {
  return calls
    .filter((call) => call.name === 'sendMessage' && call.input.installmentPlan)
    .map((call) => {
      const plan = call.input.installmentPlan as { installment?: { number: number; amountDueCents: number } };
      const at = DateTime.fromISO(call.at, { zone: 'Europe/Paris' });
      return {
        kind: String(call.input.template).replace('installment_plan.', ''),
        ...(plan.installment
          ? { installment: plan.installment.number, amountDueCents: plan.installment.amountDueCents }
          : {}),
        on: at.toISODate()!,
        at,
      };
    });
}

const describeMessages = (messages: PlanMessage[]) =>
  messages.map((message) =>
    [message.kind, message.installment ? `#${message.installment}` : '', message.amountDueCents ?? '']
      .filter((part) => part !== '')
      .join(' '),
  );

/** Every message of the sequence (not of the plan) as `stage/channel`. */
const sequenceMessages = (calls: ActivityCall[]) =>
  calls
    .filter((call) => call.name === 'sendMessage' && !call.input.installmentPlan)
    .map((call) => `${String(call.input.stage)}/${String(call.input.channel)}`);

/** R4: a weekday (no holiday check here: contact-limits tests cover those), inside 10-13 or 14-20. */
function inContactHours(at: DateTime): boolean {
  const minutes = at.hour * 60 + at.minute;
  return at.weekday <= 5 && ((minutes >= 600 && minutes < 780) || (minutes >= 840 && minutes < 1200));
}

async function statusOf(run: CaseRun): Promise<string> {
  return (await run.handle.query(getCaseQuery)).status;
}

async function pay(run: CaseRun, amountCents: number, day: number, reference: string) {
  return run.handle.executeUpdate(recordPaymentUpdate, {
    args: [{ amountCents, paidAt: run.day(day), reference }, OPERATIONS],
  });
}

function agree(run: CaseRun, installments: [number, number][], actor: Actor = AGENT) {
  return run.handle.executeUpdate(agreeInstallmentPlanUpdate, {
    args: [
      { installments: installments.map(([days, amountCents]) => ({ dueDate: run.day(days), amountCents })) },
      actor,
    ],
  });
}

test('a full 12-month plan, paid on time: a reminder before each installment, no missed notice, the case paid at the end; the plan continues as new on the way', async () => {
  await runCaseOn(
    env,
    bundle,
    'c_plan_12_months',
    async (run) => {
      await run.sleepUntil(1, '09:00');
      const dueDays = Array.from({ length: 12 }, (_, index) => 1 + 30 * (index + 1));
      const amounts = dueDays.map((_, index) => (index === 11 ? 20000 : 15000));
      const agreed = await agree(
        run,
        dueDays.map((day, index) => [day, amounts[index]!]),
      );
      expect(agreed).toMatchObject({
        status: 'installment_plan',
        installmentPlan: { number: 1, outcome: null, progress: { installmentsPaid: 0, installmentsTotal: 12 } },
      });
      const plan = await started(env, planWorkflowIdOf('c_plan_12_months', 1));
      const firstRun = (await plan.describe()).runId;

      for (const [index, dueDay] of dueDays.entries()) {
        await run.sleepUntil(dueDay, '11:00');
        expect({ installment: index + 1, status: await statusOf(run) }).toEqual({
          installment: index + 1,
          status: 'installment_plan',
        });
        const after = await pay(run, amounts[index]!, dueDay, `ECH-${index + 1}`);
        expect(after.status).toBe(index === 11 ? 'paid' : 'installment_plan');
        if (index < 11) {
          expect(after.installmentPlan?.progress).toMatchObject({
            installmentsPaid: index + 1,
            next: { number: index + 2 },
          });
        }
      }
      const result = await run.handle.result();
      expect(result).toMatchObject({ status: 'paid', amounts: { balanceCents: 0, paidCents: 185000 } });

      const planResult = await plan.result();
      expect(planResult).toMatchObject({
        outcome: 'completed',
        progress: { installmentsPaid: 12, installmentsTotal: 12, remainingCents: 0, next: null },
      });
      // A long plan starts fresh histories on the way, carrying its state.
      expect((await plan.describe()).runId).not.toBe(firstRun);

      const messages = planMessages(run.calls);
      expect(describeMessages(messages)).toEqual([
        'installment_plan_confirmation',
        ...amounts.map((amount, index) => `installment_reminder #${index + 1} ${amount}`),
      ]);
      for (const message of messages.slice(1)) {
        const dueDate = run.day(dueDays[message.installment! - 1]!);
        // Three days before the due date at the earliest, the due date at the latest, in contact hours.
        const daysBefore = daysBetween(message.on, dueDate);
        expect({
          message: message.installment,
          early: daysBefore <= 3,
          late: daysBefore < 0,
          hours: inContactHours(message.at),
        }).toEqual({
          message: message.installment,
          early: true,
          late: false,
          hours: true,
        });
      }
      // The sequence stopped at the agreement, before the gentle policy's first reminder (J+7).
      expect(sequenceMessages(run.calls)).toEqual([]);
      expect(journalTypes(run.calls)).not.toContain('installment_missed');

      await recordHistory(run.handle, 'collection-case', 'plan-twelve-months-paid');
      await recordHistory(plan, 'installment-plan', 'twelve-months-paid-last-run');
    },
    // The case's own continue-as-new is covered by case-long-life.test.ts; with a plan running, the
    // time-skipping server stops skipping time once the plan completes after its parent's run
    // closed, so this test lets only the plan continue as new.
    { input: { policyId: 'gentle', planHistoryLimit: 100 } },
  );
});

test('early, partial, late, grouped and over-payments are matched oldest installment first', async () => {
  await runCaseOn(env, bundle, 'c_plan_payments', async (run) => {
    await run.sleepUntil(1, '09:00');
    // 4 × 462,50 € due A+10, A+40, A+70, A+100.
    await agree(run, [
      [10, 46250],
      [40, 46250],
      [70, 46250],
      [100, 46250],
    ]);

    // Early: installment 1 paid on A+5, before its reminder would go (A+7).
    await run.sleepUntil(5, '12:00');
    await pay(run, 46250, 5, 'VIR-EARLY');
    // Partial: 300,00 € toward installment 2.
    await run.sleepUntil(35, '12:00');
    const partial = await pay(run, 30000, 35, 'VIR-PARTIAL');
    expect(partial.installmentPlan?.installments.map((installment) => installment.status)).toEqual([
      'paid',
      'partially_paid',
      'upcoming',
      'upcoming',
    ]);
    // The rest of installment 2 is reminded, then found missed after the 5 days of grace.
    await run.sleepUntil(49, '12:00');
    expect((await run.handle.query(getCaseQuery)).installmentPlan?.installments[1]).toMatchObject({
      status: 'late',
      paidCents: 30000,
    });
    expect(await statusOf(run)).toBe('installment_plan');
    // Late and grouped: the rest of 2, all of 3, and 100,00 € more carried forward to 4.
    const grouped = await pay(run, 16250 + 46250 + 10000, 49, 'VIR-GROUPED');
    expect(
      grouped.installmentPlan?.installments.map((installment) => [installment.status, installment.paidCents]),
    ).toEqual([
      ['paid', 46250],
      ['paid', 46250],
      ['paid', 46250],
      ['partially_paid', 10000],
    ]);
    expect(grouped.status).toBe('installment_plan');

    await run.sleepUntil(100, '12:00');
    const closed = await pay(run, 36250, 100, 'VIR-LAST');
    expect(closed.status).toBe('paid');

    // No reminder for installment 1 (paid early) nor 3 (paid in the grouped payment); 2 and 4
    // are reminded for what was left on them.
    expect(describeMessages(planMessages(run.calls))).toEqual([
      'installment_plan_confirmation',
      'installment_reminder #2 16250',
      'installment_missed #2 16250',
      'installment_reminder #4 36250',
    ]);
    const missed = planMessages(run.calls).find((message) => message.kind === 'installment_missed')!;
    expect(daysBetween(run.day(40), missed.on)).toBeGreaterThanOrEqual(6);
    expect(journalTypes(run.calls)).not.toContain('installment_plan_defaulted');
    expect(await planOf('c_plan_payments').result()).toMatchObject({ outcome: 'completed' });
  });
});

test('two missed installments: the plan defaults, the whole balance is due, and the case goes to formal notice then handoff', async () => {
  await runCaseOn(env, bundle, 'c_plan_default', async (run) => {
    await run.sleepUntil(1, '09:00');
    await agree(run, [
      [10, 60000],
      [25, 60000],
      [55, 65000],
    ]);
    const statusAt = async (day: number) => {
      await run.sleepUntil(day, '12:00');
      return statusOf(run);
    };
    expect(await statusAt(16)).toBe('installment_plan'); // installment 1 missed, one is not enough
    expect(await statusAt(30)).toBe('installment_plan');
    // Installment 2 missed on A+31: two missed, the plan defaults (déchéance du terme).
    expect(await statusAt(31)).toBe('active');
    const afterDefault = await run.handle.query(getCaseQuery);
    expect(afterDefault).toMatchObject({
      stage: 'formal_notice',
      // R3: the principal plus the accessories due (standard claims them until the principal is paid).
      amounts: { principalCents: 185000, balanceCents: 185000 + afterDefault.amounts.lateChargesCents },
      installmentPlan: { outcome: 'defaulted' },
    });
    expect(sequenceMessages(run.calls)).toEqual(['reminder_1/email', 'formal_notice/letter']);
    expect(describeMessages(planMessages(run.calls))).toEqual([
      'installment_plan_confirmation',
      'installment_reminder #1 60000',
      'installment_missed #1 60000',
      'installment_reminder #2 60000',
    ]);
    expect(await planOf('c_plan_default').result()).toMatchObject({ outcome: 'defaulted' });
    expect(journalTypes(run.calls)).toEqual(
      expect.arrayContaining(['installment_missed', 'installment_plan_defaulted']),
    );

    // The formal notice's 8 days (from receipt, 3 days after posting) pass unpaid: handoff.
    expect(await statusAt(50)).toBe('handed_off');
    await recordHistory(run.handle, 'collection-case', 'plan-defaulted-to-handoff');
    await recordHistory(planOf('c_plan_default'), 'installment-plan', 'defaulted-two-missed');
  });
});

test('renegotiation: only a manager replaces a plan; the old plan ends as replaced, the new one runs; a manager may cancel it', async () => {
  await runCaseOn(env, bundle, 'c_plan_renegotiated', async (run) => {
    await run.sleepUntil(1, '09:00');
    await agree(run, [
      [10, 92500],
      [40, 92500],
    ]);
    await run.sleepUntil(8, '12:00');
    await pay(run, 50000, 8, 'VIR-1');

    await expectRefused(agree(run, [[60, 135000]]), 'invalid_transition');
    const replaced = await agree(
      run,
      [
        [30, 45000],
        [60, 45000],
        [90, 45000],
      ],
      MANAGER,
    );
    expect(replaced).toMatchObject({
      status: 'installment_plan',
      installmentPlan: { number: 2, outcome: null, progress: { installmentsTotal: 3, remainingCents: 135000 } },
    });
    expect(await planOf('c_plan_renegotiated', 1).result()).toMatchObject({ outcome: 'replaced' });

    await run.sleepUntil(29, '12:00');
    await pay(run, 45000, 29, 'VIR-2');
    // The payment reaches the plan's workflow a moment after the case applied it.
    await run.sleepUntil(29, '13:00');
    const plan2 = await planOf('c_plan_renegotiated', 2).query(getPlanQuery);
    expect(plan2).toMatchObject({ outcome: null, progress: { installmentsPaid: 1, remainingCents: 90000 } });

    const cancelled = await run.handle.executeUpdate(cancelInstallmentPlanUpdate, {
      args: [{ reason: 'sealed:le débiteur ne répond plus' }, MANAGER],
    });
    expect(cancelled).toMatchObject({ status: 'active', installmentPlan: { number: 2, outcome: 'cancelled' } });
    expect(await planOf('c_plan_renegotiated', 2).result()).toMatchObject({ outcome: 'cancelled' });

    // Plan 1's reminder for A+10 went on A+7, before the partial payment and the replacement;
    // nothing of plan 1 after it.
    const messages = planMessages(run.calls);
    expect(describeMessages(messages)).toEqual([
      'installment_plan_confirmation',
      'installment_reminder #1 92500',
      'installment_plan_confirmation',
      'installment_reminder #1 45000',
    ]);
    // The sequence resumes where it stood: its next step (reminder_2) goes out.
    await run.sleepUntil(33, '12:00');
    expect(sequenceMessages(run.calls)).toEqual(['reminder_1/email', 'reminder_2/sms']);
    expect(journalTypes(run.calls)).toEqual(expect.arrayContaining(['installment_plan_cancelled']));
  });
});

test('a dispute suspends the plan: nothing is sent while it runs; rejected, the plan resumes with its dates moved by the days suspended', async () => {
  await runCaseOn(env, bundle, 'c_plan_disputed', async (run) => {
    await run.sleepUntil(1, '09:00');
    await agree(run, [
      [20, 92500],
      [50, 92500],
    ]);
    await run.sleepUntil(10, '12:00');
    const disputed = await run.handle.executeUpdate(openDisputeUpdate, {
      args: [{ reason: 'sealed:facture contestée' }, AGENT],
    });
    expect(disputed.status).toBe('disputed');
    await run.sleepUntil(12, '12:00');
    expect(await planOf('c_plan_disputed').query(getPlanQuery)).toMatchObject({ suspended: true, outcome: null });

    // Thirty days of dispute: installment 1 (A+20) is neither reminded nor missed meanwhile.
    await run.sleepUntil(40, '12:00');
    expect(describeMessages(planMessages(run.calls))).toEqual(['installment_plan_confirmation']);
    expect(await statusOf(run)).toBe('disputed');

    const resolved = await run.handle.executeUpdate(resolveDisputeUpdate, { args: [{ outcome: 'rejected' }, MANAGER] });
    expect(resolved.status).toBe('installment_plan');
    await run.sleepUntil(41, '09:00');
    const plan = await planOf('c_plan_disputed').query(getPlanQuery);
    expect(plan).toMatchObject({ suspended: false });
    expect(plan.installments.map((installment) => installment.dueDate)).toEqual([run.day(50), run.day(80)]);

    await run.sleepUntil(50, '12:00');
    expect(describeMessages(planMessages(run.calls))).toEqual([
      'installment_plan_confirmation',
      'installment_reminder #1 92500',
    ]);
    const reminder = planMessages(run.calls)[1]!;
    expect(daysBetween(reminder.on, run.day(50))).toBeLessThanOrEqual(3);
    expect(await statusOf(run)).toBe('installment_plan');
    await recordHistory(run.handle, 'collection-case', 'plan-disputed-and-resumed');
  });
});

test('a dispute settled at a lower amount ends the plan, whose installments no longer add up; the sequence resumes', async () => {
  await runCaseOn(env, bundle, 'c_plan_adjusted', async (run) => {
    await run.sleepUntil(1, '09:00');
    await agree(run, [
      [20, 92500],
      [50, 92500],
    ]);
    await run.handle.executeUpdate(openDisputeUpdate, { args: [{ reason: 'sealed:quantités' }, AGENT] });
    const adjusted = await run.handle.executeUpdate(resolveDisputeUpdate, {
      args: [{ outcome: 'adjusted', adjustedAmountCents: 150000 }, MANAGER],
    });
    expect(adjusted).toMatchObject({
      status: 'active',
      amounts: { balanceCents: 150000 + adjusted.amounts.lateChargesCents },
      installmentPlan: { outcome: 'cancelled' },
    });
    expect(await planOf('c_plan_adjusted').result()).toMatchObject({ outcome: 'cancelled' });
    // A new plan for the new balance may be agreed.
    const again = await agree(run, [
      [30, 75000],
      [60, 75000],
    ]);
    expect(again).toMatchObject({ status: 'installment_plan', installmentPlan: { number: 2 } });
  });
});

test("the plan's workflow is the case's child in the Web UI, with its own search attributes and summary", async () => {
  await runCaseOn(env, bundle, 'c_plan_visible', async (run) => {
    await run.sleepUntil(1, '09:00');
    await agree(run, [
      [10, 85000],
      [40, 100000],
    ]);
    await run.sleepUntil(10, '12:00');
    await pay(run, 85000, 10, 'VIR-1');
    await run.sleepUntil(11, '09:00');
    const description = await planOf('c_plan_visible').describe();
    expect(description.raw.workflowExecutionInfo?.parentExecution?.workflowId).toBe(run.handle.workflowId);
    const attributes = Object.fromEntries(
      description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]),
    );
    expect(attributes).toMatchObject({
      CaseId: 'c_plan_visible',
      PlanInstallmentsPaid: 1,
      PlanInstallmentsTotal: '2',
      PlanRemainingCents: 100000,
    });
    expect((attributes.PlanNextInstallmentAt as Date).toISOString()).toBe(
      DateTime.fromISO(addDays(run.day(0), 40), { zone: 'Europe/Paris' })
        .toUTC()
        .toISO(),
    );
    const plan = await planOf('c_plan_visible').query(getPlanQuery);
    // Amounts are written the French way, with no-break spaces.
    expect(plan.summary).toMatch(
      /^1\/2 échéances payées, reste 1\s000,00\s€ — prochaine échéance : 1\s000,00\s€ le \d\d\/\d\d\/\d{4}$/,
    );
  });
});
