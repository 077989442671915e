import { ConfigError } from '../../config';
import { describeChannels, loadChannelsConfig } from '../../config/channels';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadChannelsConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('message channels from the environment', () => {
  test('nothing set: every channel is simulated, and the start-up log says so', () => {
    const config = loadChannelsConfig({});
    expect(config).toEqual({ preferElectronicRegisteredMail: false });
    expect(describeChannels(config)).toMatchObject({
      emailProvider: 'SIMULATED',
      smsProvider: 'SIMULATED',
      letterProvider: 'SIMULATED',
      handoffDestination: 'SIMULATED',
    });
  });

  test('SendGrid and Twilio with base-URL overrides (local stand-ins)', () => {
    const config = loadChannelsConfig({
      SENDGRID_API_KEY: 'SG.key',
      SENDGRID_FROM_EMAIL: 'relances@acme.example',
      SENDGRID_BASE_URL: 'http://127.0.0.1:4010',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_FROM_NUMBER: '+33700000000',
      TWILIO_BASE_URL: 'http://127.0.0.1:4011',
      PUBLIC_BASE_URL: 'https://amiable.example/',
    });
    expect(config.email).toEqual({
      apiKey: 'SG.key',
      from: { email: 'relances@acme.example' },
      baseUrl: 'http://127.0.0.1:4010',
      sandboxMode: false,
    });
    expect(config.sms).toEqual({
      accountSid: SID,
      authToken: 'token',
      from: '+33700000000',
      baseUrl: 'http://127.0.0.1:4011',
      statusCallbackUrl: 'https://amiable.example/webhooks/twilio/status',
    });
    const described = describeChannels(config);
    expect(JSON.stringify(described)).not.toContain('SG.key');
    expect(JSON.stringify(described)).not.toContain('token');
  });

  test.each([
    [{ SENDGRID_API_KEY: 'SG.key' }, 'SENDGRID_FROM_EMAIL: required when SENDGRID_API_KEY is set'],
    [{ TWILIO_ACCOUNT_SID: SID }, 'TWILIO_AUTH_TOKEN: required when TWILIO_ACCOUNT_SID is set'],
    [
      { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't' },
      'TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID: one is required to send SMS',
    ],
    [{ TWILIO_ACCOUNT_SID: 'nope' }, 'TWILIO_ACCOUNT_SID: must be an account SID (AC followed by 32 hex digits)'],
    [
      { LETTER_PROVIDER_URL: 'https://post.example' },
      'LETTER_PROVIDER_TOKEN: required when LETTER_PROVIDER_URL is set',
    ],
    [{ HANDOFF_EMAIL: 'etude@cj.example' }, 'HANDOFF_EMAIL: needs SENDGRID_API_KEY and SENDGRID_FROM_EMAIL to send'],
    [
      { HANDOFF_EMAIL: 'etude@cj.example', HANDOFF_WEBHOOK_URL: 'https://cj.example/in' },
      'HANDOFF_WEBHOOK_URL, HANDOFF_EMAIL: set one destination for handoff dossiers, not both',
    ],
    [{ SENDGRID_BASE_URL: 'ftp://x' }, 'SENDGRID_BASE_URL: must be an http(s) URL'],
    [{ SENDGRID_EMAIL_ACTIVITY: 'yes' }, 'SENDGRID_EMAIL_ACTIVITY: Invalid option: expected one of "true"|"false"'],
    [
      { SENDGRID_ACTIVITY_SETTLE_SECONDS: '10m' },
      'SENDGRID_ACTIVITY_SETTLE_SECONDS: must be a whole number of seconds',
    ],
    [{ TWILIO_LOOKUP_SETTLE_SECONDS: '-1' }, 'TWILIO_LOOKUP_SETTLE_SECONDS: must be a whole number of seconds'],
  ])('half a configuration is refused, naming the variable: %j', (env, problem) => {
    expect(problemsOf(env)).toContain(problem);
  });

  test('lost sends: looked up in SendGrid Email Activity when the account has it, after a settle delay', () => {
    const sendgrid = { SENDGRID_API_KEY: 'SG.key', SENDGRID_FROM_EMAIL: 'relances@acme.example' };
    const twilio = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM_NUMBER: '+33700000000' };
    expect(loadChannelsConfig(sendgrid).email?.emailActivity).toBeUndefined();
    expect(loadChannelsConfig({ ...sendgrid, SENDGRID_EMAIL_ACTIVITY: 'true' }).email?.emailActivity).toEqual({
      settleMs: 600_000,
    });
    const tuned = loadChannelsConfig({
      ...sendgrid,
      ...twilio,
      SENDGRID_EMAIL_ACTIVITY: 'true',
      SENDGRID_ACTIVITY_SETTLE_SECONDS: '1800',
      TWILIO_LOOKUP_SETTLE_SECONDS: '300',
    });
    expect(tuned.email?.emailActivity).toEqual({ settleMs: 1_800_000 });
    expect(tuned.sms?.lookupSettleMs).toBe(300_000);
    expect(describeChannels(tuned).emailProvider).toBe('SendGrid, lost sends looked up in Email Activity');
  });

  test('LRE_PREFERRED and a handoff webhook', () => {
    const config = loadChannelsConfig({
      LRE_PREFERRED: 'true',
      HANDOFF_WEBHOOK_URL: 'https://cj.example/dossiers',
      HANDOFF_WEBHOOK_SECRET: 'a-long-shared-secret',
    });
    expect(config.preferElectronicRegisteredMail).toBe(true);
    expect(config.handoff).toEqual({
      webhook: { url: 'https://cj.example/dossiers', secret: 'a-long-shared-secret' },
    });
  });
});
