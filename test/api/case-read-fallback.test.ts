/**
 * `GET /cases/:id` when no worker can answer the workflow's query (issue 12, the fault-injection run):
 * the worker that ran the case is gone, and the query waits on its sticky queue, which the
 * time-skipping server never hands to another worker. The API answers the case's stored state,
 * says so in `X-Case-State`, and never a 503 for a case the database knows.
 */
import { openCase, setUpApiFile } from './api-harness';

const context = setUpApiFile('case-read-fallback', {
  timeouts: { temporalTimeoutMs: 4_000, liveReadTimeoutMs: 1_000 },
});

test('with no worker to answer, GET /cases/:id answers the stored state and says so, never a 503', async () => {
  // Due yesterday: the first reminder is two days away, so nothing changes while the worker stops.
  const { id } = await openCase(context, {}, 1);
  const live = await context.request('GET', `/cases/${id}`, { as: 'agent' });
  expect(live.status).toBe(200);
  expect(live.headers.get('x-case-state')).toBe('live');

  await context.stopWorker();

  const started = Date.now();
  const stored = await context.request('GET', `/cases/${id}`, { as: 'agent' });
  expect({ status: stored.status, state: stored.headers.get('x-case-state') }).toEqual({
    status: 200,
    state: 'stored',
  });
  // The state the workflow last stored is the one it answered a moment ago.
  expect(stored.body).toEqual(live.body);
  // Within the live read's wait (1 s here), not the 4 s an action may take.
  expect(Date.now() - started).toBeLessThan(3_500);
});
