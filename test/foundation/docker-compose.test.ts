/**
 * docker-compose.yml can't be started here (no Docker engine), so this checks what would otherwise
 * drift silently: that the environment it gives the worker and the API passes the configuration
 * module, and that every address in it names a service of the file, on a port that service has.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadApiConfig, loadWorkerConfig } from '../../config';
import { channelsEnvSchema, describeChannels, loadChannelsConfig } from '../../config/channels';

interface Service {
  build?: string | { context: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  depends_on?: string[] | Record<string, unknown>;
}

const root = path.join(__dirname, '..', '..');
const compose = parse(readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

// Stand-ins for the `${VAR:?...}` values the operator supplies to `docker compose up`.
const PROVIDER_VARIABLES = Object.keys(channelsEnvSchema.shape);

/** What an operator sets; the providers unset, as in a first deployment (every channel simulated). */
const operatorEnv: Record<string, string> = {
  API_KEYS: `operations:${'a'.repeat(32)}`,
  DATA_KEY: Buffer.alloc(32, 7).toString('base64'),
  ...Object.fromEntries(PROVIDER_VARIABLES.map((name) => [name, ''])),
};

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** The service's environment as written, whether as a map or as a list of KEY=value. */
function rawEnvironment(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  if (Array.isArray(env)) {
    // A bare `KEY` passes the host's value through; here that is nothing.
    return Object.fromEntries(
      env.map((entry) => entry.split('=')).map(([key = '', ...value]) => [key, value.join('=')]),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** The environment the container gets once compose has substituted the operator's variables. */
function environment(name: string): Record<string, string> {
  const substitute = (_: string, variable: string): string => {
    const value = operatorEnv[variable];
    if (value === undefined) throw new Error(`${name} uses \${${variable}}, which this test has no sample for`);
    return value;
  };
  return Object.fromEntries(
    Object.entries(rawEnvironment(name)).map(([key, value]) => [key, value.replace(/\$\{(\w+)[^}]*\}/g, substitute)]),
  );
}

/** Container ports and the host ports they are published on, from the short or the long syntax. */
function ports(name: string): { container: number; host?: number }[] {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port === 'object') return { container: port.target, host: Number(port.published) || undefined };
    const parts = String(port)
      .replace(/\/\w+$/, '')
      .split(':');
    return { container: Number(parts.at(-1)), host: parts.length > 1 ? Number(parts.at(-2)) : undefined };
  });
}

function dependencies(name: string): string[] {
  const dependsOn = service(name).depends_on ?? [];
  return Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
}

/** `host:port` must name `expected`, on a port that service listens on. */
function expectServiceAddress(hostPort: string | undefined, expected: string): void {
  const { hostname, port } = new URL(`tcp://${hostPort}`);
  expect(hostname).toBe(expected);
  expect(ports(expected).map((p) => p.container)).toContain(Number(port));
}

function dockerfile(name: string): string {
  const { build } = service(name);
  if (build === undefined) throw new Error(`${name} is not built from this repository`);
  const { context, dockerfile = 'Dockerfile' } = typeof build === 'string' ? { context: build } : build;
  return readFileSync(path.join(root, context, dockerfile), 'utf8');
}

const configOf = (name: 'worker' | 'api') => (name === 'api' ? loadApiConfig : loadWorkerConfig)(environment(name));

test('the stack has its six services', () => {
  expect(Object.keys(compose.services)).toEqual(
    expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'mongodb', 'worker', 'api']),
  );
});

test.each(['worker', 'api'] as const)('%s: a production config whose addresses are services of the file', (name) => {
  const config = configOf(name);
  expect(config.env).toBe('production');
  expectServiceAddress(config.temporal.address, 'temporal');
  const mongodb = new URL(config.mongodb.uri);
  expectServiceAddress(`${mongodb.hostname}:${mongodb.port || 27017}`, 'mongodb');
});

test('worker and API meet on one task queue, in the namespace that auto-setup creates', () => {
  const [worker, api] = [configOf('worker'), configOf('api')];
  expect(api.temporal.taskQueue).toBe(worker.temporal.taskQueue);
  expect(api.temporal.namespace).toBe(worker.temporal.namespace);
  expect(environment('temporal').DEFAULT_NAMESPACE).toBe(worker.temporal.namespace);
});

test('the API listens on the published port, with keys from the operator rather than the file', () => {
  const { api } = configOf('api');
  expect(api.host).toBe('0.0.0.0');
  expect(ports('api').map((p) => p.container)).toContain(api.port);
  expect(rawEnvironment('api').API_KEYS).toMatch(/^\$\{API_KEYS:\?/);
  expect(rawEnvironment('worker').API_KEYS).toBeUndefined();
});

test('the Temporal UI link the API hands out is where temporal-ui is published', () => {
  const uiUrl = new URL(configOf('api').temporal.uiUrl);
  expect(ports('temporal-ui').map((p) => p.host)).toContain(Number(uiUrl.port));
  expectServiceAddress(environment('temporal-ui').TEMPORAL_ADDRESS, 'temporal');
});

test('services wait for what they need', () => {
  expect(dependencies('worker')).toEqual(expect.arrayContaining(['temporal', 'mongodb']));
  expect(dependencies('api')).toEqual(expect.arrayContaining(['temporal', 'mongodb']));
  expect(dependencies('temporal')).toContain('postgresql');
});

test.each(['worker', 'api'])('%s runs, as a non-root user, an entry point that `npm run build` produces', (name) => {
  const stages = dockerfile(name).split(/^FROM\s/im);
  const finalStage = stages.at(-1)!;
  const user = [...finalStage.matchAll(/^USER\s+([^\s:]+)/gim)].at(-1)?.[1];
  expect(user).toBeDefined();
  expect(['root', '0']).not.toContain(user);

  const { command } = service(name);
  const args = Array.isArray(command) ? command : (command ?? '').split(/\s+/);
  const script = args.find((arg) => arg.endsWith('.js'));
  expect(script).toMatch(/^dist\//);
  expect(existsSync(path.join(root, script!.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
});

test('every provider variable reaches the process that reads it, and unset means simulated', () => {
  const passed = new Set([...Object.keys(rawEnvironment('worker')), ...Object.keys(rawEnvironment('api'))]);
  expect(PROVIDER_VARIABLES.filter((name) => !passed.has(name))).toEqual([]);
  expect(describeChannels(loadChannelsConfig(environment('worker')))).toMatchObject({
    emailProvider: 'SIMULATED',
    smsProvider: 'SIMULATED',
  });
  expect(() => loadChannelsConfig(environment('api'))).not.toThrow();
});
