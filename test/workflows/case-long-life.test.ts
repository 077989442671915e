import { recordPaymentUpdate } from '../../workflows/case-definitions';
import { caseInput, caseOnItsOwnQueue, caseWorkflowFile, outwardCalls, startCase } from './case-harness';

const file = caseWorkflowFile();

test('a long case continues as new, carrying its state: nothing is sent twice and it ends the same', async () => {
  const { env, anchor, calls, worker } = await caseOnItsOwnQueue(file, 'long-life');
  const input = caseInput(anchor, { caseId: 'c_long', historyLimit: 40 });
  const { view, firstRunId, lastRunId } = await worker.runUntil(async () => {
    const handle = await startCase(env, input, 'long-life');
    const firstRunId = handle.firstExecutionRunId;
    await env.sleep('8 days');
    // A payment recorded in the first run must still count in the last one.
    await handle.executeUpdate(recordPaymentUpdate, {
      args: [
        { amountCents: 5000, paidAt: anchor.plus({ days: 8 }).toISODate()!, reference: 'VIR-1' },
        { role: 'operations' },
      ],
    });
    const view = await handle.result();
    const lastRunId = (await handle.describe()).runId;
    return { view, firstRunId, lastRunId };
  });
  expect(lastRunId).not.toBe(firstRunId);
  expect(view.status).toBe('handed_off');
  expect(view.amounts.paidCents).toBe(5000);
  const sends = outwardCalls(calls).filter((call) => call.startsWith('sendMessage'));
  expect(sends.map((call) => call.split(' @ ')[0])).toEqual([
    'sendMessage reminder_1/email',
    'sendMessage reminder_2/sms',
    'sendMessage final_reminder/email',
    'sendMessage formal_notice/letter',
  ]);
});
