/**
 * The message providers, from the environment. Each channel is real when its credentials are set
 * and simulated otherwise (the journal then says `simulated`). Half a configuration (a key without
 * a sender, an account without its token) is refused at start-up, naming the missing variable:
 * silently falling back to simulation would look like sending while sending nothing.
 */
import { z } from 'zod';
import { ConfigError } from './index';

type Env = Record<string, string | undefined>;

const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const seconds = z
  .string()
  .regex(/^\d{1,6}$/, 'must be a whole number of seconds')
  .transform((value) => Number(value));

export const channelsEnvSchema = z.object({
  SENDGRID_API_KEY: z.string().min(1).optional(),
  SENDGRID_FROM_EMAIL: z.email('must be an e-mail address').optional(),
  SENDGRID_FROM_NAME: z.string().min(1).optional(),
  SENDGRID_REPLY_TO: z.email('must be an e-mail address').optional(),
  /** A local stand-in or a regional endpoint instead of https://api.sendgrid.com. */
  SENDGRID_BASE_URL: url.optional(),
  SENDGRID_SANDBOX_MODE: flag.optional(),
  /** The Event Webhook's verification key (base64), from SendGrid's Mail Settings. */
  SENDGRID_WEBHOOK_VERIFICATION_KEY: z.string().min(1).optional(),
  /** The account has the Email Activity API: a send left unsettled by a crash is looked up there. */
  SENDGRID_EMAIL_ACTIVITY: flag.optional(),
  /** How far the Email Activity feed may lag behind a send: "not found" is believed only after it. */
  SENDGRID_ACTIVITY_SETTLE_SECONDS: seconds.optional(),

  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be an account SID (AC followed by 32 hex digits)')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM_NUMBER: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +33612345678')
    .optional(),
  TWILIO_MESSAGING_SERVICE_SID: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must be a messaging service SID (MG…)')
    .optional(),
  /** A local stand-in instead of https://api.twilio.com. */
  TWILIO_BASE_URL: url.optional(),
  /** How long after a lost call a message list without it is believed. */
  TWILIO_LOOKUP_SETTLE_SECONDS: seconds.optional(),

  /** Where providers reach this API from the internet: Twilio's callbacks and signatures use it. */
  PUBLIC_BASE_URL: url.optional(),

  LETTER_PROVIDER_URL: url.optional(),
  LETTER_PROVIDER_TOKEN: z.string().min(1).optional(),
  /** Shared secret of the letter provider's event callbacks (proof of posting and of receipt). */
  LETTER_PROVIDER_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /** Send the mise en demeure as an LRE whenever the law allows it (CPCE L100); paper otherwise. */
  LRE_PREFERRED: flag.optional(),

  HANDOFF_WEBHOOK_URL: url.optional(),
  HANDOFF_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  HANDOFF_EMAIL: z.email('must be an e-mail address').optional(),
});

export interface ChannelsConfig {
  email?: {
    apiKey: string;
    from: { email: string; name?: string };
    replyTo?: string;
    baseUrl?: string;
    sandboxMode: boolean;
    emailActivity?: { settleMs: number };
  };
  emailWebhook?: { verificationKey: string };
  sms?: {
    accountSid: string;
    authToken: string;
    from?: string;
    messagingServiceSid?: string;
    baseUrl?: string;
    statusCallbackUrl?: string;
    lookupSettleMs?: number;
  };
  publicBaseUrl?: string;
  letter?: { url: string; token: string };
  letterWebhook?: { secret: string };
  preferElectronicRegisteredMail: boolean;
  handoff?: { webhook: { url: string; secret?: string } } | { email: string };
}

function requireTogether(env: Env, names: string[], problems: string[]): boolean {
  const set = names.filter((name) => env[name]);
  if (set.length === 0) return false;
  for (const name of names) if (!env[name]) problems.push(`${name}: required when ${set.join(', ')} is set`);
  return set.length === names.length;
}

/** SendGrid documents no bound on the feed's lag; ten minutes covers what is usually seen. */
const DEFAULT_ACTIVITY_SETTLE_SECONDS = 600;

export function loadChannelsConfig(rawEnv: Env = process.env): ChannelsConfig {
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = channelsEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const config: ChannelsConfig = {
    preferElectronicRegisteredMail: e.LRE_PREFERRED ?? false,
    ...(e.PUBLIC_BASE_URL ? { publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, '') } : {}),
  };
  if (requireTogether(env, ['SENDGRID_API_KEY', 'SENDGRID_FROM_EMAIL'], problems)) {
    config.email = {
      apiKey: e.SENDGRID_API_KEY!,
      from: { email: e.SENDGRID_FROM_EMAIL!, ...(e.SENDGRID_FROM_NAME ? { name: e.SENDGRID_FROM_NAME } : {}) },
      ...(e.SENDGRID_REPLY_TO ? { replyTo: e.SENDGRID_REPLY_TO } : {}),
      ...(e.SENDGRID_BASE_URL ? { baseUrl: e.SENDGRID_BASE_URL } : {}),
      sandboxMode: e.SENDGRID_SANDBOX_MODE ?? false,
      ...(e.SENDGRID_EMAIL_ACTIVITY
        ? {
            emailActivity: { settleMs: (e.SENDGRID_ACTIVITY_SETTLE_SECONDS ?? DEFAULT_ACTIVITY_SETTLE_SECONDS) * 1000 },
          }
        : {}),
    };
  }
  if (e.SENDGRID_WEBHOOK_VERIFICATION_KEY) {
    config.emailWebhook = { verificationKey: e.SENDGRID_WEBHOOK_VERIFICATION_KEY };
  }
  if (requireTogether(env, ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'], problems)) {
    if (!e.TWILIO_FROM_NUMBER && !e.TWILIO_MESSAGING_SERVICE_SID) {
      problems.push('TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID: one is required to send SMS');
    }
    config.sms = {
      accountSid: e.TWILIO_ACCOUNT_SID!,
      authToken: e.TWILIO_AUTH_TOKEN!,
      ...(e.TWILIO_FROM_NUMBER ? { from: e.TWILIO_FROM_NUMBER } : {}),
      ...(e.TWILIO_MESSAGING_SERVICE_SID ? { messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID } : {}),
      ...(e.TWILIO_BASE_URL ? { baseUrl: e.TWILIO_BASE_URL } : {}),
      ...(config.publicBaseUrl ? { statusCallbackUrl: `${config.publicBaseUrl}/webhooks/twilio/status` } : {}),
      ...(e.TWILIO_LOOKUP_SETTLE_SECONDS !== undefined
        ? { lookupSettleMs: e.TWILIO_LOOKUP_SETTLE_SECONDS * 1000 }
        : {}),
    };
  }
  if (requireTogether(env, ['LETTER_PROVIDER_URL', 'LETTER_PROVIDER_TOKEN'], problems)) {
    config.letter = { url: e.LETTER_PROVIDER_URL!, token: e.LETTER_PROVIDER_TOKEN! };
  }
  if (e.LETTER_PROVIDER_WEBHOOK_SECRET) config.letterWebhook = { secret: e.LETTER_PROVIDER_WEBHOOK_SECRET };
  if (e.HANDOFF_WEBHOOK_URL && e.HANDOFF_EMAIL) {
    problems.push('HANDOFF_WEBHOOK_URL, HANDOFF_EMAIL: set one destination for handoff dossiers, not both');
  } else if (e.HANDOFF_WEBHOOK_URL) {
    config.handoff = {
      webhook: {
        url: e.HANDOFF_WEBHOOK_URL,
        ...(e.HANDOFF_WEBHOOK_SECRET ? { secret: e.HANDOFF_WEBHOOK_SECRET } : {}),
      },
    };
  } else if (e.HANDOFF_EMAIL) {
    if (!config.email) problems.push('HANDOFF_EMAIL: needs SENDGRID_API_KEY and SENDGRID_FROM_EMAIL to send');
    config.handoff = { email: e.HANDOFF_EMAIL };
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * One line per channel for the start-up log: what is real, what is simulated. Never a secret. (Keys
 * such as `email` would be redacted by the logger, which hides personal data under those names.)
 */
export function describeChannels(config: ChannelsConfig): Record<string, string> {
  return {
    emailProvider: config.email
      ? `SendGrid${config.email.baseUrl ? ` at ${config.email.baseUrl}` : ''}${config.email.emailActivity ? ', lost sends looked up in Email Activity' : ', lost sends settled by a person'}`
      : 'SIMULATED',
    smsProvider: config.sms ? `Twilio${config.sms.baseUrl ? ` at ${config.sms.baseUrl}` : ''}` : 'SIMULATED',
    letterProvider: config.letter ? `letter provider at ${new URL(config.letter.url).origin}` : 'SIMULATED',
    handoffDestination: config.handoff
      ? 'webhook' in config.handoff
        ? `webhook at ${new URL(config.handoff.webhook.url).origin}`
        : 'e-mail'
      : 'SIMULATED',
    inboundLetterEvents: config.letterWebhook ? 'verified (HMAC, shared secret)' : 'endpoint disabled',
    inboundEmailEvents: config.emailWebhook ? 'verified (SendGrid signed events)' : 'endpoint disabled',
    // Without a public URL Twilio cannot call back: sending works, delivery reports and replies do not.
    inboundSms: config.sms && config.publicBaseUrl ? 'verified (Twilio signatures)' : 'endpoint disabled',
  };
}
