import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { insertOnce, isDuplicateKey } from './connection';

/**
 * - `claimed`: an attempt owns the send and has not called the provider yet. Found so on a retry,
 *   the attempt died before the call: the message did not leave, and it is simply sent.
 * - `calling`: the provider call started at `callStartedAt`. Found so on a retry (or when the
 *   provider did not answer), nobody knows yet whether it left: the provider is asked.
 * - `sending`: written by versions before `claimed`/`calling`: the provider may have been called
 *   (since `claimedAt`); settled like `calling`.
 * - `sent`: the provider accepted it (or the simulated transport did); the result is stored.
 * - `failed`: the provider did not take it (an error worth retrying); trying again cannot send it twice.
 * - `refused`: the provider refused it for good (invalid address, opt-out): never tried again.
 * - `unknown`: the provider could not be asked; never sent again without a person looking.
 */
export const MESSAGE_SEND_STATES = ['claimed', 'calling', 'sending', 'sent', 'failed', 'refused', 'unknown'] as const;
/** The provider may have the message: what a retry must settle before anything else. */
export const IN_FLIGHT_STATES = ['calling', 'sending'] as const;
export type MessageSendState = (typeof MESSAGE_SEND_STATES)[number];

/**
 * The exactly-once guard of outgoing messages, one per idempotency key, which is its `_id`: every
 * look-up is `{_id}`, the only filter FerretDB over SQLite answers without reading the whole
 * collection. It holds no personal data and no message text: the journal holds what was sent.
 *
 * Who may write it, given that FerretDB's update reads then rewrites a document in two steps (two
 * concurrent writers lose one write, and a filter on anything but `_id` is a scan): the attempt that
 * holds the current claim, and nobody else while it holds it. Claims and calls are decided by
 * inserting a lock (`message_send_locks`, below), which is atomic on a unique `_id`; this document
 * only records what its current holder did, so it may lag behind the locks, never run ahead of them
 * (`currentSend` reads both). Once settled `unknown`, the manager's resolution moves it, while no
 * attempt holds it.
 */
export const messageSendSchema = new Schema(
  {
    _id: { type: String },
    idempotencyKey: { type: String, required: true },
    caseId: { type: String, required: true },
    channel: { type: String, required: true },
    stage: { type: String, required: true },
    state: { type: String, enum: MESSAGE_SEND_STATES, required: true },
    /** Claims so far: each provider call is one attempt, and its journal entry is keyed by it. */
    attempts: { type: Number, required: true, default: 1 },
    status: { type: String, enum: ['sent', 'simulated'] },
    providerMessageId: { type: String },
    summary: { type: String },
    claimedAt: { type: Date, required: true },
    /** The worker's clock as it called the provider: a lookup searches from there. */
    callStartedAt: { type: Date },
    settledAt: { type: Date },
  },
  { collection: 'message_sends', versionKey: false, strict: 'throw' },
);

// Documents written without an `_id` (tests, older callers) are keyed as every other one.
messageSendSchema.pre('validate', function keyedByIdempotencyKey() {
  if (this._id === undefined || this._id === null) this._id = this.idempotencyKey;
});

// Unique by `_id` (= the key): a second unique index would refuse the start-up migration's copy.

export type MessageSend = InferSchemaType<typeof messageSendSchema>;

const compile = (connection: Connection) => connection.model('MessageSend', messageSendSchema);
export type MessageSendModel = ReturnType<typeof compile>;

export function messageSendModel(connection: Connection): MessageSendModel {
  return (connection.models.MessageSend as MessageSendModel | undefined) ?? compile(connection);
}

/**
 * The locks of a send, each inserted once (a duplicate `_id` is the refusal, atomic in FerretDB as
 * in MongoDB):
 * - `claimLockId(key, n)`, n ≥ 2: attempt n owns the send (attempt 1's claim is the send's own insert);
 * - `callLockId(key, n)`: what became of attempt n, decided once: it called the provider (`calling`,
 *   at `callStartedAt`), or it was given up before calling (`retaken`) and will never call.
 * An attempt presumed dead that wakes up finds its call lock taken and does not call.
 */
export const messageSendLockSchema = new Schema(
  {
    _id: { type: String, required: true },
    state: { type: String, enum: ['claimed', 'calling', 'retaken'], required: true },
    at: { type: Date, required: true },
    callStartedAt: { type: Date },
  },
  { collection: 'message_send_locks', versionKey: false, strict: 'throw' },
);

export type MessageSendLock = InferSchemaType<typeof messageSendLockSchema>;
const compileLocks = (connection: Connection) => connection.model('MessageSendLock', messageSendLockSchema);
export type MessageSendLockModel = ReturnType<typeof compileLocks>;

export function messageSendLockModel(connection: Connection): MessageSendLockModel {
  return (connection.models.MessageSendLock as MessageSendLockModel | undefined) ?? compileLocks(connection);
}

export const claimLockId = (idempotencyKey: string, attempt: number): string => `${idempotencyKey}#${attempt}`;
export const callLockId = (idempotencyKey: string, attempt: number): string => `${idempotencyKey}#${attempt}:call`;

/** True when this call inserted the lock; false when someone else holds it. */
export async function takeLock(
  locks: MessageSendLockModel,
  lock: { _id: string; state: MessageSendLock['state']; at: Date; callStartedAt?: Date },
): Promise<boolean> {
  return insertOnce(() => locks.create(lock));
}

export type CurrentSend = MessageSend & { _id: string };

/**
 * The send as its locks tell it: a later claim than the document records (its attempt died before
 * writing it down) makes it `claimed` by that attempt; a claimed attempt whose call lock says it
 * called is `calling` (in flight); one given up before calling is `failed` (claimable). Two or
 * three look-ups by `_id`, and only while the send is unsettled.
 */
export async function currentSend(connection: Connection, idempotencyKey: string): Promise<CurrentSend | null> {
  const send = await messageSendModel(connection).findOne({ _id: idempotencyKey }).lean<CurrentSend>();
  if (!send || ['sent', 'refused', 'unknown'].includes(send.state)) return send;
  const locks = messageSendLockModel(connection);
  const current = { ...send };
  for (;;) {
    const next = await locks.findOne({ _id: claimLockId(idempotencyKey, current.attempts + 1) }).lean();
    if (!next) break;
    Object.assign(current, { attempts: current.attempts + 1, state: 'claimed', claimedAt: next.at });
  }
  if (current.state !== 'claimed') return current;
  const fate = await locks.findOne({ _id: callLockId(idempotencyKey, current.attempts) }).lean();
  if (fate?.state === 'calling') return { ...current, state: 'calling', callStartedAt: fate.callStartedAt ?? fate.at };
  if (fate?.state === 'retaken') return { ...current, state: 'failed' };
  return current;
}

/**
 * Twilio's status callbacks (and SendGrid events without our custom args) name a message by the
 * provider's id only: this document, `_id` = that id, inserted once when the provider answers,
 * finds the send without a scan.
 */
export const providerRefSchema = new Schema(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    caseId: { type: String, required: true },
  },
  { collection: 'provider_refs', versionKey: false, strict: 'throw' },
);

const compileRefs = (connection: Connection) => connection.model('ProviderRef', providerRefSchema);
export type ProviderRefModel = ReturnType<typeof compileRefs>;

export function providerRefModel(connection: Connection): ProviderRefModel {
  return (connection.models.ProviderRef as ProviderRefModel | undefined) ?? compileRefs(connection);
}

export async function rememberProviderMessage(
  connection: Connection,
  ref: { providerMessageId: string; idempotencyKey: string; caseId: string },
): Promise<void> {
  try {
    await providerRefModel(connection).create({
      _id: ref.providerMessageId,
      idempotencyKey: ref.idempotencyKey,
      caseId: ref.caseId,
    });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

/** The send a provider's message id belongs to, by `_id`. */
export async function sendOfProviderMessage(
  connection: Connection,
  providerMessageId: string,
): Promise<{ idempotencyKey: string; caseId: string } | null> {
  return providerRefModel(connection).findOne({ _id: providerMessageId }).lean();
}

/**
 * A person settles a send whose outcome is unknown: `left` (the provider shows it: settled as
 * sent) or `send_again` (the provider never had it: claimable once more, under the same key).
 * Only an `unknown` send moves; false when it was not (already settled, or never unknown).
 */
export async function resolveUnknownSend(
  model: MessageSendModel,
  idempotencyKey: string,
  resolution: 'left' | 'send_again',
  summary: string,
): Promise<boolean> {
  const settled =
    resolution === 'left'
      ? { state: 'sent', status: 'sent', summary, settledAt: new Date() }
      : { state: 'failed', summary };
  // Read, then written by `_id`: an `unknown` send is held by no attempt (the case waits for the
  // manager), and the alert's acknowledgement lock lets one manager's resolution through.
  const send = await model.findOne({ _id: idempotencyKey }, { state: 1 }).lean();
  if (send?.state !== 'unknown') return false;
  await model.updateOne({ _id: idempotencyKey }, { $set: settled });
  return true;
}
