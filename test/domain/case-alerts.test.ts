/**
 * Manager alerts as the case keeps them (domain/case/alerts.ts): counted open once per key, shown
 * in the Web UI's line and search attribute, closed by an acknowledgement; "send it again" reopens
 * the send and queues the message once more, through the normal contact rules.
 */
import {
  acknowledgementSummary,
  applyAlertAcknowledged,
  openAlertKinds,
  openAlertsLabel,
  resolutionsFor,
  trackAlert,
  validateAlertAcknowledgement,
  type OpenAlert,
} from '../../domain/case/alerts';
import { CaseRuleViolation } from '../../domain/case/actions';
import { advance } from '../../domain/case/progress';
import { initialCaseState } from '../../domain/case/state';
import type { CaseInput, CaseState } from '../../domain/case/types';
import { caseSnapshot } from '../../domain/case/view';

const OPENING = '2027-02-01T08:00:00.000Z'; // Monday, 09:00 in Paris
const LATER = '2027-02-03T10:00:00.000Z'; // Wednesday, 11:00 in Paris

function caseState(): CaseState {
  const input: CaseInput = {
    caseId: 'c_alerts',
    reference: 'INV-1',
    creditorId: 'acme',
    debtorKind: 'business',
    policyId: 'standard',
    currency: 'EUR',
    invoices: [{ number: 'F-1', issueDate: '2026-12-30', dueDate: '2027-01-29', amountCents: 185000 }],
    openedAt: OPENING,
  };
  return initialCaseState(input);
}

const unknownReminder: OpenAlert = {
  key: 'c_alerts:reminder_1:email:outcome-unknown-alert',
  kind: 'message_outcome_unknown',
  sendKey: 'c_alerts:reminder_1:email',
  contact: { stage: 'reminder_1', channel: 'email', notBefore: OPENING, deferredFor: ['outside_hours'] },
};
const prescription: OpenAlert = { key: 'c_alerts:alert:3', kind: 'prescription' };

describe('open alerts', () => {
  test('a key counts once, whatever the retries; kinds are listed once each, sorted', () => {
    const state = caseState();
    trackAlert(state, unknownReminder);
    trackAlert(state, unknownReminder);
    trackAlert(state, prescription);
    trackAlert(state, { key: 'c_alerts:alert:9', kind: 'prescription' });
    expect(state.openAlerts).toHaveLength(3);
    expect(openAlertKinds(state)).toEqual(['message_outcome_unknown', 'prescription']);
  });

  test('the Web UI line and the Case show them first; none shows nothing', () => {
    expect(openAlertsLabel(0)).toBeNull();
    expect(openAlertsLabel(1)).toBe('⚠ 1 alerte ouverte');
    expect(openAlertsLabel(2)).toBe('⚠ 2 alertes ouvertes');
    const state = caseState();
    expect(caseSnapshot(state, OPENING, 'case-c_alerts')).toMatchObject({ openAlerts: 0 });
    expect(caseSnapshot(state, OPENING, 'case-c_alerts').summary).not.toMatch(/alerte/);
    trackAlert(state, prescription);
    const shown = caseSnapshot(state, OPENING, 'case-c_alerts');
    expect(shown.openAlerts).toBe(1);
    expect(shown.summary).toMatch(/^⚠ 1 alerte ouverte — /);
  });
});

describe('acknowledging', () => {
  test('only an unknown message outcome can be settled either way; every alert can be noted', () => {
    expect(resolutionsFor('message_outcome_unknown')).toEqual(['noted', 'message_left', 'send_again']);
    expect(resolutionsFor('prescription')).toEqual(['noted']);
    expect(acknowledgementSummary('prescription', 'noted')).toBe(
      'Alerte « prescription (proche ou acquise) » acquittée par un gestionnaire : pris en compte',
    );
  });

  test('noted closes the alert and sends nothing; an alert the case no longer holds changes nothing', () => {
    const state = caseState();
    trackAlert(state, unknownReminder);
    expect(applyAlertAcknowledged(state, { idempotencyKey: unknownReminder.key, resolution: 'noted' }, LATER)).toEqual(
      [],
    );
    expect(state.openAlerts).toEqual([]);
    expect(state.pending).toEqual([]);
    expect(applyAlertAcknowledged(state, { idempotencyKey: unknownReminder.key, resolution: 'noted' }, LATER)).toEqual(
      [],
    );
  });

  test('send again reopens the send and queues the message, which then goes by the contact rules', () => {
    const state = caseState();
    // The sequence has run reminder 1 (lost) and waits for reminder 2.
    advance(state, OPENING);
    state.pending = [];
    const nextStepOn = state.nextStepOn;
    trackAlert(state, unknownReminder);
    const ack = { idempotencyKey: unknownReminder.key, resolution: 'send_again' as const };

    expect(() => validateAlertAcknowledgement(state, ack)).not.toThrow();
    expect(applyAlertAcknowledged(state, ack, LATER)).toEqual([
      { kind: 'reopen_send', idempotencyKey: 'c_alerts:reminder_1:email' },
    ]);
    expect(state.openAlerts).toEqual([]);
    expect(state.pending).toEqual([{ stage: 'reminder_1', channel: 'email', notBefore: LATER }]);

    const effects = advance(state, LATER);
    expect(effects).toEqual([
      expect.objectContaining({ kind: 'contact', contact: expect.objectContaining({ stage: 'reminder_1' }) }),
    ]);
    // Still at reminder 1: the policy's spacing runs from the day it actually left, as for a deferred one.
    expect(nextStepOn).toBe('2027-02-08');
    expect(state.nextStepOn).toBe('2027-02-10');

    // Acknowledged already: a second "send again" is refused and queues nothing.
    expect(() => validateAlertAcknowledgement(state, ack)).toThrow(CaseRuleViolation);
  });

  test('a message of an earlier stage sent again does not move the spacing of the current stage', () => {
    const state = caseState();
    advance(state, OPENING);
    state.pending = []; // reminder 1 went (its outcome unknown)
    advance(state, '2027-02-08T10:00:00.000Z'); // reminder 2, a week later
    expect(state.stage).toBe('reminder_2');
    const nextStepOn = state.nextStepOn;
    trackAlert(state, unknownReminder);
    applyAlertAcknowledged(
      state,
      { idempotencyKey: unknownReminder.key, resolution: 'send_again' },
      '2027-02-09T10:00:00.000Z',
    );
    const effects = advance(state, '2027-02-09T10:00:00.000Z');
    expect(effects).toContainEqual(
      expect.objectContaining({ kind: 'contact', contact: expect.objectContaining({ stage: 'reminder_1' }) }),
    );
    expect(state.nextStepOn).toBe(nextStepOn);
  });

  test('send again is refused for an alert that names no message, and on a closed case', () => {
    const state = caseState();
    trackAlert(state, prescription);
    let refusal: unknown;
    try {
      validateAlertAcknowledgement(state, { idempotencyKey: prescription.key, resolution: 'send_again' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: 'unprocessable', field: 'resolution' });

    trackAlert(state, unknownReminder);
    state.status = 'paid';
    expect(() =>
      validateAlertAcknowledgement(state, { idempotencyKey: unknownReminder.key, resolution: 'send_again' }),
    ).toThrow(/paid: nothing more is sent/);
  });

  test('a lost mise en demeure is reopened but not queued: resuming the paused case sends it', () => {
    const state = caseState();
    const formalNotice: OpenAlert = {
      key: 'c_alerts:formal_notice:letter:outcome-unknown-alert',
      kind: 'message_outcome_unknown',
      sendKey: 'c_alerts:formal_notice:letter',
      contact: { stage: 'formal_notice', channel: 'letter', notBefore: OPENING },
    };
    trackAlert(state, formalNotice);
    expect(
      applyAlertAcknowledged(state, { idempotencyKey: formalNotice.key, resolution: 'send_again' }, LATER),
    ).toEqual([{ kind: 'reopen_send', idempotencyKey: 'c_alerts:formal_notice:letter' }]);
    expect(state.pending).toEqual([]);
  });
});
