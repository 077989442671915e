import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TypedSearchAttributes } from '@temporalio/common';
import { createDevServerEnv } from '../helpers/temporal';
import { BalanceCents, CaseStage, CaseStatus, CreditorId, DebtorKind } from '../../workflows/search-attributes';

/**
 * The manager's question, asked the way the Web UI asks it: "every case at formal-notice stage with
 * a balance over €1,000". The time-skipping server cannot filter, so this runs on the dev server.
 * The workflow's own upserts of these attributes are covered in case-guarantees.test.ts; here the
 * cases are started with their attributes set and no worker, so only the query is exercised.
 * The dev server's clock is the machine's and cannot be pinned (test/helpers/test-clock.ts): with
 * no worker, no workflow code runs and no contact rule is consulted, so the hour of the run
 * changes nothing here.
 */
export const MANAGER_QUERY = `CaseStage = "formal_notice" AND BalanceCents > 100000`;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

async function startParkedCase(id: string, stage: string, balanceCents: number): Promise<void> {
  await env.client.workflow.start('collectionCase', {
    workflowId: id,
    taskQueue: 'nobody-polls-this-queue',
    args: [],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: CaseStatus, value: 'active' },
      { key: CaseStage, value: stage },
      { key: BalanceCents, value: balanceCents },
      { key: CreditorId, value: 'acme' },
      { key: DebtorKind, value: 'business' },
    ]),
  });
}

test(`the manager's filter finds exactly the formal-notice cases over €1,000: ${MANAGER_QUERY}`, async () => {
  await startParkedCase('case-notice-big', 'formal_notice', 185000);
  await startParkedCase('case-notice-exactly-1000', 'formal_notice', 100000);
  await startParkedCase('case-notice-small', 'formal_notice', 45000);
  await startParkedCase('case-reminder-big', 'reminder_2', 250000);

  // Visibility is eventually consistent: poll briefly.
  let found: string[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    found = [];
    for await (const workflow of env.client.workflow.list({ query: MANAGER_QUERY })) found.push(workflow.workflowId);
    if (found.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(found.sort()).toEqual(['case-notice-big']);
});
