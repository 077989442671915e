/**
 * A case that continues as new while its installment plan runs keeps talking to the same plan:
 * the plan was started with parent-close policy ABANDON, and both sides signal by workflow id,
 * never by run. The time-skipping server mishandles a child that outlives its parent's run, so
 * this runs on the dev server, in real time: no timer has to fire, only signals.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflows, createDevServerEnv } from '../helpers/temporal';
import { planWorkflowIdOf } from '../../domain/case/state';
import { agreeInstallmentPlanUpdate, getCaseQuery, recordPaymentUpdate } from '../../workflows/case-definitions';
import { getPlanQuery } from '../../workflows/plan-definitions';
import { caseInput, recordingActivities, startCase, startCaseWorker, started } from './case-harness';
import { DateTime } from 'luxon';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

async function until<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const value = await read();
    if (check(value) || attempt > 200) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('after the case continues as new, its payments still reach the plan it started', async () => {
  const bundle = await bundleWorkflows(require.resolve('../../workflows'));
  const { activities } = recordingActivities();
  const worker = await startCaseWorker(env, bundle, activities, 'plan-can');
  // The dev server runs on the machine's clock, which no test can move. So that the hour, weekday
  // or holiday of the run changes nothing, the case is quiet by construction: its invoice fell due
  // yesterday, so the first reminder is days away and no contact rule (R4) is ever consulted while
  // the test runs; the plan's first installment is a month away. The history is then the same at
  // any hour, and so is the point where the case continues as new.
  const today = DateTime.now().setZone('Europe/Paris');
  const day = (days: number) => today.plus({ days }).toISODate()!;
  await worker.runUntil(async () => {
    // A short history limit: the case continues as new a few events after the agreement.
    const input = caseInput(today, {
      caseId: 'c_plan_case_continued',
      historyLimit: 60,
      invoices: [{ number: 'F-2025-118', issueDate: day(-31), dueDate: day(-1), amountCents: 185000 }],
    });
    const handle = await startCase(env, input, 'plan-can');
    const firstRun = (await handle.describe()).runId;
    await handle.executeUpdate(agreeInstallmentPlanUpdate, {
      args: [
        {
          installments: [30, 60, 90].map((days, index) => ({
            dueDate: day(days),
            amountCents: index === 2 ? 65000 : 60000,
          })),
        },
        { role: 'agent' },
      ],
    });
    const plan = await started(env, planWorkflowIdOf(input.caseId, 1));

    for (let index = 1; index <= 3; index += 1) {
      await handle.executeUpdate(recordPaymentUpdate, {
        args: [{ amountCents: 1000, paidAt: day(0), reference: `VIR-${index}` }, { role: 'operations' }],
      });
    }
    const continued = await until(
      () => handle.describe(),
      (description) => description.runId !== firstRun,
    );
    expect(continued.runId).not.toBe(firstRun);
    await handle.executeUpdate(recordPaymentUpdate, {
      args: [{ amountCents: 1000, paidAt: day(0), reference: 'VIR-AFTER' }, { role: 'operations' }],
    });

    const view = await until(
      () => plan.query(getPlanQuery),
      (current) => current.installments[0]!.paidCents === 4000,
    );
    expect(view).toMatchObject({ outcome: null, progress: { remainingCents: 185000 - 4000 } });
    expect((await handle.query(getCaseQuery)).status).toBe('installment_plan');
    // The plan's parent is the run that started it; it outlived that run.
    expect((await plan.describe()).raw.workflowExecutionInfo?.parentExecution?.runId).toBe(firstRun);
    await handle.terminate('end of test');
    await plan.terminate('end of test');
  });
});
