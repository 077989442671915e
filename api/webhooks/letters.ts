/**
 * The registered-letter provider's events (posted, delivered with the signed acknowledgement,
 * returned…), as JSON signed with the shared secret (activities/transports/hmac-signature.ts):
 * providers each have their own format, and the adapter in front of one speaks this.
 */
import { z } from 'zod';
import { zodProblems, type FieldProblem } from '../errors';
import { LETTER_EVENT_KINDS, type LetterEvent } from './inbound-events';

export const letterEventsBody = z.strictObject({
  events: z
    .array(
      z.strictObject({
        eventId: z.string().min(1).max(200),
        reference: z.string().min(1).max(300),
        event: z.enum(LETTER_EVENT_KINDS),
        trackingNumber: z.string().min(1).max(100).optional(),
        at: z.iso.datetime({ offset: true }),
      }),
    )
    .min(1)
    .max(500),
});

export type LetterParse = { ok: true; events: LetterEvent[] } | { ok: false; problems: FieldProblem[] };

export function parseLetterEvents(payload: string): LetterParse {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { ok: false, problems: [{ path: 'body', reason: 'is not valid JSON' }] };
  }
  const parsed = letterEventsBody.safeParse(json);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error, 'body') };
  return {
    ok: true,
    events: parsed.data.events.map((event) => ({
      kind: 'letter_event',
      provider: 'letter',
      eventId: event.eventId,
      idempotencyKey: event.reference,
      event: event.event,
      ...(event.trackingNumber ? { trackingNumber: event.trackingNumber } : {}),
      at: new Date(event.at),
    })),
  };
}
