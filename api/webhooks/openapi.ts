/**
 * The providers' webhooks in the OpenAPI description. They are not routes of the contract (no API
 * key: each provider signs its requests), but whoever configures SendGrid, Twilio or a letter
 * provider needs their URLs, signatures and answers in one place.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { errorBody } from '../schemas';
import { letterEventsBody } from './letters';
import { WEBHOOK_PATHS } from './router';

const refusals = {
  400: {
    description: '`validation_failed`: signed, but malformed (details name the field)',
    content: { 'application/json': { schema: errorBody } },
  },
  401: {
    description: '`unauthorized`: unsigned, forged, tampered or stale: nothing is recorded',
    content: { 'application/json': { schema: errorBody } },
  },
  404: {
    description: '`not_found`: this provider is not configured, so the endpoint does not exist',
    content: { 'application/json': { schema: errorBody } },
  },
  422: {
    description:
      '`unprocessable`: signed, but every event names a message we never sent (a misdirected webhook): nothing ' +
      'is recorded. In a request that also holds known events, those are recorded and the others dropped (counted ' +
      'as `unknown`).',
    content: { 'application/json': { schema: errorBody } },
  },
  503: {
    description:
      '`unavailable`: the event could not be recorded now; the provider delivers it again (idempotent by event id)',
    content: { 'application/json': { schema: errorBody } },
  },
};

const accepted = z.object({
  accepted: z.number().int(),
  ignored: z.number().int().meta({ description: 'Events of no use to us, or another sender’s on the account' }),
  unknown: z.number().int().meta({ description: 'Events naming a message we never sent: dropped, not journaled' }),
});
const twilioForm = z
  .record(z.string(), z.string())
  .meta({ description: 'Twilio’s form parameters, as Twilio sends them' });

export function registerWebhookPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: WEBHOOK_PATHS.sendgridEvents,
    operationId: 'sendgridEvents',
    tags: ['webhooks'],
    summary: 'SendGrid Event Webhook (signed): deliveries, bounces, unsubscribes, spam reports',
    description:
      'Verified with SENDGRID_WEBHOOK_VERIFICATION_KEY (ECDSA over timestamp + raw body, 5-minute window). ' +
      'Events find their case by the custom args caseId and idempotencyKey set on every e-mail. A bounce or a ' +
      'drop closes the e-mail channel; an unsubscribe or a spam report is an opt-out.',
    request: {
      body: { required: true, content: { 'application/json': { schema: z.array(z.record(z.string(), z.unknown())) } } },
    },
    responses: { 200: { description: 'Recorded', content: { 'application/json': { schema: accepted } } }, ...refusals },
  });
  registry.registerPath({
    method: 'post',
    path: WEBHOOK_PATHS.twilioStatus,
    operationId: 'twilioStatus',
    tags: ['webhooks'],
    summary: 'Twilio status callback (signed): SMS delivered, undelivered, failed',
    description:
      'X-Twilio-Signature over PUBLIC_BASE_URL + path and the parameters, with TWILIO_AUTH_TOKEN. An ' +
      'undeliverable number closes the SMS channel; error 21610 is an opt-out.',
    request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: twilioForm } } } },
    responses: { 204: { description: 'Recorded' }, ...refusals },
  });
  registry.registerPath({
    method: 'post',
    path: WEBHOOK_PATHS.twilioIncoming,
    operationId: 'twilioIncoming',
    tags: ['webhooks'],
    summary: 'Incoming SMS (signed): STOP is an opt-out, anything else a debtor reply',
    description:
      'Signed as the status callback. STOP, ARRET, UNSUBSCRIBE… (the whole message) close the SMS channel of ' +
      "every case of that number; any other text is journaled as the debtor's reply and holds the sequence. " +
      'Answers an empty TwiML response: nothing is ever sent back automatically.',
    request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: twilioForm } } } },
    responses: { 200: { description: 'Recorded', content: { 'text/xml': { schema: z.string() } } }, ...refusals },
  });
  registry.registerPath({
    method: 'post',
    path: WEBHOOK_PATHS.letterEvents,
    operationId: 'letterEvents',
    tags: ['webhooks'],
    summary: 'Registered-letter provider events (signed): proof of posting, acknowledgement of receipt, return',
    description:
      'X-Amiable-Signature: sha256=<hex HMAC-SHA256 of "<X-Amiable-Timestamp>.<raw body>"> with ' +
      'LETTER_PROVIDER_WEBHOOK_SECRET; the timestamp must be within 5 minutes. `reference` is the letter’s ' +
      'reference as sent. The events are cited by the handoff dossier as the proof of the mise en demeure; a ' +
      'letter returned undeliverable closes the postal channel.',
    request: { body: { required: true, content: { 'application/json': { schema: letterEventsBody } } } },
    responses: { 200: { description: 'Recorded', content: { 'application/json': { schema: accepted } } }, ...refusals },
  });
}
