import type { MessageTransport, OutboundMessage } from './transport';

/**
 * The transport used while no provider is configured: nothing leaves the machine, and the case's
 * journal says `simulated`. The outbox lets tests (and a local demo) read what would have been sent.
 * It holds personal data in memory, so it keeps only the latest messages: a worker that runs for
 * months must not accumulate every debtor it ever wrote to.
 */
export class SimulatedTransport implements MessageTransport {
  readonly simulated = true;
  readonly outbox: OutboundMessage[] = [];

  constructor(private readonly outboxLimit = 1_000) {}

  async send(message: OutboundMessage): Promise<{ providerMessageId: string }> {
    this.outbox.push({ ...message });
    if (this.outbox.length > this.outboxLimit) this.outbox.splice(0, this.outbox.length - this.outboxLimit);
    return { providerMessageId: `sim-${message.idempotencyKey}` };
  }
}
