/**
 * Latency of `POST /cases` and of one action route (`POST /cases/:id/payments`) against a running
 * API — `npm start`'s stack by default — measured from the client, sequentially, so each number is
 * one request's round trip through the API, the database and the workflow's Update.
 *
 *   npm start                        # in another terminal
 *   npm run bench:api [requests]     # default 200 of each
 *
 * API_URL (default http://127.0.0.1:3000) and API_KEY (default: the manager key of
 * .data/dev-api-keys.json) point it elsewhere. It only ever calls the URL it is given, with a
 * bounded number of requests, and stops by itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { REPO_ROOT } from '../scripts/local-stack/provision';

const baseUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const requests = Math.max(1, Math.min(10_000, Number(process.argv[2] ?? 200)));

function apiKey(): string {
  if (process.env.API_KEY) return process.env.API_KEY;
  const file = path.join(process.env.AMIABLE_DATA_DIR ?? path.join(REPO_ROOT, '.data'), 'dev-api-keys.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { manager: string }).manager;
}

async function timed(
  method: string,
  url: string,
  body: unknown,
  key: string,
): Promise<{ ms: number; json: { id?: string } }> {
  const started = process.hrtime.bigint();
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id?: string };
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status >= 300) throw new Error(`${method} ${url} answered ${response.status}: ${JSON.stringify(json)}`);
  return { ms, json };
}

function report(name: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!.toFixed(1);
  console.log(
    `${name.padEnd(28)} n=${sorted.length}  p50=${at(0.5)} ms  p90=${at(0.9)} ms  p99=${at(0.99)} ms  max=${at(1)} ms`,
  );
}

async function main(): Promise<void> {
  const key = apiKey();
  const today = DateTime.now().setZone('Europe/Paris');
  const run = randomBytes(3).toString('hex');
  const opened: number[] = [];
  const paid: number[] = [];
  const ids: string[] = [];
  for (let index = 0; index < requests; index += 1) {
    const { ms, json } = await timed(
      'POST',
      '/cases',
      {
        reference: `BENCH-${run}-${index}`,
        creditor: { id: 'bench', name: 'Bench SAS', address: '1 rue du Banc, 75001 Paris' },
        debtor: { kind: 'business', name: 'Débiteur Bench', email: 'debiteur@bench.example' },
        claim: {
          nature: 'Prestation de test',
          basis: 'Contrat BENCH signé',
          invoices: [
            {
              number: `B-${index}`,
              issueDate: today.minus({ days: 40 }).toISODate(),
              dueDate: today.minus({ days: 10 }).toISODate(),
              amountCents: 100000,
            },
          ],
        },
      },
      key,
    );
    opened.push(ms);
    ids.push(json.id!);
  }
  for (const [index, id] of ids.entries()) {
    const { ms } = await timed(
      'POST',
      `/cases/${id}/payments`,
      { amountCents: 100, paidAt: today.toISODate(), reference: `BENCH-PAY-${index}` },
      key,
    );
    paid.push(ms);
  }
  console.log(`API at ${baseUrl}, ${requests} sequential requests of each (run ${run})`);
  report('POST /cases', opened);
  report('POST /cases/:id/payments', paid);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
