/**
 * Issue 14 across virtual time: a case whose messages wait for a window opening (the night before
 * 10:00, a weekend) sends each at 10:00 plus its own offset, journals that planned time, and keeps
 * its books (journal, projection, rates) in local activities rather than workflow tasks of their own.
 */
import { temporal } from '@temporalio/proto';
import { openingOffsetSeconds } from '../../domain/case/opening-spread';
import { recordHistory } from '../helpers/histories';
import { caseInput, caseOnItsOwnQueue, caseWorkflowFile, outwardCalls, parisTime, startCase } from './case-harness';

const file = caseWorkflowFile();
const EventType = temporal.api.enums.v1.EventType;

test('deferred to Monday 10:00, a message goes at 10:00 plus the case offset; the journal says when', async () => {
  const caseId = 'c_spread_weekend';
  const offset = openingOffsetSeconds(caseId);
  // 35′11″: far enough from 10:00 that a send at the opening could not pass for this one.
  expect(Math.floor(offset / 60)).toBe(35);
  const { env, anchor, calls, worker } = await caseOnItsOwnQueue(file, 'spread');
  const { result, history } = await worker.runUntil(async () => {
    const handle = await startCase(env, caseInput(anchor, { caseId }), 'spread');
    const view = await handle.result();
    await recordHistory(handle, 'collection-case', 'opening-spread-and-local-bookkeeping');
    return { result: view, history: await handle.fetchHistory() };
  });
  const at = (days: number, hour: number) =>
    parisTime(anchor.plus({ days }).set({ hour, minute: 0 }).plus({ seconds: offset }).toUTC().toISO()!);
  expect(outwardCalls(calls)).toEqual([
    // 09:00 on the opening day is before the window.
    `sendMessage reminder_1/email @ ${at(0, 10)}`,
    // A call task is due at the opening (an agent's queue, nothing wakes for it).
    `createCallTask reminder_2 due ${parisTime(anchor.plus({ days: 7 }).set({ hour: 10 }).toUTC().toISO()!)} @ ${parisTime(anchor.plus({ days: 7 }).toUTC().toISO()!.replace(/T.*/, 'T00:00:00'))}`,
    `sendMessage reminder_2/sms @ ${at(7, 10)}`,
    // J+15 is a Saturday: Monday, 10:00 plus the offset.
    `sendMessage final_reminder/email @ ${at(14, 10)}`,
    // Five days later is a Saturday again: the letter is dated Monday, from 09:00 plus the offset.
    `sendMessage formal_notice/letter @ ${at(21, 9)}`,
    `handOffCase handoff @ ${parisTime(anchor.plus({ days: 33 }).startOf('day').toUTC().toISO()!)}`,
  ]);
  expect(result.status).toBe('handed_off');

  const deferrals = calls
    .filter((call) => call.name === 'recordJournal')
    .flatMap((call) => call.input.entries as { type: string; summary: string }[])
    .filter((entry) => entry.type === 'message_deferred')
    .map((entry) => entry.summary.replace(/\s/g, ' '));
  const day = (days: number) => anchor.plus({ days }).toFormat('dd/MM/yyyy');
  const hhmm = (hour: number) => anchor.set({ hour, minute: 0 }).plus({ seconds: offset }).toFormat('HH:mm');
  expect(deferrals).toEqual([
    `e-mail reporté au ${day(0)} à ${hhmm(10)} (hors des heures autorisées)`,
    `SMS reporté au ${day(7)} à ${hhmm(10)} (hors des heures autorisées)`,
    `e-mail reporté au ${day(14)} à ${hhmm(10)} (week-end)`,
    `courrier reporté au ${day(21)} à ${hhmm(9)} (week-end)`,
  ]);

  // The books are kept inside the workflow tasks: no activity task of their own.
  const scheduled = (history.events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name);
  expect(scheduled).not.toEqual(expect.arrayContaining(['saveCaseProjection']));
  expect(scheduled).not.toEqual(expect.arrayContaining(['recordJournal']));
  expect(calls.filter((call) => call.name === 'saveCaseProjection').length).toBeGreaterThan(0);
  const markers = (history.events ?? []).filter(
    (event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  );
  expect(markers.length).toBeGreaterThan(0);
});
