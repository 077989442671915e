import { ConfigError, loadApiConfig, loadConfig, loadLocalStackConfig, loadWorkerConfig } from '../../config';

const KEY = 'k'.repeat(32);

test('defaults serve the local stack', () => {
  expect(loadConfig({})).toMatchObject({
    env: 'development',
    temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'amiable-cases' },
    mongodb: { uri: 'mongodb://127.0.0.1:27017/amiable' },
    api: { port: 3000, keys: [] },
  });
});

test('API keys are role:key pairs, several per role allowed', () => {
  const config = loadConfig({ API_KEYS: `operations:${KEY}, manager:${KEY}x,manager:${KEY}y` });
  expect(config.api.keys).toEqual([
    { role: 'operations', key: KEY },
    { role: 'manager', key: `${KEY}x` },
    { role: 'manager', key: `${KEY}y` },
  ]);
});

test.each([
  [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS'],
  [{ MONGODB_URI: 'postgres://db' }, 'MONGODB_URI'],
  [{ API_PORT: '70000' }, 'API_PORT'],
  [{ API_PORT: 'three thousand' }, 'API_PORT'],
  [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
  [{ API_KEYS: `admin:${KEY}` }, 'API_KEYS'],
  [{ API_KEYS: 'agent:short' }, 'API_KEYS'],
])('%j is refused with a message naming %s', (env, variable) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(new RegExp(`${variable}: `));
});

test('in production the API refuses to start without keys; the worker needs none', () => {
  const DATA_KEY = Buffer.alloc(32, 7).toString('base64');
  expect(() => loadApiConfig({ NODE_ENV: 'production', DATA_KEY })).toThrow(/API_KEYS: at least one key/);
  expect(loadApiConfig({ NODE_ENV: 'production', API_KEYS: `agent:${KEY}`, DATA_KEY }).api.keys).toHaveLength(1);
  expect(loadConfig({ NODE_ENV: 'production' }).env).toBe('production');
});

test('a refused API key is never echoed in the error', () => {
  const secret = 'agent-secret-but-role-is-wrong';
  expect(() => loadConfig({ API_KEYS: `boss:${secret}` })).toThrow(
    expect.objectContaining({ message: expect.not.stringContaining(secret) }),
  );
});

test('every problem is reported at once, not one per start attempt', () => {
  const error = (() => {
    try {
      loadConfig({ TEMPORAL_ADDRESS: 'nope', API_PORT: '0' });
    } catch (err) {
      return err as ConfigError;
    }
  })();
  expect(error?.problems.map((p) => p.split(':')[0])).toEqual(['TEMPORAL_ADDRESS', 'API_PORT']);
});

test('an empty variable counts as unset', () => {
  expect(loadConfig({ TEMPORAL_ADDRESS: '' }).temporal.address).toBe('127.0.0.1:7233');
});

test('setting TEMPORAL_ADDRESS or MONGODB_URI tells the local stack to use your servers', () => {
  expect(loadLocalStackConfig({})).toMatchObject({ externalTemporalAddress: undefined, externalMongodbUri: undefined });
  expect(
    loadLocalStackConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233', MONGODB_URI: 'mongodb://db/amiable' }),
  ).toMatchObject({ externalTemporalAddress: 'temporal.internal:7233', externalMongodbUri: 'mongodb://db/amiable' });
  expect(() => loadLocalStackConfig({ FERRETDB_PORT: '-1' })).toThrow(/FERRETDB_PORT/);
});

test('the worker needs a 32-byte data key to open sealed text; anything else is refused by name', () => {
  const key = Buffer.alloc(32, 1).toString('base64');
  expect(loadWorkerConfig({ DATA_KEY: key }).dataKey).toBe(key);
  expect(() => loadWorkerConfig({})).toThrow(/DATA_KEY: required/);
  expect(() => loadApiConfig({})).toThrow(/DATA_KEY: required/);
  expect(() => loadConfig({ DATA_KEY: Buffer.alloc(16).toString('base64') })).toThrow(
    /DATA_KEY: must be 32 random bytes/,
  );
  expect(() => loadConfig({ DATA_KEY: 'not base64!' })).toThrow(/DATA_KEY/);
});
