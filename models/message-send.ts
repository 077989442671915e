import { Schema, type Connection, type InferSchemaType } from 'mongoose';

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
 * The exactly-once guard of outgoing messages, one per idempotency key. It holds no personal data
 * and no message text: the journal holds what was sent.
 */
export const messageSendSchema = new Schema(
  {
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

messageSendSchema.index({ idempotencyKey: 1 }, { unique: true });
// Twilio's status callbacks name the message by its SID only.
messageSendSchema.index({ providerMessageId: 1 }, { sparse: true });

export type MessageSend = InferSchemaType<typeof messageSendSchema>;

const compile = (connection: Connection) => connection.model('MessageSend', messageSendSchema);
export type MessageSendModel = ReturnType<typeof compile>;

export function messageSendModel(connection: Connection): MessageSendModel {
  return (connection.models.MessageSend as MessageSendModel | undefined) ?? compile(connection);
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
  const { modifiedCount } = await model.updateOne({ idempotencyKey, state: 'unknown' }, { $set: settled });
  return modifiedCount === 1;
}
