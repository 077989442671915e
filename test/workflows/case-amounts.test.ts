/**
 * Issue 13, defect 4 (R3), on the time-skipping server: the amount a message demands is the
 * balance the case pursues. Under the firm policy (accessories claimed, Code civil 1343-1), paying
 * the principal alone leaves the penalties and the €40 indemnity due: the case goes on, the next
 * message demands just those, and paying them closes the case with nothing overpaid.
 *
 * Anchor A = Monday 09:00 Paris in February; the invoice (185000) was due Friday A-3.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { SendMessageInput } from '../../activities/contracts';
import type { Actor } from '../../domain/case/actions';
import { recordPaymentUpdate } from '../../workflows/case-definitions';
import { recordHistory } from '../helpers/histories';
import { bundleWorkflows, createTimeSkippingEnv } from '../helpers/temporal';
import { getCaseQuery, runCaseOn } from './case-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows(require.resolve('../../workflows'))]);
});

afterAll(async () => {
  await env?.teardown();
});

const OPERATIONS: Actor = { role: 'operations' };

test('firm policy: the principal alone leaves the accessories due and demanded; paying them closes the case, nothing overpaid', async () => {
  await runCaseOn(
    env,
    bundle,
    'c_accessories_claimed',
    async ({ handle, calls, day, sleepUntil }) => {
      await sleepUntil(0, '09:30');
      const opened = await handle.query(getCaseQuery);
      // Three days late on 185000 at 12.15 %: 185000 × 12.15 % × 3 / 365 = 184.73 → 185; + €40.
      expect(opened.amounts).toMatchObject({ principalCents: 185000, balanceCents: 189185, lateChargesCents: 4185 });

      // Code civil 1343-1: 185 to the penalties, 184815 to principal; 185 of principal and the €40 stay due.
      let view = await handle.executeUpdate(recordPaymentUpdate, {
        args: [{ amountCents: 185000, paidAt: day(0), reference: 'VIR-PRINCIPAL' }, OPERATIONS],
      });
      expect(view).toMatchObject({
        status: 'active',
        amounts: { paidCents: 185000, balanceCents: 4185, overpaidCents: 0 },
      });

      // The next reminder demands what is left: 185 of principal, its penalties, the €40 indemnity.
      await sleepUntil(5, '21:00');
      const after = calls
        .filter((call) => call.name === 'sendMessage')
        .map((call) => (call.input as unknown as SendMessageInput).amounts)
        .filter((amounts) => amounts.paidCents === 185000);
      expect(after.length).toBeGreaterThan(0);
      const amounts = after[0]!;
      expect(amounts).toMatchObject({ principalCents: 185, accessoriesCents: 4000, paidCents: 185000 });
      expect(amounts.totalCents).toBe(amounts.principalCents + amounts.interestCents + amounts.accessoriesCents);

      const due = (await handle.query(getCaseQuery)).amounts.balanceCents;
      expect(due).toBeGreaterThanOrEqual(4185);
      view = await handle.executeUpdate(recordPaymentUpdate, {
        args: [{ amountCents: due, paidAt: day(5), reference: 'VIR-REST' }, OPERATIONS],
      });
      expect(view).toMatchObject({ status: 'paid', amounts: { balanceCents: 0, overpaidCents: 0 } });
      await handle.result();
      await recordHistory(handle, 'collection-case', 'amount-demanded-is-amount-pursued');
    },
    { input: { policyId: 'firm' } },
  );
});
