import { recordHistory } from '../helpers/histories';
import {
  afterOpening,
  caseInput,
  caseOnItsOwnQueue,
  caseWorkflowFile,
  journalTypes,
  outwardCalls,
  startCase,
} from './case-harness';

const file = caseWorkflowFile();

test('standard policy, no answer: reminders on schedule, formal notice, handoff after its deadline', async () => {
  // Monday 09:00, due date was Friday.
  const { env, anchor, calls, worker } = await caseOnItsOwnQueue(file, 'sequence');
  const result = await worker.runUntil(async () => {
    const handle = await startCase(env, caseInput(anchor), 'sequence');
    const view = await handle.result();
    await recordHistory(handle, 'collection-case', 'standard-to-handoff');
    return view;
  });
  expect(outwardCalls(calls)).toEqual([
    // J+3 falls on the opening day; 09:00 is before the 10:00 window, and each case goes at its
    // own offset after an opening (issue 14).
    `sendMessage reminder_1/email @ ${at(anchor, 0, afterOpening('c_test', '10:00'))}`,
    `createCallTask reminder_2 due ${at(anchor, 7, '10:00')} @ ${at(anchor, 7, '00:00')}`,
    `sendMessage reminder_2/sms @ ${at(anchor, 7, afterOpening('c_test', '10:00'))}`,
    // J+15 is a Saturday: deferred to Monday.
    `sendMessage final_reminder/email @ ${at(anchor, 14, afterOpening('c_test', '10:00'))}`,
    // 5 days (the policy's spacing) after the final reminder actually went out is a Saturday: the
    // letter is dated and posted on Monday from 09:00 (R4, working days in office hours).
    `sendMessage formal_notice/letter @ ${at(anchor, 21, afterOpening('c_test', '09:00'))}`,
    // 3 days assumed for delivery + 8 days to pay from Monday: handoff the day after the deadline.
    `handOffCase handoff @ ${at(anchor, 33, '00:00')}`,
  ]);
  expect(result.status).toBe('handed_off');
  expect(result.stage).toBe('handoff');
  expect(journalTypes(calls)).toEqual(expect.arrayContaining(['case_opened', 'message_deferred', 'handoff']));
});

function at(anchor: import('luxon').DateTime, days: number, time: string): string {
  const [hour, minute] = time.split(':').map(Number);
  return anchor.plus({ days }).set({ hour, minute }).toFormat('ccc yyyy-MM-dd HH:mm');
}
