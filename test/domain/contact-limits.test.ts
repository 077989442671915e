import fc from 'fast-check';
import { DateTime } from 'luxon';
import { isPublicHoliday } from '../../domain/calendar';
import {
  DEFAULT_CONTACT_RULES,
  InvalidContactRulesError,
  NO_RESTRICTIONS,
  contactRulesSchema,
  isContactAllowed,
  nextAllowedContact,
  parseContactRules,
  type ChannelRestrictions,
  type ContactRecord,
  type ContactRules,
  type DeferralReason,
  type NextContact,
} from '../../domain/contact-limits';
import { CHANNELS, type Channel } from '../../domain/types';

const HARASSMENT = 'R4 Code pénal 222-33-2-2';
const HOURS = 'R4 default contact hours';
const CHANNELS_CLOSED = 'R4 channel restrictions';

/** A wall-clock time in Paris, e.g. `paris('2025-06-14T15:00')`. Built with luxon, not with the code under test. */
function paris(local: string): Date {
  const dateTime = DateTime.fromISO(local, { zone: 'Europe/Paris' });
  if (!dateTime.isValid) throw new Error(`bad test date ${local}`);
  return dateTime.toJSDate();
}

const ALSACE_MOSELLE: ContactRules = { ...DEFAULT_CONTACT_RULES, alsaceMoselle: true };
const LETTERS = 'R4 letters dated and posted on working days';

/** The rules of cases opened before the compliance review (issue 13): letters at any hour. */
function withoutLetterHours(rules: ContactRules): ContactRules {
  const { letters: _letters, ...rest } = rules;
  return rest;
}
const LETTERS_AT_ANY_HOUR = withoutLetterHours(DEFAULT_CONTACT_RULES);

function next(channel: Channel, notBefore: Date, history: ContactRecord[] = [], rules?: ContactRules): NextContact {
  return nextAllowedContact(channel, notBefore, history, NO_RESTRICTIONS, rules);
}

function deferredTo(at: Date, reasons: DeferralReason[]): NextContact {
  return { kind: 'allowed', at, deferred: true, reasons };
}

function notDeferred(at: Date): NextContact {
  return { kind: 'allowed', at, deferred: false };
}

describe('contact days and hours', () => {
  test(`${HOURS} — Saturday → Monday 10:00`, () => {
    expect(next('email', paris('2025-06-14T15:00'))).toEqual(deferredTo(paris('2025-06-16T10:00'), ['weekend']));
  });

  test(`${HOURS} — Sunday early morning → Monday 10:00, the weekend is the only reason`, () => {
    expect(next('sms', paris('2025-06-15T07:00'))).toEqual(deferredTo(paris('2025-06-16T10:00'), ['weekend']));
  });

  test(`${HOURS} — 13:30 → 14:00 the same day`, () => {
    expect(next('email', paris('2025-06-16T13:30'))).toEqual(deferredTo(paris('2025-06-16T14:00'), ['outside_hours']));
  });

  test(`${HOURS} — 13:00 is outside (window ends are exclusive), 12:59 is inside`, () => {
    expect(next('call', paris('2025-06-16T13:00'))).toEqual(deferredTo(paris('2025-06-16T14:00'), ['outside_hours']));
    expect(next('call', paris('2025-06-16T12:59:59.999'))).toEqual(notDeferred(paris('2025-06-16T12:59:59.999')));
  });

  test(`${HOURS} — 9:59 waits for 10:00; 10:00 and 14:00 themselves are allowed`, () => {
    expect(next('sms', paris('2025-06-16T09:59'))).toEqual(deferredTo(paris('2025-06-16T10:00'), ['outside_hours']));
    expect(next('sms', paris('2025-06-16T10:00'))).toEqual(notDeferred(paris('2025-06-16T10:00')));
    expect(next('sms', paris('2025-06-16T14:00'))).toEqual(notDeferred(paris('2025-06-16T14:00')));
  });

  test(`${HOURS} — 20:00 → next business day 10:00`, () => {
    expect(next('email', paris('2025-06-17T20:00'))).toEqual(deferredTo(paris('2025-06-18T10:00'), ['outside_hours']));
  });

  test(`${HOURS} — Friday 19:59 is allowed`, () => {
    expect(next('email', paris('2025-06-20T19:59'))).toEqual(notDeferred(paris('2025-06-20T19:59')));
  });

  test(`${HOURS} — Friday 20:00 → Monday 10:00, past the hours then the weekend`, () => {
    expect(next('call', paris('2025-06-20T20:00'))).toEqual(
      deferredTo(paris('2025-06-23T10:00'), ['weekend', 'outside_hours']),
    );
  });

  test(`${HOURS} — 24 December 20:30 → 26 December 10:00, since 25 December is a holiday`, () => {
    expect(next('email', paris('2025-12-24T20:30'))).toEqual(
      deferredTo(paris('2025-12-26T10:00'), ['public_holiday', 'outside_hours']),
    );
  });

  test(`${HOURS} — in Alsace-Moselle 26 December is a holiday too: → Monday 29 December`, () => {
    expect(next('email', paris('2025-12-24T20:30'), [], ALSACE_MOSELLE)).toEqual(
      deferredTo(paris('2025-12-29T10:00'), ['weekend', 'public_holiday', 'outside_hours']),
    );
  });

  test(`${HOURS} — Easter Monday is skipped: Saturday before Easter → Tuesday 10:00`, () => {
    expect(next('sms', paris('2026-04-04T11:00'))).toEqual(
      deferredTo(paris('2026-04-07T10:00'), ['weekend', 'public_holiday']),
    );
    expect(next('sms', paris('2026-04-06T11:00'))).toEqual(deferredTo(paris('2026-04-07T10:00'), ['public_holiday']));
  });

  test(`${HOURS} — 14 July → 15 July 10:00`, () => {
    expect(next('call', paris('2026-07-14T15:00'))).toEqual(deferredTo(paris('2026-07-15T10:00'), ['public_holiday']));
  });

  test(`${HOURS} — Ascension Thursday and Whit Monday are skipped`, () => {
    expect(next('email', paris('2026-05-14T10:30'))).toEqual(deferredTo(paris('2026-05-15T10:00'), ['public_holiday']));
    expect(next('email', paris('2026-05-23T10:30'))).toEqual(
      deferredTo(paris('2026-05-26T10:00'), ['weekend', 'public_holiday']),
    );
  });

  test(`${HOURS} — Good Friday is a working day except in Alsace-Moselle`, () => {
    expect(next('email', paris('2026-04-03T11:00'))).toEqual(notDeferred(paris('2026-04-03T11:00')));
    expect(next('email', paris('2026-04-03T11:00'), [], ALSACE_MOSELLE)).toEqual(
      deferredTo(paris('2026-04-07T10:00'), ['weekend', 'public_holiday']),
    );
  });

  test(`${HOURS} — rules without letter hours (cases opened before issue 13): a letter goes at any hour`, () => {
    expect(next('letter', paris('2025-06-15T23:00'), [], LETTERS_AT_ANY_HOUR)).toEqual(
      notDeferred(paris('2025-06-15T23:00')),
    );
    expect(next('letter', paris('2025-12-25T03:00'), [], LETTERS_AT_ANY_HOUR)).toEqual(
      notDeferred(paris('2025-12-25T03:00')),
    );
  });
});

describe('letters: dated and handed to the post on a working day, in office hours', () => {
  test(`${LETTERS} — the defaults are Monday to Friday, 09:00–17:00 Paris`, () => {
    expect(DEFAULT_CONTACT_RULES.letters).toEqual({
      weekdays: [1, 2, 3, 4, 5],
      windows: [{ start: '09:00', end: '17:00' }],
    });
  });

  test(`${LETTERS} — due on a Saturday at midnight → Monday 09:00`, () => {
    expect(next('letter', paris('2026-12-05T00:00'))).toEqual(deferredTo(paris('2026-12-07T09:00'), ['weekend']));
  });

  test(`${LETTERS} — Sunday 23:00 → Monday 09:00, earlier than an e-mail would go`, () => {
    expect(next('letter', paris('2025-06-15T23:00'))).toEqual(deferredTo(paris('2025-06-16T09:00'), ['weekend']));
    expect(next('email', paris('2025-06-15T23:00'))).toEqual(deferredTo(paris('2025-06-16T10:00'), ['weekend']));
  });

  test(`${LETTERS} — 09:00 is inside, 17:00 is outside (the end is exclusive), and the lunch hour is open`, () => {
    expect(next('letter', paris('2025-06-16T09:00'))).toEqual(notDeferred(paris('2025-06-16T09:00')));
    expect(next('letter', paris('2025-06-16T13:30'))).toEqual(notDeferred(paris('2025-06-16T13:30')));
    expect(next('letter', paris('2025-06-16T16:59:59.999'))).toEqual(notDeferred(paris('2025-06-16T16:59:59.999')));
    expect(next('letter', paris('2025-06-16T17:00'))).toEqual(deferredTo(paris('2025-06-17T09:00'), ['outside_hours']));
    expect(next('letter', paris('2025-06-16T08:59'))).toEqual(deferredTo(paris('2025-06-16T09:00'), ['outside_hours']));
  });

  test(`${LETTERS} — a Friday evening → Monday 09:00; 25 December → 26 December`, () => {
    expect(next('letter', paris('2025-06-13T18:00'))).toEqual(
      deferredTo(paris('2025-06-16T09:00'), ['weekend', 'outside_hours']),
    );
    expect(next('letter', paris('2025-12-25T03:00'))).toEqual(
      deferredTo(paris('2025-12-26T09:00'), ['public_holiday']),
    );
  });

  test(`${LETTERS} — in Alsace-Moselle, 26 December and Good Friday are not working days either`, () => {
    expect(next('letter', paris('2025-12-25T03:00'), [], ALSACE_MOSELLE)).toEqual(
      deferredTo(paris('2025-12-29T09:00'), ['weekend', 'public_holiday']),
    );
    expect(next('letter', paris('2026-04-03T10:00'), [], ALSACE_MOSELLE)).toEqual(
      deferredTo(paris('2026-04-07T09:00'), ['weekend', 'public_holiday']),
    );
    expect(next('letter', paris('2026-04-03T10:00'))).toEqual(notDeferred(paris('2026-04-03T10:00')));
  });

  test(`${LETTERS} — public holidays stay closed to letters even when contact rules switch them off`, () => {
    const rules: ContactRules = { ...DEFAULT_CONTACT_RULES, avoidPublicHolidays: false };
    expect(next('email', paris('2026-07-14T11:00'), [], rules)).toEqual(notDeferred(paris('2026-07-14T11:00')));
    expect(next('letter', paris('2026-07-14T11:00'), [], rules)).toEqual(
      deferredTo(paris('2026-07-15T09:00'), ['public_holiday']),
    );
  });

  test(`${LETTERS} — the automated cap still counts letters, and its end is moved into office hours`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-12T18:30'), channel: 'email' },
      { at: paris('2025-06-13T10:05'), channel: 'sms' },
    ];
    // The cap frees at Thursday 19 June 18:30, after office hours: Friday 09:00.
    expect(next('letter', paris('2025-06-15T23:00'), history)).toEqual(
      deferredTo(paris('2025-06-20T09:00'), ['weekend', 'outside_hours', 'automated_cap']),
    );
  });

  test(`${LETTERS} — letter hours are data: validated, and only working days are accepted`, () => {
    expect(() =>
      parseContactRules({
        ...DEFAULT_CONTACT_RULES,
        letters: { weekdays: [6], windows: [{ start: '09:00', end: '12:00' }] },
      }),
    ).toThrow(/letters\.weekdays: letters are dated and posted on working days/);
    expect(() =>
      parseContactRules({
        ...DEFAULT_CONTACT_RULES,
        letters: { weekdays: [1], windows: [{ start: '12:00', end: '09:00' }] },
      }),
    ).toThrow(/letters\.windows\.0\.end: a window must start before it ends/);
    const custom = parseContactRules({
      ...DEFAULT_CONTACT_RULES,
      letters: { weekdays: [2], windows: [{ start: '08:00', end: '12:00' }] },
    });
    expect(next('letter', paris('2025-06-16T10:00'), [], custom)).toEqual(
      deferredTo(paris('2025-06-17T08:00'), ['weekend']),
    );
    expect(parseContactRules(LETTERS_AT_ANY_HOUR).letters).toBeUndefined();
  });
});

describe('daylight-saving changes (hours are Paris wall-clock hours)', () => {
  test(`${HOURS} — Sunday 30 March 2025 (clocks go forward) → Monday 10:00 CEST = 08:00 UTC`, () => {
    expect(next('email', new Date('2025-03-30T10:00:00Z'))).toEqual(
      deferredTo(new Date('2025-03-31T08:00:00Z'), ['weekend']),
    );
  });

  test(`${HOURS} — Saturday 25 October 2025 (clocks go back on Sunday) → Monday 10:00 CET = 09:00 UTC`, () => {
    expect(next('email', new Date('2025-10-25T19:00:00Z'))).toEqual(
      deferredTo(new Date('2025-10-27T09:00:00Z'), ['weekend']),
    );
  });

  test(`${HOURS} — 20:00 is the same wall-clock limit in winter and in summer`, () => {
    // Friday 28 March 2025 is CET (UTC+1), Monday 31 March is CEST (UTC+2).
    expect(isContactAllowed('sms', new Date('2025-03-28T18:59:00Z'), [], NO_RESTRICTIONS)).toEqual({ allowed: true });
    expect(isContactAllowed('sms', new Date('2025-03-28T19:00:00Z'), [], NO_RESTRICTIONS)).toEqual({
      allowed: false,
      reasons: ['outside_hours'],
    });
    expect(isContactAllowed('sms', new Date('2025-03-31T17:59:00Z'), [], NO_RESTRICTIONS)).toEqual({ allowed: true });
    expect(isContactAllowed('sms', new Date('2025-03-31T18:00:00Z'), [], NO_RESTRICTIONS)).toEqual({
      allowed: false,
      reasons: ['outside_hours'],
    });
  });

  test(`${HOURS} — a window at 02:00–03:00 does not exist the night clocks go forward`, () => {
    const nightWindow: ContactRules = {
      ...DEFAULT_CONTACT_RULES,
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      avoidPublicHolidays: false,
      windows: [{ start: '02:00', end: '03:00' }],
    };
    // 01:30 CET on Sunday 30 March 2025: the next 02:00 on the wall clock is on Monday, in CEST.
    expect(next('sms', new Date('2025-03-30T00:30:00Z'), [], nightWindow)).toEqual(
      deferredTo(new Date('2025-03-31T00:00:00Z'), ['outside_hours']),
    );
    // 01:30 CEST on Sunday 26 October 2025: 02:00 comes twice, the first one counts.
    expect(next('sms', new Date('2025-10-25T23:30:00Z'), [], nightWindow)).toEqual(
      deferredTo(new Date('2025-10-26T00:00:00Z'), ['outside_hours']),
    );
    // …and the repeated hour is inside the window as well.
    expect(isContactAllowed('sms', new Date('2025-10-26T01:30:00Z'), [], NO_RESTRICTIONS, nightWindow)).toEqual({
      allowed: true,
    });
  });

  test(`${HARASSMENT} — the 7-day cap counts calendar days across the spring change (167 hours)`, () => {
    const history: ContactRecord[] = [
      { at: new Date('2025-03-24T09:00:00Z'), channel: 'email' }, // Monday 10:00 CET
      { at: new Date('2025-03-25T09:00:00Z'), channel: 'email' },
    ];
    expect(next('email', paris('2025-03-26T11:00'), history)).toEqual(
      deferredTo(new Date('2025-03-31T08:00:00Z'), ['automated_cap']), // Monday 10:00 CEST
    );
  });

  test(`${HARASSMENT} — the 7-day cap counts calendar days across the autumn change (169 hours)`, () => {
    const history: ContactRecord[] = [
      { at: new Date('2025-10-20T08:00:00Z'), channel: 'sms' }, // Monday 10:00 CEST
      { at: new Date('2025-10-21T08:00:00Z'), channel: 'email' },
    ];
    expect(next('email', paris('2025-10-22T11:00'), history)).toEqual(
      deferredTo(new Date('2025-10-27T09:00:00Z'), ['automated_cap']), // Monday 10:00 CET
    );
  });
});

describe('frequency caps', () => {
  test(`${HARASSMENT} — two emails on Monday and Tuesday: the third waits for next Monday, same time`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-16T11:15'), channel: 'email' },
      { at: paris('2025-06-17T16:40'), channel: 'email' },
    ];
    expect(next('email', paris('2025-06-18T10:00'), history)).toEqual(
      deferredTo(paris('2025-06-23T11:15'), ['automated_cap']),
    );
  });

  test(`${HARASSMENT} — when the oldest contact leaves outside the hours, the next window start`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-16T13:30'), channel: 'letter' },
      { at: paris('2025-06-17T10:00'), channel: 'sms' },
    ];
    expect(next('email', paris('2025-06-18T10:00'), history)).toEqual(
      deferredTo(paris('2025-06-23T14:00'), ['outside_hours', 'automated_cap']),
    );
  });

  test(`${HARASSMENT} — email, SMS and letters share the automated cap`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-16T11:00'), channel: 'letter' },
      { at: paris('2025-06-17T11:00'), channel: 'sms' },
    ];
    expect(isContactAllowed('email', paris('2025-06-18T11:00'), history, NO_RESTRICTIONS)).toEqual({
      allowed: false,
      reasons: ['automated_cap'],
    });
    expect(isContactAllowed('letter', paris('2025-06-18T11:00'), history, NO_RESTRICTIONS)).toEqual({
      allowed: false,
      reasons: ['automated_cap'],
    });
  });

  test(`${HARASSMENT} — the cap is reached at the exact instant a contact was made, and freed exactly 7 days later`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-16T10:00'), channel: 'letter' },
      { at: paris('2025-06-17T10:00'), channel: 'letter' },
    ];
    expect(isContactAllowed('letter', paris('2025-06-17T10:00'), history, NO_RESTRICTIONS)).toMatchObject({
      allowed: false,
    });
    expect(isContactAllowed('letter', paris('2025-06-23T09:59:59.999'), history, NO_RESTRICTIONS)).toEqual({
      allowed: false,
      reasons: ['automated_cap'],
    });
    expect(isContactAllowed('letter', paris('2025-06-23T10:00'), history, NO_RESTRICTIONS)).toEqual({
      allowed: true,
    });
  });

  test(`${HARASSMENT} — one automated contact in the week leaves room for a second`, () => {
    const history: ContactRecord[] = [{ at: paris('2025-06-16T11:00'), channel: 'email' }];
    expect(next('email', paris('2025-06-17T11:00'), history)).toEqual(notDeferred(paris('2025-06-17T11:00')));
  });

  test(`${HARASSMENT} — a history already over the cap waits until enough contacts have left`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-16T10:00'), channel: 'email' },
      { at: paris('2025-06-17T10:30'), channel: 'email' },
      { at: paris('2025-06-18T11:00'), channel: 'email' },
    ];
    expect(next('email', paris('2025-06-19T11:00'), history)).toEqual(
      deferredTo(paris('2025-06-24T10:30'), ['automated_cap']),
    );
  });

  test(`${HARASSMENT} — 4 calls in 30 days: the 5th waits until the first is 30 days old`, () => {
    const calls: ContactRecord[] = [
      { at: paris('2025-06-02T10:15'), channel: 'call' },
      { at: paris('2025-06-05T11:00'), channel: 'call' },
      { at: paris('2025-06-10T15:00'), channel: 'call' },
      { at: paris('2025-06-12T16:00'), channel: 'call' },
    ];
    expect(next('call', paris('2025-06-20T11:00'), calls)).toEqual(deferredTo(paris('2025-07-02T10:15'), ['call_cap']));
    expect(next('call', paris('2025-06-20T11:00'), calls.slice(0, 3))).toEqual(notDeferred(paris('2025-06-20T11:00')));
  });

  test(`${HARASSMENT} — calls and automated contacts have separate caps`, () => {
    const twoEmails: ContactRecord[] = [
      { at: paris('2025-06-16T11:00'), channel: 'email' },
      { at: paris('2025-06-17T11:00'), channel: 'email' },
    ];
    expect(next('call', paris('2025-06-18T11:00'), twoEmails)).toEqual(notDeferred(paris('2025-06-18T11:00')));
    const fourCalls = ['12', '13', '16', '17'].map((day): ContactRecord => ({
      at: paris(`2025-06-${day}T11:00`),
      channel: 'call',
    }));
    expect(next('sms', paris('2025-06-18T11:00'), fourCalls)).toEqual(notDeferred(paris('2025-06-18T11:00')));
  });

  test(`${HARASSMENT} — without letter hours, a letter at 23:00 on a Sunday waits only for the cap, at any hour`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-12T18:30'), channel: 'email' },
      { at: paris('2025-06-13T10:05'), channel: 'sms' },
    ];
    expect(next('letter', paris('2025-06-15T23:00'), history, LETTERS_AT_ANY_HOUR)).toEqual(
      deferredTo(paris('2025-06-19T18:30'), ['automated_cap']),
    );
  });

  test(`${HARASSMENT} — contacts after the instant judged are ignored: only the past counts`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-16T10:00'), channel: 'email' },
      { at: paris('2025-06-17T15:00'), channel: 'email' },
      { at: paris('2025-06-18T15:00'), channel: 'email' },
    ];
    expect(isContactAllowed('email', paris('2025-06-17T11:00'), history, NO_RESTRICTIONS)).toEqual({ allowed: true });
    expect(isContactAllowed('email', paris('2025-06-17T15:30'), history, NO_RESTRICTIONS)).toMatchObject({
      allowed: false,
    });
  });

  test(`${HARASSMENT} — a wait for the cap can end on a closed day: then the next opening`, () => {
    // Both leave on Saturday 21 June; the next opening is Monday 23 June 10:00.
    const history: ContactRecord[] = [
      { at: paris('2025-06-14T09:00'), channel: 'letter' },
      { at: paris('2025-06-14T12:00'), channel: 'letter' },
    ];
    expect(next('sms', paris('2025-06-20T12:00'), history)).toEqual(
      deferredTo(paris('2025-06-23T10:00'), ['weekend', 'automated_cap']),
    );
  });
});

describe('closed channels', () => {
  const optedOutOfSms: ChannelRestrictions = { optedOut: ['sms'], writtenOnly: false };
  const writtenOnly: ChannelRestrictions = { optedOut: [], writtenOnly: true };

  test(`${CHANNELS_CLOSED} — an SMS STOP blocks SMS and nothing else`, () => {
    const at = paris('2025-06-16T11:00');
    expect(nextAllowedContact('sms', at, [], optedOutOfSms)).toEqual({ kind: 'blocked', reason: 'opted_out' });
    expect(isContactAllowed('sms', at, [], optedOutOfSms)).toEqual({ allowed: false, reasons: ['opted_out'] });
    expect(nextAllowedContact('email', at, [], optedOutOfSms)).toEqual(notDeferred(at));
    expect(nextAllowedContact('call', at, [], optedOutOfSms)).toEqual(notDeferred(at));
  });

  test(`${CHANNELS_CLOSED} — written contact only blocks calls, not letters, emails or SMS`, () => {
    const at = paris('2025-06-16T11:00');
    expect(nextAllowedContact('call', at, [], writtenOnly)).toEqual({ kind: 'blocked', reason: 'written_only' });
    expect(isContactAllowed('call', at, [], writtenOnly)).toEqual({ allowed: false, reasons: ['written_only'] });
    for (const channel of ['letter', 'email', 'sms'] as const) {
      expect(nextAllowedContact(channel, at, [], writtenOnly)).toEqual(notDeferred(at));
    }
  });

  test(`${CHANNELS_CLOSED} — a blocked channel is blocked at any time, even when the hour would be wrong too`, () => {
    expect(
      nextAllowedContact('email', paris('2025-06-14T23:00'), [], { optedOut: ['email'], writtenOnly: false }),
    ).toEqual({ kind: 'blocked', reason: 'opted_out' });
  });
});

describe('isContactAllowed', () => {
  test(`${HOURS} — a closed day is the reason, whatever its hour`, () => {
    expect(isContactAllowed('email', paris('2025-06-14T08:00'), [], NO_RESTRICTIONS)).toEqual({
      allowed: false,
      reasons: ['weekend'],
    });
    expect(isContactAllowed('email', paris('2026-11-01T11:00'), [], NO_RESTRICTIONS)).toEqual({
      allowed: false,
      reasons: ['weekend', 'public_holiday'], // Toussaint 2026 is a Sunday
    });
  });

  test(`${HARASSMENT} — hours and cap reported together`, () => {
    const history: ContactRecord[] = [
      { at: paris('2025-06-16T11:00'), channel: 'email' },
      { at: paris('2025-06-17T11:00'), channel: 'email' },
    ];
    expect(isContactAllowed('sms', paris('2025-06-18T08:00'), history, NO_RESTRICTIONS)).toEqual({
      allowed: false,
      reasons: ['outside_hours', 'automated_cap'],
    });
  });

  test('refuses invalid instants instead of answering about them', () => {
    expect(() => isContactAllowed('email', new Date(Number.NaN), [], NO_RESTRICTIONS)).toThrow(RangeError);
    expect(() => next('email', paris('2025-06-16T11:00'), [{ at: new Date('nope'), channel: 'sms' }])).toThrow(
      /history\[0\]\.at/,
    );
  });
});

describe('contact rules are data', () => {
  const saturdayMornings: ContactRules = {
    ...DEFAULT_CONTACT_RULES,
    weekdays: [1, 2, 3, 4, 5, 6],
    windows: [{ start: '09:00', end: '12:00' }],
  };

  test('custom days and windows are honoured', () => {
    expect(next('email', paris('2025-06-14T09:30'), [], saturdayMornings)).toEqual(
      notDeferred(paris('2025-06-14T09:30')),
    );
    expect(next('email', paris('2025-06-14T12:00'), [], saturdayMornings)).toEqual(
      deferredTo(paris('2025-06-16T09:00'), ['weekend', 'outside_hours']),
    );
  });

  test('holidays can be switched off', () => {
    const rules: ContactRules = { ...DEFAULT_CONTACT_RULES, avoidPublicHolidays: false };
    expect(next('email', paris('2026-07-14T11:00'), [], rules)).toEqual(notDeferred(paris('2026-07-14T11:00')));
  });

  test('a window may run to midnight', () => {
    const lateWindow: ContactRules = { ...DEFAULT_CONTACT_RULES, windows: [{ start: '22:00', end: '24:00' }] };
    expect(parseContactRules(lateWindow)).toEqual(lateWindow);
    expect(next('sms', paris('2025-06-16T23:59'), [], lateWindow)).toEqual(notDeferred(paris('2025-06-16T23:59')));
    expect(next('sms', paris('2025-06-17T00:00'), [], lateWindow)).toEqual(
      deferredTo(paris('2025-06-17T22:00'), ['outside_hours']),
    );
  });

  test('the shared defaults cannot be edited by accident', () => {
    expect(() => (NO_RESTRICTIONS.optedOut as Channel[]).push('sms')).toThrow(TypeError);
  });

  test('the defaults are valid and cannot be edited by accident', () => {
    expect(parseContactRules(DEFAULT_CONTACT_RULES)).toEqual(DEFAULT_CONTACT_RULES);
    expect(() =>
      (DEFAULT_CONTACT_RULES.windows as ContactRules['windows'][number][]).push({ start: '00:00', end: '01:00' }),
    ).toThrow(TypeError);
  });

  test.each<[string, Partial<Record<keyof ContactRules, unknown>>, string]>([
    ['hour out of range', { windows: [{ start: '25:00', end: '26:00' }] }, 'windows.0.start'],
    ['missing colon', { windows: [{ start: '1000', end: '13:00' }] }, 'windows.0.start'],
    ['start after end', { windows: [{ start: '14:00', end: '13:00' }] }, 'windows.0.end'],
    ['empty window', { windows: [{ start: '14:00', end: '14:00' }] }, 'windows.0.end'],
    [
      'overlapping windows',
      {
        windows: [
          { start: '14:00', end: '20:00' },
          { start: '10:00', end: '14:30' },
        ],
      },
      'windows',
    ],
    ['no window', { windows: [] }, 'windows'],
    ['no contact day', { weekdays: [] }, 'weekdays'],
    ['weekday 0', { weekdays: [0, 1] }, 'weekdays.0'],
    ['weekday twice', { weekdays: [1, 1] }, 'weekdays'],
    ['zero cap', { automatedCap: { max: 0, days: 7 } }, 'automatedCap.max'],
    ['fractional period', { callCap: { max: 4, days: 7.5 } }, 'callCap.days'],
    ['negative cap', { callCap: { max: -1, days: 30 } }, 'callCap.max'],
    ['missing flag', { alsaceMoselle: undefined }, 'alsaceMoselle'],
  ])('a configuration with %s is refused, naming %s', (_case, patch, field) => {
    const input = { ...DEFAULT_CONTACT_RULES, ...patch };
    expect(contactRulesSchema.safeParse(input).success).toBe(false);
    expect(() => parseContactRules(input)).toThrow(InvalidContactRulesError);
    expect(() => parseContactRules(input)).toThrow(new RegExp(`- ${field.replace(/\./g, '\\.')}: `));
  });

  test('touching windows are not overlapping', () => {
    const touching = {
      ...DEFAULT_CONTACT_RULES,
      windows: [
        { start: '10:00', end: '14:00' },
        { start: '14:00', end: '20:00' },
      ],
    };
    expect(parseContactRules(touching).windows).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const NUM_RUNS = 300;
const SECONDS_PER_DAY = 24 * 60 * 60;

/** Days where mistakes hide: daylight-saving changes, holidays and their eves, year ends. */
const TRICKY_DAYS = [
  '2024-03-31',
  '2024-10-27',
  '2025-03-30',
  '2025-10-26',
  '2026-03-29',
  '2026-10-25',
  '2031-03-30',
  '2031-10-26',
  '2025-12-24',
  '2025-12-31',
  '2026-04-03',
  '2026-04-06',
  '2026-05-13',
  '2026-07-14',
  '2028-06-05',
  '2030-12-25',
  '2032-05-06',
];

const anyInstant = fc.date({
  min: new Date('2024-01-01T00:00:00Z'),
  max: new Date('2032-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const instantNearTrickyDay = fc
  .tuple(fc.constantFrom(...TRICKY_DAYS), fc.integer({ min: -2 * SECONDS_PER_DAY, max: 3 * SECONDS_PER_DAY }))
  .map(([day, seconds]) => new Date(paris(`${day}T00:00`).getTime() + seconds * 1000));
const notBeforeArb = fc.oneof(anyInstant, instantNearTrickyDay);
const channelArb = fc.constantFrom(...CHANNELS);

/** Contacts around `notBefore`, mostly in the past, some after it. */
const historyOffsetsArb = fc.array(
  fc.record({
    seconds: fc.integer({ min: -40 * SECONDS_PER_DAY, max: 5 * SECONDS_PER_DAY }),
    channel: channelArb,
  }),
  { maxLength: 10 },
);

function historyAround(notBefore: Date, offsets: { seconds: number; channel: Channel }[]): ContactRecord[] {
  return offsets.map(({ seconds, channel }) => ({ at: new Date(notBefore.getTime() + seconds * 1000), channel }));
}

const rulesArb = fc.tuple(fc.boolean(), fc.boolean()).map(([alsaceMoselle, letterHours]): ContactRules => {
  const rules = { ...DEFAULT_CONTACT_RULES, alsaceMoselle };
  return letterHours ? rules : withoutLetterHours(rules);
});

function allowedAt(result: NextContact): Date {
  if (result.kind !== 'allowed') throw new Error(`expected an allowed contact, got ${JSON.stringify(result)}`);
  return result.at;
}

/** Independent of the module: Paris wall clock via luxon, and the default windows written out. */
function isDefaultContactTime(at: Date, rules: ContactRules): boolean {
  const local = DateTime.fromJSDate(at, { zone: 'Europe/Paris' });
  const minute = local.hour * 60 + local.minute;
  const insideWindow = (minute >= 600 && minute < 780) || (minute >= 840 && minute < 1200);
  return (
    local.weekday <= 5 &&
    !isPublicHoliday(local.toISODate() ?? '', { alsaceMoselle: rules.alsaceMoselle }) &&
    insideWindow
  );
}

describe('properties', () => {
  test(`${HARASSMENT} — the answer is allowed, not before notBefore, and stable when asked again`, () => {
    fc.assert(
      fc.property(channelArb, notBeforeArb, historyOffsetsArb, rulesArb, (channel, notBefore, offsets, rules) => {
        const history = historyAround(notBefore, offsets);
        const result = nextAllowedContact(channel, notBefore, history, NO_RESTRICTIONS, rules);
        const at = allowedAt(result);
        expect(at.getTime()).toBeGreaterThanOrEqual(notBefore.getTime());
        expect(isContactAllowed(channel, at, history, NO_RESTRICTIONS, rules)).toEqual({ allowed: true });
        expect(nextAllowedContact(channel, at, history, NO_RESTRICTIONS, rules)).toEqual(notDeferred(at));

        const checkAtNotBefore = isContactAllowed(channel, notBefore, history, NO_RESTRICTIONS, rules);
        if (checkAtNotBefore.allowed) {
          expect(result).toEqual(notDeferred(notBefore));
        } else {
          expect(result.kind === 'allowed' && result.deferred).toBe(true);
          const reasons = result.kind === 'allowed' && result.deferred ? result.reasons : [];
          expect(reasons).toEqual(expect.arrayContaining(checkAtNotBefore.reasons));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test(`${HARASSMENT} — the answer is the earliest allowed instant`, () => {
    fc.assert(
      fc.property(
        channelArb,
        notBeforeArb,
        historyOffsetsArb,
        rulesArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (channel, notBefore, offsets, rules, fraction) => {
          const history = historyAround(notBefore, offsets);
          const at = allowedAt(nextAllowedContact(channel, notBefore, history, NO_RESTRICTIONS, rules));
          fc.pre(at.getTime() > notBefore.getTime());
          const justBefore = new Date(at.getTime() - 1);
          const somewhereBefore = new Date(
            notBefore.getTime() + Math.floor(fraction * (at.getTime() - notBefore.getTime())),
          );
          expect(isContactAllowed(channel, justBefore, history, NO_RESTRICTIONS, rules).allowed).toBe(false);
          expect(isContactAllowed(channel, somewhereBefore, history, NO_RESTRICTIONS, rules).allowed).toBe(false);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test(`${HOURS} — email, SMS and calls land on a weekday that is not a holiday, inside the hours`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Channel>('email', 'sms', 'call'),
        notBeforeArb,
        historyOffsetsArb,
        rulesArb,
        (channel, notBefore, offsets, rules) => {
          const at = allowedAt(
            nextAllowedContact(channel, notBefore, historyAround(notBefore, offsets), NO_RESTRICTIONS, rules),
          );
          expect(isDefaultContactTime(at, rules)).toBe(true);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test(`${LETTERS} — a letter is dated on a working day (Monday–Friday, not a holiday) within 09:00–17:00`, () => {
    fc.assert(
      fc.property(notBeforeArb, historyOffsetsArb, fc.boolean(), (notBefore, offsets, alsaceMoselle) => {
        const rules = { ...DEFAULT_CONTACT_RULES, alsaceMoselle };
        const at = allowedAt(
          nextAllowedContact('letter', notBefore, historyAround(notBefore, offsets), NO_RESTRICTIONS, rules),
        );
        const local = DateTime.fromJSDate(at, { zone: 'Europe/Paris' });
        expect(local.weekday).toBeLessThanOrEqual(5);
        expect(isPublicHoliday(local.toISODate() ?? '', { alsaceMoselle })).toBe(false);
        expect(local.hour * 60 + local.minute).toBeGreaterThanOrEqual(9 * 60);
        expect(local.hour * 60 + local.minute).toBeLessThan(17 * 60);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test(`${HOURS} — without letter hours, a letter is only ever deferred by the automated cap`, () => {
    fc.assert(
      fc.property(notBeforeArb, historyOffsetsArb, (notBefore, offsets) => {
        const result = nextAllowedContact(
          'letter',
          notBefore,
          historyAround(notBefore, offsets),
          NO_RESTRICTIONS,
          LETTERS_AT_ANY_HOUR,
        );
        if (result.kind === 'allowed' && result.deferred) expect(result.reasons).toEqual(['automated_cap']);
        else expect(result).toEqual(notDeferred(notBefore));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test(`${HARASSMENT} — contacts made one after another at the returned instants never exceed a cap`, () => {
    const requestsArb = fc.array(
      fc.record({ channel: channelArb, waitSeconds: fc.integer({ min: 0, max: 3 * SECONDS_PER_DAY }) }),
      { minLength: 1, maxLength: 14 },
    );
    fc.assert(
      fc.property(notBeforeArb, requestsArb, rulesArb, (start, requests, rules) => {
        const history: ContactRecord[] = [];
        let clock = start.getTime();
        for (const { channel, waitSeconds } of requests) {
          // Time only moves forward: each request comes after the last contact was made.
          clock += waitSeconds * 1000;
          const at = allowedAt(nextAllowedContact(channel, new Date(clock), history, NO_RESTRICTIONS, rules));
          history.push({ at, channel });
          clock = at.getTime();
        }
        for (const contact of history) {
          const isCall = contact.channel === 'call';
          const cap = isCall ? rules.callCap : rules.automatedCap;
          // Same-kind contacts made at or before this one, fewer than `days` Paris days earlier.
          const inWindow = history.filter(
            (other) =>
              (other.channel === 'call') === isCall &&
              other.at.getTime() <= contact.at.getTime() &&
              DateTime.fromJSDate(other.at, { zone: 'Europe/Paris' }).plus({ days: cap.days }).toMillis() >
                contact.at.getTime(),
          );
          expect(inWindow.length).toBeLessThanOrEqual(cap.max);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test(`${CHANNELS_CLOSED} — blocked exactly when the channel is closed, and then isContactAllowed agrees`, () => {
    const restrictionsArb = fc.record({
      optedOut: fc.subarray([...CHANNELS]),
      writtenOnly: fc.boolean(),
    });
    fc.assert(
      fc.property(channelArb, notBeforeArb, restrictionsArb, (channel, notBefore, restrictions) => {
        const result = nextAllowedContact(channel, notBefore, [], restrictions);
        const closed = restrictions.optedOut.includes(channel) || (restrictions.writtenOnly && channel === 'call');
        expect(result.kind).toBe(closed ? 'blocked' : 'allowed');
        if (result.kind === 'blocked') {
          expect(isContactAllowed(channel, notBefore, [], restrictions)).toEqual({
            allowed: false,
            reasons: [result.reason],
          });
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
