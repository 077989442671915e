import type { ChannelsConfig } from '../../config/channels';
import type { WrittenChannel } from '../contracts';
import {
  EmailDossierDelivery,
  SimulatedDossierDelivery,
  WebhookDossierDelivery,
  type DossierDelivery,
} from '../handoff/delivery';
import { HttpLetterTransport } from './http-letter';
import { SendGridEmailTransport } from './sendgrid-email';
import { SimulatedTransport } from './simulated-transport';
import type { MessageTransport } from './transport';
import { TwilioSmsTransport } from './twilio-sms';

export interface Channels {
  transports: Record<WrittenChannel, MessageTransport>;
  dossierDelivery: DossierDelivery;
}

/** Real where configured, simulated everywhere else: the journal tells which. */
export function channelsFromConfig(config: ChannelsConfig): Channels {
  const email = config.email ? new SendGridEmailTransport(config.email) : new SimulatedTransport();
  const sms = config.sms ? new TwilioSmsTransport(config.sms) : new SimulatedTransport();
  const letter = config.letter ? new HttpLetterTransport(config.letter) : new SimulatedTransport();
  let dossierDelivery: DossierDelivery = new SimulatedDossierDelivery();
  if (config.handoff && 'webhook' in config.handoff)
    dossierDelivery = new WebhookDossierDelivery(config.handoff.webhook);
  else if (config.handoff) dossierDelivery = new EmailDossierDelivery(email, config.handoff.email);
  return { transports: { email, sms, letter }, dossierDelivery };
}
