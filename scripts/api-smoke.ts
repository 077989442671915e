/**
 * Walks the HTTP contract against a running stack — `npm start`'s by default — the way a client
 * would: every route once, the refusals of the error table, and a case from opening to paid. The
 * jest suite covers the same ground against the test servers with time skipping; this is the
 * check that the real stack (dev server, FerretDB, worker, API) answers the same.
 *
 *   npm start             # in another terminal
 *   npm run smoke:api
 *
 * API_URL (default http://127.0.0.1:3000) and AMIABLE_DATA_DIR (for .data/dev-api-keys.json)
 * point it elsewhere. It prints one line per check and `N passed, N failed`; exit 1 on a failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { REPO_ROOT } from './local-stack/provision';

type Role = 'operations' | 'agent' | 'manager';
const baseUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const keys = JSON.parse(
  fs.readFileSync(
    path.join(process.env.AMIABLE_DATA_DIR ?? path.join(REPO_ROOT, '.data'), 'dev-api-keys.json'),
    'utf8',
  ),
) as Record<Role, string>;

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function call(method: string, url: string, as: Role | null, body?: unknown, raw?: string): Promise<Answer> {
  const headers: Record<string, string> = as ? { authorization: `Bearer ${keys[as]}` } : {};
  const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers,
    ...(payload !== undefined ? { body: payload } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // /docs is HTML.
  }
  return { status: response.status, body: parsed };
}

let passed = 0;
let failed = 0;
function check(what: string, ok: boolean, answer?: Answer): void {
  if (ok) passed += 1;
  else failed += 1;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !answer ? '' : ` — got ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`}`,
  );
}

async function waitFor(read: () => Promise<Answer>, until: (answer: Answer) => boolean): Promise<Answer> {
  let answer = await read();
  for (let tries = 0; tries < 50 && !until(answer); tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await read();
  }
  return answer;
}

async function main(): Promise<void> {
  const today = DateTime.now().setZone('Europe/Paris');
  const run = randomBytes(3).toString('hex');
  const intake = {
    reference: `SMOKE-${run}`,
    creditor: { id: 'smoke', name: 'Smoke SAS', address: '1 rue du Test, 75001 Paris' },
    debtor: { kind: 'business', name: 'Débiteur Smoke SARL', email: 'compta@smoke.example', phone: '+33612345678' },
    claim: {
      nature: 'Prestation de test',
      basis: 'Contrat SMOKE signé',
      invoices: [
        {
          number: `S-${run}`,
          issueDate: today.minus({ days: 40 }).toISODate(),
          dueDate: today.minus({ days: 10 }).toISODate(),
          amountCents: 120000,
        },
      ],
    },
  };

  const health = await call('GET', '/health', null);
  check(
    'GET /health is 200 with Temporal and the database up',
    health.status === 200 && health.body.status === 'ok',
    health,
  );
  const docs = await call('GET', '/openapi.json', null);
  check('GET /openapi.json describes /cases', docs.status === 200 && Boolean(docs.body.paths?.['/cases']), docs);
  check('GET /docs serves the browser page', (await call('GET', '/docs/', null)).status === 200);

  const opened = await call('POST', '/cases', 'operations', intake);
  check('POST /cases opens a case: 201', opened.status === 201 && opened.body.status === 'active', opened);
  const id = opened.body.id as string;
  const again = await call('POST', '/cases', 'operations', intake);
  check('the identical case again: 200, same id', again.status === 200 && again.body.id === id, again);
  const conflicting = await call('POST', '/cases', 'operations', { ...intake, policy: 'firm' });
  check('same reference, another payload: 409 conflict', conflicting.body.error?.code === 'conflict', conflicting);
  const future = {
    ...intake,
    reference: `SMOKE-${run}-future`,
    claim: {
      ...intake.claim,
      invoices: [{ ...intake.claim.invoices[0], dueDate: today.plus({ days: 5 }).toISODate() }],
    },
  };
  const notDue = await call('POST', '/cases', 'operations', future);
  check(
    'an invoice not yet due: 422 not_collectable',
    notDue.status === 422 && notDue.body.error.code === 'not_collectable',
    notDue,
  );
  const malformed = await call('POST', '/cases', 'operations', undefined, '{"reference":');
  check(
    'malformed JSON: 400 validation_failed',
    malformed.status === 400 && malformed.body.error.code === 'validation_failed',
    malformed,
  );
  const unknownField = await call('POST', '/cases', 'operations', {
    ...intake,
    reference: `SMOKE-${run}-x`,
    colour: 'red',
  });
  check('an unknown field: 400 naming it', unknownField.body.error?.details?.[0]?.path === 'body.colour', unknownField);
  check('no key: 401', (await call('GET', '/cases', null)).status === 401);
  const forbidden = await call('POST', `/cases/${id}/payments`, 'agent', {
    amountCents: 1,
    paidAt: today.toISODate(),
    reference: 'x',
  });
  check('an agent recording a payment: 403', forbidden.status === 403, forbidden);
  check('an unknown case: 404', (await call('GET', '/cases/c_00000000000000000000', 'agent')).status === 404);

  const promise = await call('POST', `/cases/${id}/promises`, 'agent', {
    amountCents: 120000,
    promisedDate: today.plus({ days: 3 }).toISODate(),
    agentId: 'smoke-agent',
  });
  check('POST promises: promise_to_pay', promise.body.status === 'promise_to_pay', promise);
  const reply = await call('POST', `/cases/${id}/replies`, 'agent', { channel: 'email', message: 'Je règle bientôt.' });
  check('POST replies: 200', reply.status === 200, reply);
  const dispute = await call('POST', `/cases/${id}/disputes`, 'agent', { reason: 'Quantités contestées' });
  check('POST disputes: disputed', dispute.body.status === 'disputed', dispute);
  const refusedPromise = await call('POST', `/cases/${id}/promises`, 'agent', {
    amountCents: 100,
    promisedDate: today.plus({ days: 3 }).toISODate(),
  });
  check(
    'a promise on a disputed case: 409 invalid_transition',
    refusedPromise.body.error?.code === 'invalid_transition',
    refusedPromise,
  );
  const resolved = await call('POST', `/cases/${id}/disputes/resolve`, 'manager', {
    outcome: 'rejected',
    notes: 'Bons de livraison signés',
  });
  check('POST disputes/resolve: dispute closed', resolved.status === 200 && resolved.body.dispute === null, resolved);
  const paused = await call('POST', `/cases/${id}/pause`, 'manager', { reason: 'Vérification' });
  check('POST pause: paused', paused.body.status === 'paused', paused);
  const resumed = await call('POST', `/cases/${id}/resume`, 'manager', {});
  check('POST resume: open again', resumed.status === 200 && resumed.body.status !== 'paused', resumed);
  const badPlan = await call('POST', `/cases/${id}/installment-plans`, 'agent', {
    installments: [{ dueDate: today.plus({ days: 30 }).toISODate(), amountCents: 1 }],
  });
  check('a plan not summing to the balance: 422 unprocessable', badPlan.body.error?.code === 'unprocessable', badPlan);
  const plan = await call('POST', `/cases/${id}/installment-plans`, 'agent', {
    installments: [
      { dueDate: today.plus({ days: 30 }).toISODate(), amountCents: 60000 },
      { dueDate: today.plus({ days: 60 }).toISODate(), amountCents: 60000 },
    ],
  });
  check('POST installment-plans: installment_plan', plan.body.status === 'installment_plan', plan);
  for (const [index, amountCents] of [60000, 60000].entries()) {
    const paid = await call('POST', `/cases/${id}/payments`, 'operations', {
      amountCents,
      paidAt: today.toISODate(),
      reference: `SMOKE-PAY-${index}`,
    });
    check(`POST payments #${index + 1}: 200`, paid.status === 200, paid);
  }
  const closed = await waitFor(
    () => call('GET', `/cases/${id}`, 'operations'),
    (answer) => answer.body.status === 'paid',
  );
  check('the case is paid', closed.body.status === 'paid' && closed.body.amounts.balanceCents === 0, closed);
  const late = await call('POST', `/cases/${id}/payments`, 'operations', {
    amountCents: 1,
    paidAt: today.toISODate(),
    reference: 'late',
  });
  check('a payment on a paid case: 409 invalid_transition', late.body.error?.code === 'invalid_transition', late);
  const journal = await waitFor(
    () => call('GET', `/cases/${id}/journal`, 'agent'),
    (answer) => (answer.body.entries ?? []).some((entry: { type: string }) => entry.type === 'case_paid'),
  );
  const types = (journal.body.entries ?? []).map((entry: { type: string }) => entry.type);
  check(
    'the journal holds the whole story',
    [
      'case_opened',
      'promise_recorded',
      'dispute_opened',
      'installment_plan_agreed',
      'payment_recorded',
      'case_paid',
    ].every((type) => types.includes(type)),
    journal,
  );
  const listed = await call('GET', '/cases?creditorId=smoke&limit=200', 'agent');
  check(
    'GET /cases lists it',
    listed.body.items?.some((item: { id: string }) => item.id === id),
    listed,
  );
  const tasks = await call('GET', '/call-tasks', 'agent');
  check('GET /call-tasks: 200', tasks.status === 200 && Array.isArray(tasks.body.items), tasks);

  console.log(`\napi smoke: ${passed} passed, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
