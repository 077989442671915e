import { afterOpening, caseInput, caseOnItsOwnQueue, caseWorkflowFile, startCase } from './case-harness';

const file = caseWorkflowFile();

test('a debtor with no e-mail address never gets an e-mail entry: the e-mail steps go by SMS, journaled in French', async () => {
  // Monday 09:00 Paris, before the contact window.
  const { env, anchor, calls, worker } = await caseOnItsOwnQueue(file, 'unreachable');
  const result = await worker.runUntil(async () => {
    const handle = await startCase(
      env,
      caseInput(anchor, { reachableChannels: ['sms', 'letter', 'call'] }),
      'unreachable',
    );
    return handle.result();
  });
  expect(result.status).toBe('handed_off');
  const sends = calls
    .filter((call) => call.name === 'sendMessage')
    .map((call) => `${call.input.stage}/${call.input.channel}`);
  expect(sends).toEqual(['reminder_1/sms', 'reminder_2/sms', 'final_reminder/sms', 'formal_notice/letter']);
  const entries = calls
    .filter((call) => call.name === 'recordJournal')
    .flatMap((call) => call.input.entries as { type: string; channel?: string; summary: string }[]);
  expect(entries.filter((entry) => entry.channel === 'email')).toEqual([]);
  const summaries = entries.map((entry) => entry.summary.replace(/[\u00A0\u202F]/g, ' '));
  expect(summaries).toContain('relance 1 prévue par SMS (aucune adresse e-mail connue)');
  const opening = anchor.toFormat('dd/MM/yyyy');
  // The window opens at 10:00; each case goes at its own offset after it (issue 14).
  expect(summaries).toContain(
    `SMS reporté au ${opening} à ${afterOpening('c_test', '10:00')} (hors des heures autorisées)`,
  );
  for (const summary of summaries) {
    expect(summary).not.toMatch(/centimes|\d{4}-\d{2}-\d{2}T|\be-?mail reporté/);
  }
});
