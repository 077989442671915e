/**
 * Issue 13, defects 6, 8 and 10, through the API and the case workflow on a time-skipping server:
 * letters dated and posted on a working day in office hours, Alsace-Moselle's holidays from the
 * debtor's postal code, the consumer default policy, and currencies refused at intake.
 *
 * The days that matter (a Good Friday, a 26 December on a weekday, a Saturday) are found from the
 * virtual clock and reached by moving it forward, so nothing depends on when the suite runs.
 */
import { DateTime } from 'luxon';
import { easterSunday, isPublicHoliday } from '../../domain/calendar';
import { caseIdFor } from '../../api/intake';
import { openingOffsetSeconds } from '../../domain/case/opening-spread';
import { caseRecordModel } from '../../models/case-record';
import { recordHistory } from '../helpers/histories';
import { advanceUntil, openCase, openCaseBody, setUpApiFile } from './api-harness';

const context = setUpApiFile('calendar-policy-currency');
const PARIS = 'Europe/Paris';

interface Entry {
  at: string;
  type: string;
  stage?: string;
  channel?: string;
  status?: string;
  summary: string;
}

async function journal(caseId: string): Promise<Entry[]> {
  const response = await context.request('GET', `/cases/${caseId}/journal`, { as: 'agent' });
  return response.body.entries as Entry[];
}

/** The entry of a message that left (simulated: no provider is configured here). */
async function sentMessage(caseId: string, stage: string, channel: string): Promise<Entry | undefined> {
  return (await journal(caseId)).find(
    (entry) =>
      entry.type === 'message' && entry.stage === stage && entry.channel === channel && entry.status !== 'deferred',
  );
}

/** Moves the virtual clock forward to `target` (Paris time); the cases already open live through it. */
async function moveClockTo(target: DateTime): Promise<void> {
  const wait = target.toMillis() - (await context.env.currentTimeMs());
  if (wait <= 0) throw new Error(`the clock is already past ${target.toISO()}`);
  await context.env.sleep(wait);
}

const paris = (at: string) => DateTime.fromISO(at, { zone: PARIS });

/** `day` at the window opening `HH:mm` plus the case's offset (issue 14), to the minute, as `yyyy-MM-dd HH:mm`. */
const afterOpening = (caseId: string, day: DateTime, opening: string): string => {
  const [hour, minute] = opening.split(':').map(Number);
  return day
    .set({ hour, minute, second: 0, millisecond: 0 })
    .plus({ seconds: openingOffsetSeconds(caseId) })
    .toFormat('yyyy-MM-dd HH:mm');
};

describe('defect 10 — only active ISO 4217 currencies the product states amounts in', () => {
  test.each([
    ['ZZZ', /ZZZ is not an active ISO 4217 currency code/],
    ['USD', /USD is not collected: amounts are stated only in EUR/],
    ['eur', /three capital letters/],
  ])('claim.currency %s → 400 naming body.claim.currency with the reason; nothing created', async (code, reason) => {
    const body = openCaseBody(await context.now(), {}, 1);
    body.claim.currency = code;
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details).toEqual([
      { path: 'body.claim.currency', reason: expect.stringMatching(reason) },
    ]);
    expect(await caseRecordModel(context.database).countDocuments({ reference: body.reference })).toBe(0);
  });

  test('EUR, and no currency at all (EUR by default), open the case', async () => {
    const body = openCaseBody(await context.now(), {}, 1);
    const { currency: _currency, ...claim } = body.claim;
    const response = await context.request('POST', '/cases', { as: 'operations', body: { ...body, claim } });
    expect(response.status).toBe(201);
    expect(response.body.amounts.currency).toBe('EUR');
  });
});

describe('defect 8b — the default policy follows the debtor kind; an explicit policy wins', () => {
  const consumer = {
    kind: 'consumer',
    name: 'Jeanne Martin',
    email: 'jeanne@example.fr',
    address: '5 avenue Foch, 69006 Lyon',
  };

  test('a consumer case opened without a policy follows the consumer policy: first reminder at J+5, not J+3', async () => {
    const today = await context.now();
    const body = openCaseBody(today, { debtor: consumer }, 1);
    delete (body as Partial<typeof body>).policy;
    const response = await context.request('POST', '/cases', { as: 'operations', body });
    expect(response.status).toBe(201);
    expect(response.body.policy).toBe('consumer');
    const dueDate = today.minus({ days: 1 }).toISODate()!;
    expect(response.body.nextAction.type).toBe('reminder_1');
    expect(DateTime.fromISO(response.body.nextAction.at, { zone: PARIS }).toISODate()).toBe(
      DateTime.fromISO(dueDate, { zone: PARIS }).plus({ days: 5 }).toISODate(),
    );
    // Naming the default explicitly is the same request: idempotent, not a conflict.
    const again = await context.request('POST', '/cases', { as: 'operations', body: { ...body, policy: 'consumer' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(caseIdFor('acme', body.reference));
  });

  test('a business case opened without a policy follows standard; a consumer named standard keeps it', async () => {
    const business = openCaseBody(await context.now(), {}, 1);
    delete (business as Partial<typeof business>).policy;
    const opened = await context.request('POST', '/cases', { as: 'operations', body: business });
    expect(opened.status).toBe(201);
    expect(opened.body.policy).toBe('standard');

    const explicit = await openCase(context, { debtor: consumer, policy: 'standard' }, 1);
    expect(explicit.policy).toBe('standard');
  });
});

describe('defect 8a — Alsace-Moselle public holidays from the debtor postal code', () => {
  const strasbourg = {
    kind: 'business',
    name: 'Müller SARL',
    email: 'compta@muller.example',
    address: '2 rue du Dôme, 67000 Strasbourg',
  };
  const lyon = { ...strasbourg, name: 'Dupont SARL', address: '5 avenue Foch, 69006 Lyon' };

  /** Opens both cases at `openAt`, due the day before, so that the first reminder (J+3) falls on `holiday`. */
  async function reminderOnHoliday(holiday: DateTime) {
    await moveClockTo(holiday.minus({ days: 2 }).set({ hour: 10, minute: 30 }));
    const inStrasbourg = await openCase(context, { debtor: strasbourg }, 1);
    const inLyon = await openCase(context, { debtor: lyon }, 1);
    await advanceUntil(context, inStrasbourg.id, async () =>
      Boolean(await sentMessage(inStrasbourg.id, 'reminder_1', 'email')),
    );
    await advanceUntil(context, inLyon.id, async () => Boolean(await sentMessage(inLyon.id, 'reminder_1', 'email')));
    return {
      strasbourg: (await sentMessage(inStrasbourg.id, 'reminder_1', 'email'))!,
      lyon: (await sentMessage(inLyon.id, 'reminder_1', 'email'))!,
      strasbourgJournal: await journal(inStrasbourg.id),
      strasbourgCase: inStrasbourg,
    };
  }

  test('no message on Good Friday in 67000 Strasbourg; Lyon gets it that day', async () => {
    const now = await context.now();
    let year = now.year;
    let goodFriday = paris(easterSunday(year)).minus({ days: 2 });
    while (goodFriday.minus({ days: 3 }) <= now) goodFriday = paris(easterSunday(++year)).minus({ days: 2 });

    const { strasbourg, lyon, strasbourgJournal, strasbourgCase } = await reminderOnHoliday(goodFriday);
    expect(paris(lyon.at).toISODate()).toBe(goodFriday.toISODate());
    // Friday holiday, the weekend, Easter Monday: Tuesday at 10:00, plus the case's offset.
    expect(paris(strasbourg.at).toFormat('yyyy-MM-dd HH:mm')).toBe(
      afterOpening(strasbourgCase.id, goodFriday.plus({ days: 4 }), '10:00'),
    );
    expect(
      strasbourgJournal.some((entry) => entry.type === 'message_deferred' && /jour férié/.test(entry.summary)),
    ).toBe(true);
    await recordHistory(
      context.env.client.workflow.getHandle(strasbourgCase.workflowId),
      'collection-case',
      'alsace-moselle-good-friday-deferred',
    );
  });

  test('no message on 26 December in 67000 Strasbourg; Lyon gets it that day', async () => {
    const now = await context.now();
    let year = now.year;
    const saintStephen = (y: number) => paris(`${y}-12-26`);
    // A 26 December on a weekday: otherwise both calendars skip it anyway.
    while (saintStephen(year).weekday > 5 || saintStephen(year).minus({ days: 3 }) <= now) year += 1;
    const day = saintStephen(year);

    const { strasbourg, lyon, strasbourgCase } = await reminderOnHoliday(day);
    expect(paris(lyon.at).toISODate()).toBe(day.toISODate());
    const next = [1, 2, 3, 4, 5].map((days) => day.plus({ days })).find((candidate) => candidate.weekday <= 5)!;
    expect(paris(strasbourg.at).toFormat('yyyy-MM-dd HH:mm')).toBe(afterOpening(strasbourgCase.id, next, '10:00'));
  });
});

describe('defect 6 — a letter is dated and posted on a working day, in office hours', () => {
  test('a mise en demeure due on a Saturday is dated and posted on Monday at 09:00; its deadline runs from Monday', async () => {
    // A Saturday whose three preceding weeks and following Monday hold no public holiday, so that
    // every earlier step goes on its day and the notice falls due on the Saturday itself.
    let saturday = (await context.now()).startOf('day').plus({ days: 30 });
    while (
      saturday.weekday !== 6 ||
      Array.from({ length: 24 }, (_, i) => saturday.minus({ days: 21 }).plus({ days: i })).some((day) =>
        isPublicHoliday(day.toISODate()!),
      )
    ) {
      saturday = saturday.plus({ days: 1 });
    }
    const monday = saturday.plus({ days: 2 });
    // Due 20 days before the Saturday: the standard policy's mise en demeure is at J+20.
    await moveClockTo(saturday.minus({ days: 19 }).set({ hour: 10, minute: 30 }));
    const opened = await openCase(context, {}, 1);

    await advanceUntil(
      context,
      opened.id,
      async () => Boolean(await sentMessage(opened.id, 'formal_notice', 'letter')),
      {
        maxWakes: 30,
        timeoutMs: 60_000,
      },
    );
    const entries = await journal(opened.id);
    const letter = (await sentMessage(opened.id, 'formal_notice', 'letter'))!;
    // Monday's 09:00 opening for letters, plus the case's offset (issue 14).
    const posted = afterOpening(opened.id, monday, '09:00');
    expect(paris(letter.at).toFormat('yyyy-MM-dd HH:mm')).toBe(posted);
    expect(
      entries.some(
        (entry) =>
          entry.type === 'message_deferred' && entry.stage === 'formal_notice' && /week-end/.test(entry.summary),
      ),
    ).toBe(true);

    // The letter is dated the day it is handed over: the document kept is of that Monday.
    const documents = await context.request('GET', `/cases/${opened.id}/documents`, { as: 'agent' });
    const notice = documents.body.items.find((document: { kind: string }) => document.kind === 'formal_notice');
    expect(notice.filename).toContain(monday.toISODate());
    expect(paris(notice.createdAt).toFormat('yyyy-MM-dd HH:mm')).toBe(posted);

    // R5: 8 days from receipt, assumed 3 days after Monday's posting; the handoff waits for the day after.
    const read = await context.request('GET', `/cases/${opened.id}`, { as: 'agent' });
    expect(read.body.nextAction.type).toBe('handoff');
    expect(paris(read.body.nextAction.at).toISODate()).toBe(monday.plus({ days: 3 + 8 + 1 }).toISODate());
    await recordHistory(
      context.env.client.workflow.getHandle(opened.workflowId),
      'collection-case',
      'letter-dated-on-a-working-day',
    );
  });
});
