/**
 * Manager alerts over HTTP: GET /alerts (filters, pagination, roles) and POST /alerts/:id/acknowledge
 * (404, 409, 422, the journal), and end to end on the time-skipping server: a provider that never
 * answers leaves a reminder's outcome unknown, the alert is listed and shown on the case (search
 * attribute, Web UI line, `openAlerts`), and "send it again" makes exactly one more provider call
 * under the same idempotency key, after which the alert is no longer open.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { OutcomeUnknownError, type MessageTransport, type OutboundMessage } from '../../activities/case-activities';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { alertIdOf, alertModel } from '../../models/alert';
import { OpenAlerts } from '../../workflows/search-attributes';
import { advanceUntil as advanceCaseUntil, eventually, openCase, setUpApiFile, type ApiResponse } from './api-harness';

/** Takes every message; the answer to the first call under each armed key never comes back (the provider may have it). */
class UnansweringTransport implements MessageTransport {
  readonly simulated = false;
  readonly calls: OutboundMessage[] = [];
  private readonly unanswered = new Set<string>();
  /**
   * Arms one key only: other tests' cases of this file may send first (opening spreads them over
   * the window), and must not take the lost answer.
   */
  loseFirstAnswerTo(idempotencyKey: string): void {
    this.unanswered.add(idempotencyKey);
  }
  async send(message: OutboundMessage): Promise<{ providerMessageId: string }> {
    this.calls.push(message);
    if (this.unanswered.delete(message.idempotencyKey)) {
      throw new OutcomeUnknownError('stand-in: the connection dropped before the answer');
    }
    return { providerMessageId: `stand-in-${this.calls.length}` };
  }
  callsFor(idempotencyKey: string): number {
    return this.calls.filter((call) => call.idempotencyKey === idempotencyKey).length;
  }
}

const email = new UnansweringTransport();
const context = setUpApiFile('alerts', {
  channels: async () => ({
    transports: { email, sms: new SimulatedTransport(), letter: new SimulatedTransport() },
  }),
});

const HOUR = 3_600_000;

/**
 * Moves virtual time to each of the case's next actions (the contact rules may defer a message over
 * a weekend) until `check` passes on what `read` answers.
 */
async function advanceUntil(
  caseId: string,
  read: () => Promise<ApiResponse>,
  check: (response: ApiResponse) => boolean,
) {
  let last: ApiResponse | undefined;
  await advanceCaseUntil(context, caseId, async () => check((last = await read())), { maxWakes: 6 });
  return last!;
}

let raisedAtStep = 0;

/** An alert as the activity would write it, for a case that exists, raised `minutesAgo` before now. */
async function insertAlert(caseId: string, fields: { kind: string; creditorId?: string; minutesAgo?: number }) {
  raisedAtStep += 1;
  const key = `${caseId}:alert:test-${raisedAtStep}`;
  const now = (await context.now()).toJSDate();
  await alertModel(context.database).create({
    alertId: alertIdOf(key),
    idempotencyKey: key,
    caseId,
    creditorId: fields.creditorId ?? 'acme',
    kind: fields.kind,
    message: 'La créance sera prescrite après le 2031-01-01 : agir avant cette date',
    raisedAt: new Date(now.getTime() - (fields.minutesAgo ?? raisedAtStep) * 60_000),
    status: 'open',
  });
  return alertIdOf(key);
}

describe('GET /alerts', () => {
  test('managers only: agents and operations are refused, no key is 401', async () => {
    for (const as of ['agent', 'operations'] as const) {
      expect((await context.request('GET', '/alerts', { as })).status).toBe(403);
      const acknowledged = await context.request('POST', `/alerts/${alertIdOf('x')}/acknowledge`, {
        as,
        body: { resolution: 'noted' },
      });
      expect(acknowledged.status).toBe(403);
    }
    expect((await context.request('GET', '/alerts', { as: 'nobody' })).status).toBe(401);
  });

  test('filters by kind, status and creditor, newest first, page by page', async () => {
    const opened = await openCase(context, {}, 1);
    const creditor = `cr-${opened.id.slice(2, 10)}`;
    const ids = [];
    for (let minutesAgo = 50; minutesAgo >= 10; minutesAgo -= 10) {
      ids.push(await insertAlert(opened.id, { kind: 'prescription', creditorId: creditor, minutesAgo }));
    }
    await insertAlert(opened.id, { kind: 'handoff_refused', creditorId: creditor, minutesAgo: 5 });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/alerts?kind=prescription&creditorId=${creditor}&status=open&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await context.request('GET', query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const other = await context.request('GET', `/alerts?kind=handoff_refused&creditorId=${creditor}`);
    expect(other.body.items).toHaveLength(1);
    expect(other.body.items[0]).toMatchObject({
      caseId: opened.id,
      creditorId: creditor,
      kind: 'handoff_refused',
      status: 'open',
      raisedAt: expect.stringMatching(/\+0[12]:00$/),
    });
    const none = await context.request('GET', `/alerts?creditorId=${creditor}&status=acknowledged`);
    expect(none.body.items).toEqual([]);
  });

  test('bad filters are 400 naming the field', async () => {
    const badStatus = await context.request('GET', '/alerts?status=closed');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details[0].path).toBe('query.status');
    const badCursor = await context.request('GET', '/alerts?cursor=nonsense');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.details[0].path).toBe('query.cursor');
  });
});

describe('POST /alerts/:id/acknowledge', () => {
  test('noted once: journaled in French with the note; twice is 409; the list shows who and how', async () => {
    const opened = await openCase(context, {}, 1);
    const id = await insertAlert(opened.id, { kind: 'prescription' });

    const first = await context.request('POST', `/alerts/${id}/acknowledge`, {
      body: { resolution: 'noted', note: 'Assignation préparée avec le cabinet' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id,
      status: 'acknowledged',
      resolution: 'noted',
      note: 'Assignation préparée avec le cabinet',
      acknowledgedBy: { role: 'manager', id: expect.stringMatching(/^key:[0-9a-f]{12}$/) },
      acknowledgedAt: expect.stringMatching(/\+0[12]:00$/),
    });

    const again = await context.request('POST', `/alerts/${id}/acknowledge`, { body: { resolution: 'noted' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');

    const journal = await context.request('GET', `/cases/${opened.id}/journal`);
    const entries = journal.body.entries.filter((entry: { type: string }) => entry.type === 'alert_acknowledged');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      summary: 'Alerte « prescription (proche ou acquise) » acquittée par un gestionnaire : pris en compte',
      content: { body: 'Assignation préparée avec le cabinet' },
      actor: { role: 'manager' },
    });
    const acknowledged = await context.request('GET', `/alerts?status=acknowledged&kind=prescription`);
    expect(acknowledged.body.items.map((item: { id: string }) => item.id)).toContain(id);
  });

  test('an unknown alert is 404, a malformed id 400, a resolution that does not fit the alert 422', async () => {
    const missing = await context.request('POST', `/alerts/${alertIdOf('nowhere')}/acknowledge`, {
      body: { resolution: 'noted' },
    });
    expect(missing.status).toBe(404);

    const malformed = await context.request('POST', '/alerts/not-an-id/acknowledge', { body: { resolution: 'noted' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].path).toBe('params.id');

    const opened = await openCase(context, {}, 1);
    const id = await insertAlert(opened.id, { kind: 'prescription' });
    for (const resolution of ['send_again', 'message_left']) {
      const unfit = await context.request('POST', `/alerts/${id}/acknowledge`, { body: { resolution } });
      expect(unfit.status).toBe(422);
      expect(unfit.body.error.details).toEqual([
        { path: 'body.resolution', reason: 'must be noted for a prescription alert' },
      ]);
    }
    const unknownResolution = await context.request('POST', `/alerts/${id}/acknowledge`, {
      body: { resolution: 'ignored' },
    });
    expect(unknownResolution.status).toBe(400);
    expect(unknownResolution.body.error.details[0].path).toBe('body.resolution');
    // Refusals change nothing: the alert is still open.
    const still = await context.request('GET', `/alerts?status=open&kind=prescription`);
    expect(still.body.items.map((item: { id: string }) => item.id)).toContain(id);
  });
});

describe('an unknown message outcome, end to end', () => {
  test('listed and shown on the case; "send it again" calls the provider exactly once more, under the same key', async () => {
    const opened = await openCase(context);
    const key = `${opened.id}:reminder_1:email`;
    email.loseFirstAnswerTo(key);

    // Reminder 1 is due now; the contact rules may hold it until the next allowed slot.
    const listed = await advanceUntil(
      opened.id,
      () => context.request('GET', `/alerts?kind=message_outcome_unknown&status=open`),
      (response) => response.body.items.some((item: { caseId: string }) => item.caseId === opened.id),
    );
    const alert = listed.body.items.find((item: { caseId: string }) => item.caseId === opened.id);
    expect(alert).toMatchObject({
      id: alertIdOf(`${key}:outcome-unknown-alert`),
      kind: 'message_outcome_unknown',
      send: { idempotencyKey: key, stage: 'reminder_1', channel: 'email' },
      message: expect.stringMatching(/^relance 1 par e-mail : le prestataire l’a peut-être reçu/),
    });
    expect(email.callsFor(key)).toBe(1);

    // The case shows it: the API's Case, the Web UI's line and the search attribute.
    const shown = await eventually(
      () => context.request('GET', `/cases/${opened.id}`),
      (response) => response.body.openAlerts === 1,
    );
    expect(shown.body.openAlerts).toBe(1);
    expect(shown.body.summary).toMatch(/^⚠ 1 alerte ouverte — /);
    // Visibility follows the workflow task that saved the view: a moment later, not before.
    const handle = context.env.client.workflow.getHandle(opened.workflowId);
    const described = await eventually(
      () => handle.describe(),
      (description) => description.typedSearchAttributes.get(OpenAlerts) !== undefined,
    );
    expect(described.typedSearchAttributes.get(OpenAlerts)).toEqual(['message_outcome_unknown']);

    const resent = await context.request('POST', `/alerts/${alert.id}/acknowledge`, {
      body: { resolution: 'send_again', note: 'Absent du journal d’activité SendGrid' },
    });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ status: 'acknowledged', resolution: 'send_again' });

    // Sent once more when the contact rules allow, under the same key; the alert is no longer open.
    await advanceUntil(
      opened.id,
      () => context.request('GET', `/cases/${opened.id}/journal`),
      (response) =>
        response.body.entries.some((entry: { type: string; stage?: string; status?: string }) => {
          return entry.type === 'message' && entry.stage === 'reminder_1' && entry.status === 'sent';
        }),
    );
    expect(email.callsFor(key)).toBe(2);
    const open = await context.request('GET', `/alerts?kind=message_outcome_unknown&status=open`);
    expect(open.body.items.map((item: { id: string }) => item.id)).not.toContain(alert.id);
    const after = await eventually(
      () => context.request('GET', `/cases/${opened.id}`),
      (response) => response.body.openAlerts === 0,
    );
    expect(after.body.summary).not.toMatch(/alerte/);
    const cleared = await eventually(
      () => handle.describe(),
      (description) => description.typedSearchAttributes.get(OpenAlerts) === undefined,
    );
    expect(cleared.typedSearchAttributes.get(OpenAlerts)).toBeUndefined();

    // Nothing more under that key, later on; acknowledging again is refused.
    await context.env.sleep(24 * HOUR);
    await delay(500);
    expect(email.callsFor(key)).toBe(2);
    const twice = await context.request('POST', `/alerts/${alert.id}/acknowledge`, {
      body: { resolution: 'send_again' },
    });
    expect(twice.status).toBe(409);
    const journal = await context.request('GET', `/cases/${opened.id}/journal`);
    const acknowledged = journal.body.entries.filter((entry: { type: string }) => entry.type === 'alert_acknowledged');
    expect(acknowledged).toEqual([
      expect.objectContaining({
        summary: expect.stringMatching(/^Alerte « issue d’un envoi inconnue » acquittée .*nouvelle fois/),
        content: { body: 'Absent du journal d’activité SendGrid' },
      }),
    ]);
  }, 120_000);
});
