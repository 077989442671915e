import {
  channelName,
  formatCalendarDate,
  formatEuros,
  formatParisDate,
  formatParisDateTime,
  messageStatusName,
  stageName,
} from '../../domain/french-text';
import { normalizeSpaces } from '../../domain/money';

describe('the words of the case file', () => {
  test('amounts are euros with a comma and grouped thousands, never cents', () => {
    expect(normalizeSpaces(formatEuros(420000))).toBe('4 200,00 €');
    expect(normalizeSpaces(formatEuros(5))).toBe('0,05 €');
    expect(normalizeSpaces(formatEuros(-1234))).toBe('-12,34 €');
    expect(normalizeSpaces(formatEuros(9_007_199_254_740_991))).toBe('90 071 992 547 409,91 €');
    expect(() => formatEuros(12.5)).toThrow(RangeError);
  });

  test('instants are read in Paris time, winter and summer', () => {
    expect(formatParisDateTime('2026-12-03T09:00:00.000Z')).toBe('03/12/2026 à 10:00');
    expect(formatParisDateTime('2026-07-03T09:00:00.000Z')).toBe('03/07/2026 à 11:00');
    expect(formatParisDateTime(new Date('2026-03-29T01:30:00Z'))).toBe('29/03/2026 à 03:30');
    // 23:30 UTC on 31 December is already New Year's Day in Paris.
    expect(formatParisDate('2026-12-31T23:30:00.000Z')).toBe('01/01/2027');
    expect(() => formatParisDate('demain')).toThrow(RangeError);
  });

  test('calendar days are French dates with no time zone shift', () => {
    expect(formatCalendarDate('2028-06-03')).toBe('03/06/2028');
    expect(() => formatCalendarDate('2028-6-3')).toThrow(RangeError);
  });

  test('channels, stages and statuses have French names', () => {
    expect(['email', 'sms', 'letter', 'call'].map(channelName)).toEqual(['e-mail', 'SMS', 'courrier', 'appel']);
    expect(['reminder_1', 'reminder_2', 'final_reminder', 'formal_notice', 'handoff'].map(stageName)).toEqual([
      'relance 1',
      'relance 2',
      'dernière relance',
      'mise en demeure',
      'transmission au commissaire de justice',
    ]);
    expect(['sent', 'deferred', 'blocked', 'failed'].map(messageStatusName)).toEqual([
      'envoyé',
      'reporté',
      'bloqué',
      'en échec',
    ]);
  });
});
