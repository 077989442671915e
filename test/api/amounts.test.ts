/**
 * Issue 13, defects 4 and 5 (R2, R3), over HTTP against the running case workflow: the amount a
 * message demands is the case's balance; payments are allocated as the Code civil says (1343-1,
 * 1342-10) unless the policy gives the accessories up once the principal is paid; a business
 * debtor's messages name the €40 indemnity and the penalties, with their rate and base, on lines
 * of their own.
 */
import { advanceUntil, eventually, openCase, setUpApiFile } from './api-harness';

const context = setUpApiFile('amounts');

interface Amounts {
  principalCents: number;
  paidCents: number;
  balanceCents: number;
  overpaidCents: number;
  lateChargesCents: number;
}

async function amountsOf(caseId: string): Promise<{ status: string; amounts: Amounts }> {
  const response = await context.request('GET', `/cases/${caseId}`, { as: 'agent' });
  expect(response.status).toBe(200);
  return response.body;
}

async function pay(caseId: string, amountCents: number, reference: string) {
  const paidAt = (await context.now()).toISODate()!;
  const response = await context.request('POST', `/cases/${caseId}/payments`, {
    as: 'operations',
    body: { amountCents, paidAt, reference },
  });
  expect(response.status).toBe(200);
  return response.body as { status: string; amounts: Amounts };
}

async function reminderBody(caseId: string): Promise<string> {
  let body: string | undefined;
  await advanceUntil(context, caseId, async () => {
    const journal = await context.request('GET', `/cases/${caseId}/journal`, { as: 'operations' });
    const entries = journal.body.entries as { type: string; channel?: string; content?: { body: string } }[];
    body = entries.find((entry) => entry.type === 'message' && entry.channel === 'email')?.content?.body;
    return body !== undefined;
  });
  return body!;
}

test('R3, Code civil 1343-1 — firm policy (accessories claimed): paying the principal alone leaves the accessories due; paying the demanded total closes it', async () => {
  const opened = await openCase(context, { policy: 'firm' }, 10);
  const before = await amountsOf(opened.id);
  // Ten days late: the €40 indemnity and ten days of penalties are due on top of the principal.
  expect(before.amounts.lateChargesCents).toBeGreaterThan(4000);
  expect(before.amounts.balanceCents).toBe(185000 + before.amounts.lateChargesCents);

  const principalOnly = await pay(opened.id, 185000, 'VIR-PRINCIPAL');
  expect(principalOnly.status).not.toBe('paid');
  expect(principalOnly.amounts).toMatchObject({
    paidCents: 185000,
    overpaidCents: 0,
    balanceCents: before.amounts.lateChargesCents,
  });

  const rest = await pay(opened.id, principalOnly.amounts.balanceCents, 'VIR-REST');
  expect(rest).toMatchObject({ status: 'paid', amounts: { balanceCents: 0, overpaidCents: 0 } });
});

test('R3 — paying exactly the demanded total closes the case with nothing overpaid', async () => {
  const opened = await openCase(context, {}, 10);
  const { amounts } = await amountsOf(opened.id);
  expect(amounts.balanceCents).toBeGreaterThan(185000);
  const paid = await pay(opened.id, amounts.balanceCents, 'VIR-TOTAL');
  expect(paid).toMatchObject({ status: 'paid', amounts: { balanceCents: 0, overpaidCents: 0 } });
  const read = await eventually(
    () => amountsOf(opened.id),
    (response) => response.status === 'paid',
  );
  expect(read.amounts.overpaidCents).toBe(0);
});

test('R3 — standard policy (accessories waived once the principal is paid): the principal alone closes the case', async () => {
  const opened = await openCase(context, {}, 10);
  const paid = await pay(opened.id, 185000, 'VIR-PRINCIPAL');
  expect(paid).toMatchObject({ status: 'paid', amounts: { balanceCents: 0, overpaidCents: 0 } });
});

test('R2, R3 — a business reminder demands the balance and names each charge on its own line', async () => {
  const opened = await openCase(context);
  const body = await reminderBody(opened.id);
  const { amounts } = await amountsOf(opened.id);
  const lines = body.split('\n');
  const euros = (cents: number) =>
    new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);
  expect(lines).toContain(`Principal : ${euros(185000)}`);
  expect(lines).toContainEqual(
    expect.stringMatching(
      /^Intérêts — pénalités de retard : \d+,\d\d\u00A0€, au taux annuel de 12,15\u00A0% \(taux de refinancement de la BCE majoré de 10 points\), calculées sur le principal impayé .*L441-10\)$/,
    ),
  );
  expect(lines).toContain(
    `Autres accessoires — indemnité forfaitaire pour frais de recouvrement : ${euros(4000)} ` +
      '(40 € par facture payée en retard, Code de commerce L441-10 et D441-5)',
  );
  // The total demanded is principal + penalties + indemnity, the balance of the day the reminder left;
  // penalties have run since, so the balance read now is that total plus the days since.
  const cents = (pattern: RegExp) => Number(body.match(pattern)![1]!.replace(/\D/g, ''));
  const penalties = cents(/pénalités de retard : ([\d\u202F]+,\d\d)/);
  const total = cents(/Montant total dû : ([\d\u202F]+,\d\d)/);
  expect(total).toBe(185000 + penalties + 4000);
  expect(amounts.balanceCents).toBeGreaterThanOrEqual(total);
  expect(amounts.balanceCents).toBe(185000 + amounts.lateChargesCents);
});
