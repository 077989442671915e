import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { recordHistory } from '../helpers/histories';
import {
  caseInput,
  journalTypes,
  moveClockToAnchor,
  outwardCalls,
  recordingActivities,
  startCase,
  startCaseWorker,
  setUpCaseWorkflowFile,
} from './case-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
setUpCaseWorkflowFile((started, bundled) => ([env, bundle] = [started, bundled]));

test('standard policy, no answer: reminders on schedule, formal notice, handoff after its deadline', async () => {
  const anchor = await moveClockToAnchor(env); // Monday 09:00, due date was Friday
  const { activities, calls } = recordingActivities();
  const worker = await startCaseWorker(env, bundle, activities, 'sequence');
  const result = await worker.runUntil(async () => {
    const handle = await startCase(env, caseInput(anchor), 'sequence');
    const view = await handle.result();
    await recordHistory(handle, 'collection-case', 'standard-to-handoff');
    return view;
  });
  expect(outwardCalls(calls)).toEqual([
    // J+3 falls on the opening day; 09:00 is before the 10:00 window.
    `sendMessage reminder_1/email @ ${at(anchor, 0, '10:00')}`,
    `createCallTask reminder_2 due ${at(anchor, 7, '10:00')} @ ${at(anchor, 7, '00:00')}`,
    `sendMessage reminder_2/sms @ ${at(anchor, 7, '10:00')}`,
    // J+15 is a Saturday: deferred to Monday.
    `sendMessage final_reminder/email @ ${at(anchor, 14, '10:00')}`,
    // 5 days (the policy's spacing) after the final reminder actually went out; a registered
    // letter is posted, not a call at a time of day.
    `sendMessage formal_notice/letter @ ${at(anchor, 19, '00:00')}`,
    // 3 days assumed for delivery + 8 days to pay: handoff the day after the deadline.
    `handOffCase handoff @ ${at(anchor, 31, '00:00')}`,
  ]);
  expect(result.status).toBe('handed_off');
  expect(result.stage).toBe('handoff');
  expect(journalTypes(calls)).toEqual(expect.arrayContaining(['case_opened', 'message_deferred', 'handoff']));
});

function at(anchor: import('luxon').DateTime, days: number, time: string): string {
  const [hour, minute] = time.split(':').map(Number);
  return anchor.plus({ days }).set({ hour, minute }).toFormat('ccc yyyy-MM-dd HH:mm');
}
