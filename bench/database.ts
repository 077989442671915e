/**
 * Which embedded database can carry 10,000 open cases (issue 14, "choose the embedded database
 * on evidence"). Starts its own servers on loopback ports with their own data directories, fills
 * them with documents shaped like ours, and measures, per backend and size:
 *
 *  - sequential operations, one client: p50/p99 latency and the server's CPU-seconds per op
 *    (from /proc: FerretDB, plus every PostgreSQL process for the PostgreSQL backend);
 *  - concurrency 32: inserts (errors such as "database is locked"), $inc/$push to ONE document
 *    (lost writes: acknowledged updates missing from the document), inserts racing on one _id and
 *    on one unique secondary key (exactly one must win);
 *  - FerretDB's explain of each query: whether the filter reached the storage engine.
 *
 *   npm run bench:database [-- --sizes=1000,10000 --backends=sqlite-stock,sqlite-immediate,sqlite,postgresql
 *                              --runs=2 --budget-ms=8000 --out=.data/bench/database.json]
 *
 * Backends: `sqlite` is the default stack's FerretDB (scripts/local-stack/servers.ts), built
 * with its `_id` look-ups matching its own `_id` index (scripts/provision/ferretdb.sh says why);
 * `sqlite-stock` the same FerretDB without that one-line patch (FERRETDB_UNPATCHED=1);
 * `sqlite-immediate` the stock build with `_txlock=immediate` on the SQLite URL (only the
 * concurrency checks, the knob cannot change a single client's reads); `postgresql` is FerretDB
 * `--handler=postgresql` over PostgreSQL 15 from Debian's packages (scripts/provision/postgresql.sh).
 * Every measurement is run `--runs` times on the same data (the machine is shared: compare runs).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { ferretdbArgs } from '../scripts/local-stack/servers';
import { findFreePort, waitForPort } from '../scripts/local-stack/ports';

const { MongoClient, BSON } = mongoose.mongo;
type Db = mongoose.mongo.Db;
type Document = mongoose.mongo.Document;

/** The checkout: found from this file (bench/ or dist/bench/), or the working directory (npm run). */
const REPO_ROOT = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'scripts', 'provision', 'lib.sh'))) return dir;
  }
  return process.cwd();
})();
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const CONCURRENCY = 32;
const ROUNDS = 5;
const JOURNAL_PER_CASE = 10;

type BackendName = 'sqlite' | 'sqlite-stock' | 'sqlite-immediate' | 'postgresql';
const BACKENDS: BackendName[] = ['sqlite-stock', 'sqlite-immediate', 'sqlite', 'postgresql'];

interface Options {
  sizes: number[];
  backends: BackendName[];
  runs: number;
  budgetMs: number;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string, fallback: string): string =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const backends = get('backends', BACKENDS.join(',')).split(',') as BackendName[];
  for (const b of backends) {
    if (!BACKENDS.includes(b)) throw new Error(`--backends: unknown backend ${b}`);
  }
  const sizes = get('sizes', '1000,10000').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 100 || n > 50_000))
    throw new Error('--sizes: integers in 100..50000');
  return {
    sizes: sizes.sort((a, b) => a - b),
    backends,
    runs: Number(get('runs', '2')),
    budgetMs: Number(get('budget-ms', '8000')),
    out: path.resolve(get('out', path.join(REPO_ROOT, '.data', 'bench', 'database.json'))),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes and their CPU

/** utime+stime of a process, plus its reaped children (PostgreSQL's exited backends). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

interface Server {
  name: string;
  process: ChildProcess;
  /** Processes whose CPU counts as this server's: the process and, for PostgreSQL, its backends. */
  withChildren: boolean;
}

function serverCpuSeconds(servers: Server[]): number {
  let ticks = 0;
  for (const server of servers) {
    const pid = server.process.pid!;
    ticks += cpuTicks(pid);
    if (server.withChildren) for (const child of childrenOf(pid)) ticks += cpuTicks(child);
  }
  return ticks / CLOCK_TICKS;
}

function startProcess(name: string, command: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): Server {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited (${code ?? signal}); its log: ${logFile}`);
  });
  return { name, process: child, withChildren: false };
}

let stopping = false;

async function stopProcess(server: Server): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return;
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  // SIGINT: PostgreSQL's fast shutdown; FerretDB stops on it too.
  server.process.kill('SIGINT');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function provision(script: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'provision', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim();
}

interface Stack {
  uri: string;
  servers: Server[];
}

async function startStack(backend: BackendName, workDir: string): Promise<Stack> {
  const stock = backend === 'sqlite-stock' || backend === 'sqlite-immediate';
  const ferretdb = provision('ferretdb.sh', stock ? { FERRETDB_UNPATCHED: '1' } : {});
  const port = await findFreePort();
  const stateDir = path.join(workDir, 'ferretdb');
  mkdirSync(stateDir, { recursive: true });
  const servers: Server[] = [];
  let args = ferretdbArgs({ dataDir: stateDir, port });
  if (backend === 'sqlite-immediate') {
    args = args.map((a) => (a.startsWith('--sqlite-url=') ? `${a}?_txlock=immediate` : a));
  }
  if (backend === 'postgresql') {
    const pg = await startPostgres(workDir);
    servers.push(pg.server);
    args = args
      .filter((a) => !a.startsWith('--sqlite-url=') && a !== '--handler=sqlite')
      .concat(['--handler=postgresql', `--postgresql-url=${pg.url}`]);
  }
  const server = startProcess('ferretdb', ferretdb, args, path.join(workDir, 'ferretdb.log'));
  servers.push(server);
  await waitForPort(port, { what: 'FerretDB', stillAlive: () => server.process.exitCode === null });
  return { uri: `mongodb://127.0.0.1:${port}/?directConnection=true`, servers };
}

/**
 * initdb and start PostgreSQL in workDir. PostgreSQL refuses to run as root; as root (a container)
 * it runs as `nobody` from a copy of the tree (the cache under /root is not readable by nobody).
 */
async function startPostgres(workDir: string): Promise<{ server: Server; url: string }> {
  const postgresBin = provision('postgresql.sh');
  let root = path.resolve(path.dirname(postgresBin), '../../../../..');
  const asRoot = process.getuid?.() === 0;
  const pgDir = path.join(workDir, 'postgresql');
  mkdirSync(pgDir, { recursive: true });
  chmodSync(workDir, 0o755);
  let wrap: string[] = [];
  if (asRoot) {
    const copy = path.join(workDir, 'postgresql-tree');
    cpSync(root, copy, { recursive: true, verbatimSymlinks: true });
    root = copy;
    const nobody = Number(execFileSync('id', ['-u', 'nobody']).toString());
    const nogroup = Number(execFileSync('id', ['-g', 'nobody']).toString());
    chownSync(pgDir, nobody, nogroup);
    wrap = ['setpriv', `--reuid=${nobody}`, `--regid=${nogroup}`, '--clear-groups'];
  }
  const binDir = path.join(root, 'usr/lib/postgresql/15/bin');
  const env = { LD_LIBRARY_PATH: path.join(root, 'lib') };
  const dataDir = path.join(pgDir, 'data');
  const command = (bin: string, args: string[]): [string, string[]] =>
    wrap.length ? [wrap[0]!, [...wrap.slice(1), path.join(binDir, bin), ...args]] : [path.join(binDir, bin), args];
  const [initdb, initdbArgs] = command('initdb', [
    '-D',
    dataDir,
    '-U',
    'ferretdb',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  execFileSync(initdb, initdbArgs, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  const port = await findFreePort();
  // Defaults otherwise (fsync and synchronous_commit on), like SQLite's WAL with its defaults.
  const [postgres, postgresArgs] = command('postgres', [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${pgDir}`,
    '-c',
    'max_connections=200',
  ]);
  const server = startProcess('postgresql', postgres, postgresArgs, path.join(workDir, 'postgresql.log'), env);
  server.withChildren = true;
  await waitForPort(port, { what: 'PostgreSQL', stillAlive: () => server.process.exitCode === null });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { server, url: `postgres://ferretdb@127.0.0.1:${port}/postgres` };
}

// ---------------------------------------------------------------------------------------------
// Data shaped like ours

const STATUSES = ['active', 'active', 'active', 'active', 'active', 'active', 'paused', 'promised', 'plan', 'closed'];
const OPENED_FROM = Date.parse('2026-01-05T08:00:00Z');

function caseIdOf(i: number): string {
  return `c_${i.toString(16).padStart(8, '0')}${randomSuffix(i)}`;
}
function randomSuffix(i: number): string {
  return ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
}

function caseRecord(i: number): Document {
  const caseId = caseIdOf(i);
  return {
    _id: caseId,
    caseId,
    reference: `INV-2026-${String(i).padStart(6, '0')}`,
    idempotencyHash: randomBytes(32).toString('hex'),
    status: STATUSES[i % STATUSES.length],
    stage: 'reminder_1',
    openedAt: new Date(OPENED_FROM + i * 60_000),
    balanceCents: 10_000 + ((i * 7919) % 5_000_000),
    creditor: {
      id: `creditor-${i % 20}`,
      name: 'ACME Maintenance Industrielle SAS',
      address: '1 rue de la Paix, 75001 Paris',
      paymentInstructions: 'Virement au compte IBAN FR76 3000 6000 0112 3456 7890 189 en rappelant la référence.',
    },
    debtor: {
      kind: i % 3 === 0 ? 'consumer' : 'business',
      name: `Dupont et Fils SARL ${i}`,
      email: `compta-${i}@dupont.example`,
      phone: '+33612345678',
      address: '5 avenue Foch, 69006 Lyon',
      siren: '552100554',
    },
    claim: {
      nature: 'Prestations de maintenance préventive et curative, contrat annuel',
      basis: 'Bon de commande BC-778 signé le 2 septembre 2026 et conditions générales de vente acceptées',
      type: 'commercial',
      currency: 'EUR',
      invoices: [1, 2, 3].map((n) => ({
        number: `F-${i}-${n}`,
        issueDate: '2026-09-01',
        dueDate: '2026-10-01',
        performanceDate: '2026-08-31',
        amountCents: 50_000 + n * 1_000,
      })),
    },
    policy: 'standard',
    contacts: { emailOptOut: false, smsOptOut: false, lastContactAt: new Date(OPENED_FROM + i * 60_000 + 86_400_000) },
    workflowStartedAt: new Date(OPENED_FROM + i * 60_000 + 150),
    revision: 3,
    notes: 'Débiteur joint par téléphone, promet un règlement partiel avant la fin du mois. '.repeat(3),
  };
}

function journalEntry(caseId: string, seq: number, at: number): Document {
  return {
    _id: `${caseId}:${String(seq).padStart(4, '0')}`,
    caseId,
    seq,
    at: new Date(at),
    kind: seq % 2 ? 'message_sent' : 'reminder_scheduled',
    text: `Relance n° ${seq} envoyée par courriel : 1 520,00 € restant dus, échéance du 31 octobre 2026 (Paris).`,
    actor: 'system',
  };
}

async function fill(db: Db, from: number, to: number): Promise<number> {
  const started = Date.now();
  const cases = db.collection('cases');
  const journal = db.collection('journal');
  for (let start = from; start < to; start += 500) {
    const batch: Document[] = [];
    const entries: Document[] = [];
    for (let i = start; i < Math.min(to, start + 500); i++) {
      const record = caseRecord(i);
      batch.push(record);
      for (let seq = 1; seq <= JOURNAL_PER_CASE; seq++) {
        entries.push(journalEntry(record._id as string, seq, OPENED_FROM + i * 60_000 + seq * 3_600_000));
      }
    }
    await cases.insertMany(batch, { ordered: false });
    for (let k = 0; k < entries.length; k += 1000)
      await journal.insertMany(entries.slice(k, k + 1000), { ordered: false });
  }
  return (Date.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface OpResult {
  op: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerOp: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function measure(
  op: string,
  servers: Server[],
  budgetMs: number,
  work: (n: number) => Promise<unknown>,
): Promise<OpResult> {
  const samples: number[] = [];
  const cpuBefore = serverCpuSeconds(servers);
  const deadline = Date.now() + budgetMs;
  // At least 5 samples even for a slow scan, at most 300 for a fast look-up.
  while (samples.length < 5 || (samples.length < 300 && Date.now() < deadline)) {
    const started = process.hrtime.bigint();
    await work(samples.length);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const cpu = serverCpuSeconds(servers) - cpuBefore;
  samples.sort((a, b) => a - b);
  return {
    op,
    samples: samples.length,
    p50Ms: round(quantile(samples, 0.5)),
    p99Ms: round(quantile(samples, 0.99)),
    serverCpuMsPerOp: round((cpu * 1000) / samples.length),
  };
}

const round = (x: number): number => Math.round(x * 10) / 10;

async function sequentialOps(
  db: Db,
  size: number,
  servers: Server[],
  budgetMs: number,
  run: number,
): Promise<OpResult[]> {
  const cases = db.collection('cases');
  const journal = db.collection('journal');
  const pick = (n: number): number => (n * 7_368_787 + run * 104_729) % size;
  const fresh = (n: number): string => `new_${size}_${run}_${n}_${randomBytes(4).toString('hex')}`;
  const results: OpResult[] = [];
  results.push(
    await measure('findOne({_id})', servers, budgetMs, (n) => cases.findOne({ _id: caseIdOf(pick(n)) } as Document)),
  );
  results.push(
    await measure('findOne({caseId}) unique index', servers, budgetMs, (n) =>
      cases.findOne({ caseId: caseIdOf(pick(n)) }),
    ),
  );
  results.push(
    await measure('find({status}).sort({openedAt:-1}).limit(21)', servers, budgetMs, () =>
      cases.find({ status: 'paused' }).sort({ openedAt: -1 }).limit(21).toArray(),
    ),
  );
  results.push(
    await measure('journal find({caseId}) (10 of 10×N)', servers, budgetMs, (n) =>
      journal.find({ caseId: caseIdOf(pick(n)) }).toArray(),
    ),
  );
  results.push(
    await measure('insertOne', servers, budgetMs, (n) => {
      const id = fresh(n);
      return cases.insertOne({ ...caseRecord(size + 1), _id: id, caseId: id } as Document);
    }),
  );
  results.push(
    await measure('replaceOne({_id})', servers, budgetMs, (n) => {
      const record = caseRecord(pick(n));
      return cases.replaceOne({ _id: record._id } as Document, { ...record, revision: 4 + n });
    }),
  );
  results.push(
    await measure('updateOne({_id},{$set})', servers, budgetMs, (n) =>
      cases.updateOne({ _id: caseIdOf(pick(n)) } as Document, { $set: { stage: 'reminder_2', revision: 5 + n } }),
    ),
  );
  return results;
}

interface ConcurrencyResult {
  test: string;
  attempts: number;
  succeeded: number;
  busyErrors: number;
  duplicateKeyErrors: number;
  otherErrors: number;
  /** Acknowledged updates missing from the document (updates), or rounds without exactly one winner (races). */
  lost: number;
  sampleError?: string;
  wallMs: number;
}

function classify(error: unknown): 'busy' | 'duplicate' | 'other' {
  const e = error as { code?: unknown; message?: unknown };
  if (e.code === 11000) return 'duplicate';
  if (/database is locked|SQLITE_BUSY|busy/i.test(String(e.message))) return 'busy';
  return 'other';
}

async function concurrency(db: Db, size: number, run: number): Promise<ConcurrencyResult[]> {
  const cases = db.collection('cases');
  const hot = db.collection('hot');
  const tag = `${size}_${run}_${randomBytes(3).toString('hex')}`;
  const results: ConcurrencyResult[] = [];

  const round32 = async (
    test: string,
    attempt: (r: number, i: number) => Promise<boolean>,
    check: (r: number, succeeded: number) => Promise<number>,
    rounds = ROUNDS,
  ): Promise<void> => {
    const result: ConcurrencyResult = {
      test,
      attempts: 0,
      succeeded: 0,
      busyErrors: 0,
      duplicateKeyErrors: 0,
      otherErrors: 0,
      lost: 0,
      wallMs: 0,
    };
    const started = Date.now();
    for (let r = 0; r < rounds; r++) {
      let succeededThisRound = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, i) => {
          result.attempts++;
          try {
            if (await attempt(r, i)) succeededThisRound++;
          } catch (error) {
            const kind = classify(error);
            if (kind === 'busy') result.busyErrors++;
            else if (kind === 'duplicate') result.duplicateKeyErrors++;
            else result.otherErrors++;
            if (kind !== 'duplicate') result.sampleError ??= String((error as Error).message).slice(-200);
          }
        }),
      );
      result.succeeded += succeededThisRound;
      result.lost += await check(r, succeededThisRound);
    }
    result.wallMs = Date.now() - started;
    results.push(result);
  };

  await round32(
    `${CONCURRENCY} concurrent inserts (distinct _id)`,
    async (r, i) => {
      const id = `conc_${tag}_${r}_${i}`;
      await cases.insertOne({ ...caseRecord(size + 2), _id: id, caseId: id } as Document);
      return true;
    },
    async () => 0,
  );
  await hot.insertMany(
    Array.from({ length: ROUNDS }, (_, r) => ({ _id: `hot_${tag}_${r}`, n: 0, log: [] }) as Document),
  );
  await round32(
    `${CONCURRENCY} concurrent $inc+$push to ONE document`,
    async (r, i) => {
      const res = await hot.updateOne(
        { _id: `hot_${tag}_${r}` } as Document,
        { $inc: { n: 1 }, $push: { log: i } } as Document,
      );
      return res.modifiedCount === 1;
    },
    async (r, acknowledged) => {
      const doc = await hot.findOne({ _id: `hot_${tag}_${r}` } as Document);
      const n = Number(doc?.n ?? 0);
      const pushed = (doc?.log as unknown[] | undefined)?.length ?? 0;
      return acknowledged - Math.min(n, pushed);
    },
  );
  await round32(
    `${CONCURRENCY} concurrent inserts of ONE _id`,
    async (r) => {
      const id = `dup_${tag}_${r}`;
      await cases.insertOne({ ...caseRecord(size + 3), _id: id, caseId: id } as Document);
      return true;
    },
    async (_r, succeeded) => (succeeded === 1 ? 0 : 1),
  );
  await round32(
    `${CONCURRENCY} concurrent inserts of ONE unique caseId`,
    async (r, i) => {
      await cases.insertOne({
        ...caseRecord(size + 4),
        _id: `uniq_${tag}_${r}_${i}`,
        caseId: `uniq_${tag}_${r}`,
      } as Document);
      return true;
    },
    async (_r, succeeded) => (succeeded === 1 ? 0 : 1),
  );
  await round32(
    `${CONCURRENCY} concurrent updateOne({_id},{$set}) to distinct documents`,
    async (r, i) => {
      const res = await cases.updateOne({ _id: caseIdOf((r * CONCURRENCY + i) % size) } as Document, {
        $set: { stage: `conc_${tag}_${r}` },
      });
      return res.matchedCount === 1;
    },
    async () => 0,
  );
  // The projection's "revisions only move forward": a conditional replace. The guard holds only
  // if the server checks and writes atomically; the highest revision must be the one left.
  const guarded = db.collection('guarded');
  await guarded.insertMany(
    Array.from({ length: ROUNDS }, (_, r) => ({ _id: `g_${tag}_${r}`, revision: -1 }) as Document),
  );
  await round32(
    `${CONCURRENCY} concurrent replaceOne({_id, revision: {$lt: r}}) to ONE document`,
    async (r, i) => {
      const res = await guarded.replaceOne({ _id: `g_${tag}_${r}`, revision: { $lt: i } } as Document, { revision: i });
      return res.modifiedCount === 1;
    },
    async (r) => {
      const doc = await guarded.findOne({ _id: `g_${tag}_${r}` } as Document);
      return doc?.revision === CONCURRENCY - 1 ? 0 : 1;
    },
  );
  // A fresh stack: the first writes also create the collection (and FerretDB's metadata).
  await round32(
    `${CONCURRENCY} concurrent inserts into a collection not yet created`,
    async (r, i) => {
      await db.collection(`fresh_${tag}_${r}`).insertOne({ _id: `f_${i}`, at: new Date() } as Document);
      return true;
    },
    async (r, succeeded) => succeeded - (await db.collection(`fresh_${tag}_${r}`).countDocuments()),
  );
  // The API under load: writers beside queries FerretDB over SQLite cannot push down (one round:
  // at 10k cases each scan takes seconds).
  await round32(
    `${CONCURRENCY} mixed: 24 writes (insert, $set, replace) beside 8 findOne({caseId}) scans, 1 round`,
    async (r, i) => {
      const id = caseIdOf((i * 7_919 + r) % size);
      if (i % 4 === 3) return (await cases.findOne({ caseId: id })) !== null;
      if (i % 4 === 0) {
        const fresh = `mixed_${tag}_${r}_${i}`;
        await cases.insertOne({ ...caseRecord(size + 5), _id: fresh, caseId: fresh } as Document);
        return true;
      }
      if (i % 4 === 1)
        return (await cases.updateOne({ _id: id } as Document, { $set: { stage: 'mixed' } })).matchedCount === 1;
      const record = caseRecord((i * 7_919 + r) % size);
      return (await cases.replaceOne({ _id: record._id } as Document, record)).matchedCount === 1;
    },
    async () => 0,
    1,
  );
  return results;
}

interface Explained {
  query: string;
  filterPushdown?: boolean;
  sortPushdown?: boolean;
  limitPushdown?: boolean;
  plan?: string;
  planText?: string;
}

async function explainQueries(db: Db): Promise<Explained[]> {
  const queries: [string, Document][] = [
    ['cases {_id}', { find: 'cases', filter: { _id: caseIdOf(1) } }],
    ['cases {caseId}', { find: 'cases', filter: { caseId: caseIdOf(1) } }],
    [
      'cases {status} sort openedAt limit 21',
      { find: 'cases', filter: { status: 'paused' }, sort: { openedAt: -1 }, limit: 21 },
    ],
    ['journal {caseId}', { find: 'journal', filter: { caseId: caseIdOf(1) } }],
  ];
  const out: Explained[] = [];
  for (const [query, command] of queries) {
    try {
      const res = await db.command({ explain: command });
      const planText = JSON.stringify(res.queryPlanner ?? {});
      out.push({
        query,
        filterPushdown: res.filterPushdown as boolean | undefined,
        sortPushdown: res.sortPushdown as boolean | undefined,
        limitPushdown: res.limitPushdown as boolean | undefined,
        // The access path, most selective first (a plan may name several).
        plan:
          ['Index Scan', 'Index Only Scan', 'Bitmap Index Scan', 'SEARCH', 'Seq Scan', 'SCAN'].find((p) =>
            planText.includes(p),
          ) ?? planText.slice(0, 120),
        planText: planText.slice(0, 800),
      });
    } catch (error) {
      out.push({ query, plan: `explain failed: ${(error as Error).message}` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

interface SizeReport {
  backend: BackendName;
  size: number;
  journalDocs: number;
  caseDocBytes: number;
  fillSeconds: number;
  explain: Explained[];
  runs: { run: number; ops: OpResult[]; concurrency: ConcurrencyResult[] }[];
}

async function benchBackend(backend: BackendName, options: Options, reports: SizeReport[]): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), `amiable-bench-db-${backend}-`));
  console.error(`\n== ${backend} (data in ${workDir})`);
  const stack = await startStack(backend, workDir);
  const client = new MongoClient(stack.uri, { retryWrites: false, maxPoolSize: 64, serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const db = client.db('bench');
    await db.collection('cases').createIndex({ caseId: 1 }, { unique: true });
    await db.collection('cases').createIndex({ status: 1, openedAt: -1 });
    await db.collection('journal').createIndex({ caseId: 1 });
    await db.collection('hot').insertOne({ _id: 'warm-up' } as Document);
    let filled = 0;
    // sqlite-immediate differs only under concurrent writers: it is measured at the smallest size.
    const sizes = backend === 'sqlite-immediate' ? options.sizes.slice(0, 1) : options.sizes;
    for (const size of sizes) {
      const fillSeconds = await fill(db, filled, size);
      filled = size;
      console.error(
        `${backend}: ${size} cases + ${size * JOURNAL_PER_CASE} journal entries (fill ${fillSeconds.toFixed(0)} s)`,
      );
      const report: SizeReport = {
        backend,
        size,
        journalDocs: size * JOURNAL_PER_CASE,
        caseDocBytes: BSON.calculateObjectSize(caseRecord(1)),
        fillSeconds,
        explain: await explainQueries(db),
        runs: [],
      };
      for (let run = 1; run <= options.runs; run++) {
        const ops =
          backend === 'sqlite-immediate' ? [] : await sequentialOps(db, size, stack.servers, options.budgetMs, run);
        const conc = await concurrency(db, size, run);
        report.runs.push({ run, ops, concurrency: conc });
        for (const o of ops)
          console.error(
            `  run ${run} ${o.op}: p50 ${o.p50Ms} ms p99 ${o.p99Ms} ms cpu ${o.serverCpuMsPerOp} ms/op (${o.samples})`,
          );
        for (const c of conc) {
          console.error(
            `  run ${run} ${c.test}: ok ${c.succeeded}/${c.attempts} busy ${c.busyErrors} dup ${c.duplicateKeyErrors} other ${c.otherErrors} lost ${c.lost}${c.sampleError ? ` (${c.sampleError})` : ''}`,
          );
        }
      }
      reports.push(report);
    }
  } finally {
    await client.close().catch(() => undefined);
    stopping = true;
    for (const server of [...stack.servers].reverse()) await stopProcess(server);
    stopping = false;
    rmSync(workDir, { recursive: true, force: true });
  }
}

function markdown(reports: SizeReport[]): string {
  const lines: string[] = [];
  lines.push('| backend | size | operation | p50 ms (run 1 / 2) | p99 ms (run 1 / 2) | server CPU ms/op (run 1 / 2) |');
  lines.push('| --- | ---: | --- | ---: | ---: | ---: |');
  for (const report of reports) {
    const ops = report.runs[0]?.ops ?? [];
    for (const [i, op] of ops.entries()) {
      const all = report.runs.map((r) => r.ops[i]!);
      const cell = (f: (o: OpResult) => number) => all.map(f).join(' / ');
      lines.push(
        `| ${report.backend} | ${report.size} | ${op.op} | ${cell((o) => o.p50Ms)} | ${cell((o) => o.p99Ms)} | ${cell((o) => o.serverCpuMsPerOp)} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    `| backend | size | concurrency test (${ROUNDS} rounds × ${CONCURRENCY}) | succeeded | busy errors | other errors | lost (writes or rounds) |`,
  );
  lines.push('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const report of reports) {
    const tests = report.runs[0]?.concurrency ?? [];
    for (const [i, test] of tests.entries()) {
      const all = report.runs.map((r) => r.concurrency[i]!);
      const cell = (f: (c: ConcurrencyResult) => number) => all.map(f).join(' / ');
      lines.push(
        `| ${report.backend} | ${report.size} | ${test.test} | ${cell((c) => c.succeeded)} | ${cell((c) => c.busyErrors)} | ${cell((c) => c.otherErrors)} | ${cell((c) => c.lost)} |`,
      );
    }
  }
  lines.push('');
  lines.push('| backend | size | query | filter pushed down | sort pushed down | plan |');
  lines.push('| --- | ---: | --- | --- | --- | --- |');
  for (const report of reports) {
    for (const e of report.explain) {
      lines.push(
        `| ${report.backend} | ${report.size} | ${e.query} | ${e.filterPushdown ?? '?'} | ${e.sortPushdown ?? '?'} | ${e.plan ?? ''} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const reports: SizeReport[] = [];
  for (const backend of options.backends) await benchBackend(backend, options, reports);
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(
    options.out,
    JSON.stringify({ at: new Date().toISOString(), cpus: os.cpus().length, options, reports }, null, 2),
  );
  console.log(markdown(reports));
  console.log(`\n(JSON: ${options.out})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
