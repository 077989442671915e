import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * - `sending`: claimed, the provider may have been called; if we find it so on a retry, the attempt
 *   that claimed it died and nobody knows whether the message left.
 * - `sent`: the provider accepted it (or the simulated transport did); the result is stored.
 * - `failed`: the provider did not take it (an error worth retrying); trying again cannot send it twice.
 * - `refused`: the provider refused it for good (invalid address, opt-out): never tried again.
 * - `unknown`: found `sending` after a crash; never sent again without a person looking.
 */
export const MESSAGE_SEND_STATES = ['sending', 'sent', 'failed', 'refused', 'unknown'] as const;
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
