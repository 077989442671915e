/**
 * The role matrix of docs/api.md, the read routes (filters, cursor pagination, journal, call
 * tasks) and the OpenAPI description.
 */
import { KEYS, openCase, setUpApiFile } from './api-harness';

const context = setUpApiFile('reads');

type Role = 'operations' | 'agent' | 'manager';
const ALL: Role[] = ['operations', 'agent', 'manager'];

/** The contract's table, written out again here so that the test checks the code against it. */
const CONTRACT_ROLES: [string, string, Role[]][] = [
  ['POST', '/cases', ['operations', 'manager']],
  ['GET', '/cases', ALL],
  ['GET', '/cases/:id', ALL],
  ['GET', '/cases/:id/journal', ALL],
  ['POST', '/cases/:id/payments', ['operations', 'manager']],
  ['POST', '/cases/:id/promises', ['agent', 'manager']],
  ['POST', '/cases/:id/replies', ['agent', 'manager']],
  ['POST', '/cases/:id/call-outcomes', ['agent', 'manager']],
  ['POST', '/cases/:id/disputes', ['agent', 'manager']],
  ['POST', '/cases/:id/disputes/resolve', ['manager']],
  ['POST', '/cases/:id/installment-plans', ['agent', 'manager']],
  ['POST', '/cases/:id/pause', ['manager']],
  ['POST', '/cases/:id/resume', ['manager']],
  ['POST', '/cases/:id/cancel', ['operations', 'manager']],
  ['GET', '/call-tasks', ['agent', 'manager']],
  // Not in the contract: a manager's decision, like resolving a dispute.
  ['POST', '/cases/:id/installment-plans/cancel', ['manager']],
];

describe('role matrix', () => {
  const rows = CONTRACT_ROLES.flatMap(([method, path, allowed]) =>
    ALL.map((role) => [method, path, role, allowed.includes(role)] as const),
  );
  test.each(rows)('%s %s as %s: allowed %s', async (method, path, role, allowed) => {
    // An unknown case and a body (or query) that fails validation: an allowed role gets past the
    // role check (400 or 404), a refused one stops at it (403). Nothing is changed either way. (The
    // query also keeps GET /cases off visibility, which the time-skipping server does not serve.)
    const url = `${path.replace(':id', 'c_00000000000000000000')}${method === 'GET' ? '?nope=1' : ''}`;
    const response = await context.request(method, url, {
      as: role,
      ...(method === 'POST' ? { body: { nope: true } } : {}),
    });
    if (allowed) {
      expect([200, 400, 404]).toContain(response.status);
    } else {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    }
  });

  test.each(CONTRACT_ROLES)('%s %s without a key, or with an unknown one, is 401', async (method, path) => {
    const url = path.replace(':id', 'c_00000000000000000000');
    const missing = await context.request(method, url, { as: 'nobody' });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('unauthorized');
    const unknown = await context.request(method, url, {
      as: 'nobody',
      headers: { authorization: `Bearer ${KEYS.manager}x` },
    });
    expect(unknown.status).toBe(401);
  });

  test('health and the API description need no key', async () => {
    for (const path of ['/health', '/openapi.json', '/docs/']) {
      expect((await context.request('GET', path, { as: 'nobody' })).status).toBe(200);
    }
  });
});

// GET /cases (filters, cursor pages): test/api/case-list.test.ts, on a dev server (visibility).

test('the journal lists every entry oldest first, with the contract fields', async () => {
  const opened = await openCase(context);
  await context.env.sleep('4 days');
  const response = await context.request('GET', `/cases/${opened.id}/journal`, { as: 'operations' });
  expect(response.status).toBe(200);
  const entries = response.body.entries as { at: string; type: string; status?: string; channel?: string }[];
  expect(entries[0]).toMatchObject({ type: 'case_opened', actor: { role: 'system' }, summary: expect.any(String) });
  const reminder = entries.find((entry) => entry.type === 'message' && entry.channel === 'email');
  // No provider is configured in the tests: the journal says so.
  expect(reminder).toMatchObject({
    stage: 'reminder_1',
    status: 'simulated',
    content: { subject: expect.any(String), body: expect.stringContaining('ACME SAS') },
  });
  const instants = entries.map((entry) => Date.parse(entry.at));
  expect(instants).toEqual([...instants].sort((a, b) => a - b));
});

test('/openapi.json describes every route with its schemas; /docs serves a page to browse it', async () => {
  const response = await context.request('GET', '/openapi.json', { as: 'nobody' });
  expect(response.status).toBe(200);
  const document = response.body;
  expect(document.openapi).toBe('3.1.0');
  for (const [method, path] of CONTRACT_ROLES) {
    const operation = document.paths[path.replace(':id', '{id}')]?.[method.toLowerCase()];
    expect({ method, path, described: Boolean(operation) }).toEqual({ method, path, described: true });
  }
  const openCaseOperation = document.paths['/cases'].post;
  expect(Object.keys(openCaseOperation.responses)).toEqual(
    expect.arrayContaining(['200', '201', '400', '409', '422', '503']),
  );
  expect(document.components.schemas.OpenCase.required).toEqual(
    expect.arrayContaining(['reference', 'creditor', 'debtor', 'claim']),
  );
  expect(document.components.schemas.OpenCase.additionalProperties).toBe(false);
  // Beyond the contract: the evidence files and the providers' signed webhooks.
  for (const path of [
    '/cases/{id}/documents',
    '/cases/{id}/documents/{documentId}',
    '/webhooks/sendgrid/events',
    '/webhooks/twilio/status',
    '/webhooks/twilio/incoming',
    '/webhooks/letters/events',
  ]) {
    expect({ path, described: Boolean(document.paths[path]) }).toEqual({ path, described: true });
  }
  expect(Object.keys(document.paths['/webhooks/letters/events'].post.responses)).toEqual(
    expect.arrayContaining(['200', '400', '401', '404', '503']),
  );

  const page = await context.request('GET', '/docs/', { as: 'nobody' });
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  expect(page.body).toContain('swagger-ui');
});

test('responses carry security headers and never echo the key', async () => {
  const response = await context.request('GET', '/cases/c_00000000000000000000', { as: 'operations' });
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('x-powered-by')).toBeNull();
  expect(JSON.stringify(response.body)).not.toContain(KEYS.operations);
});
