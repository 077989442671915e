/**
 * The OpenAPI description, generated from the route list and its zod schemas: what /openapi.json
 * serves and /docs renders.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ERROR_STATUS, type ErrorCode } from './errors';
import type { RouteDefinition } from './routes';
import { errorBody } from './schemas';
import { registerWebhookPaths } from './webhooks/openapi';

const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  validation_failed:
    'The body, query or a path parameter (not valid percent-encoding) does not match the schema, or the body is ' +
    'not valid JSON: details name each field',
  unauthorized: 'No API key, or an unknown one (checked before the body is read: 401 whatever the body)',
  forbidden: "The key's role may not call this route",
  not_found: 'Unknown case',
  conflict: 'Same creditor + reference already exists with a different payload',
  invalid_transition: "The case's current state does not allow this action",
  payload_too_large: 'The body is larger than 64 kB (not in the contract table, which is silent on this)',
  unsupported_media_type: 'The body is not sent as application/json (not in the contract table)',
  not_collectable: 'The claim is not certaine, liquide et exigible, or is time-barred: details say which and why',
  unprocessable: 'Semantically invalid input: details name the field',
  internal: 'A defect: the request may not have been applied; it is logged',
  unavailable:
    'Temporal or the database cannot be reached, is locked or timed out; Retry-After says when to try again. The ' +
    'request had no effect, unless the message says it may have: then the same request again answers what was done',
};

const BODY_ERRORS: readonly ErrorCode[] = ['payload_too_large', 'unsupported_media_type'];

export function openApiDocument(routes: readonly RouteDefinition[]) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'Authorization: Bearer <api key>. Roles: operations, agent, manager (manager may call everything).',
  });

  for (const route of routes) {
    const errors = new Set([...route.errors, ...(route.body ? BODY_ERRORS : [])]);
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of errors) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
    const roles = route.roles === 'public' ? 'none' : ['manager', ...route.roles].join(', ');
    registry.registerPath({
      method: route.method,
      path: route.path.replace(/:(\w+)/g, '{$1}'),
      operationId: route.operationId,
      summary: route.summary,
      description: [route.description, `Roles: ${roles}.`].filter(Boolean).join('\n\n'),
      ...(route.roles === 'public' ? {} : { security: [{ [bearer.name]: [] }] }),
      request: {
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.body ? { body: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
      },
      responses: {
        ...Object.fromEntries(
          route.success.map((success) => [
            success.status,
            {
              description: success.description,
              content: { [success.contentType ?? 'application/json']: { schema: success.schema } },
            },
          ]),
        ),
        ...Object.fromEntries(
          [...byStatus].map(([status, codes]) => [
            status,
            {
              description: codes.map((code) => `\`${code}\`: ${ERROR_DESCRIPTIONS[code]}`).join('; '),
              content: { 'application/json': { schema: errorBody } },
            },
          ]),
        ),
      },
    });
  }

  registerWebhookPaths(registry);

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Amiable API',
      version: '1',
      description:
        'French amicable debt collection (recouvrement amiable): open cases, record payments, promises, replies, ' +
        'call outcomes, disputes and installment plans. Money is in integer cents; calendar dates are YYYY-MM-DD ' +
        'in Europe/Paris; instants are ISO 8601 with offset. Every error has the body {"error": {code, message, details}}.',
    },
  });
}
