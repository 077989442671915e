/**
 * Issue 13, defect 9 through the API: the call task the sequence creates is in the case's journal
 * (« Appel à passer (relance 2) le … », R6 "nothing missing"), and a call outcome answered 200 is
 * what the very next `GET /call-tasks` shows (read-your-writes, no polling).
 */
import { advanceUntil, eventually, openCase, setUpApiFile } from './api-harness';

const context = setUpApiFile('call-tasks-journal');

interface Task {
  id: string;
  caseId: string;
  status: string;
  outcome?: string;
  agentId?: string;
}

const tasksOf = async (caseId: string, query = 'limit=200'): Promise<Task[]> => {
  const response = await context.request('GET', `/call-tasks?${query}`, { as: 'agent' });
  expect(response.status).toBe(200);
  return (response.body.items as Task[]).filter((task) => task.caseId === caseId);
};

test('the call task of reminder 2 is journaled with its Paris due time; a no-answer closes it for the next GET /call-tasks', async () => {
  const opened = await openCase(context);
  // The standard policy's reminder 2 (J+10) asks for a call: let the case live until it has.
  await advanceUntil(context, opened.id, async () => (await tasksOf(opened.id)).length > 0, { maxWakes: 20 });
  const [task] = await tasksOf(opened.id);

  const journal = await eventually(
    () => context.request('GET', `/cases/${opened.id}/journal`, { as: 'agent' }),
    (response) => response.body.entries.some((entry: { type: string }) => entry.type === 'call_task_created'),
  );
  const created = journal.body.entries.find((entry: { type: string }) => entry.type === 'call_task_created');
  expect(created).toMatchObject({
    channel: 'phone',
    summary: expect.stringMatching(/^Appel à passer \(relance 2\) le \d\d\/\d\d\/\d{4} à \d\d:\d\d$/),
  });

  const outcome = await context.request('POST', `/cases/${opened.id}/call-outcomes`, {
    as: 'agent',
    body: { agentId: 'agent-3', outcome: 'no_answer', taskId: task!.id },
  });
  expect(outcome.status).toBe(200);
  expect(await tasksOf(opened.id)).toEqual([]);
  expect(await tasksOf(opened.id, 'status=done&agentId=agent-3')).toEqual([
    expect.objectContaining({ id: task!.id, status: 'done', outcome: 'no_answer', agentId: 'agent-3' }),
  ]);
}, 90_000);
