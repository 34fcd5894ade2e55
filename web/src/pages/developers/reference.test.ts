import { describe, expect, it } from 'vitest';
import { buildReference, filterReference, groupOf, schemaLabel } from './reference';

const doc = {
  openapi: '3.1.0',
  paths: {
    '/v1/messages': {
      post: {
        operationId: 'sendMessage',
        summary: 'Send one message',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/SendRequest' } } } },
        responses: { '202': { content: { 'application/json': { schema: { $ref: '#/components/schemas/SendResult' } } } }, '400': { $ref: '#/components/responses/Problem' } },
      },
      get: {
        operationId: 'listMessages',
        summary: 'List messages',
        parameters: [{ name: 'cursor', in: 'query', schema: { type: 'string' } }, { $ref: '#/components/parameters/Limit' }],
        responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/MessagePage' } } } } },
      },
    },
    '/v1/accounts/{id}/keys': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { operationId: 'listKeys', summary: 'List API keys', responses: { '200': { description: 'The keys' } } },
    },
    '/v1/auth/config': { get: { operationId: 'getAuthConfig', summary: 'Sign-up', security: [], tags: ['auth'], responses: {} } },
  },
  components: {
    parameters: { Limit: { name: 'limit', in: 'query', schema: { type: 'integer' } } },
    responses: { Problem: { description: 'A problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } },
  },
};

describe('schemaLabel', () => {
  it('names refs, arrays, unions and types', () => {
    expect(schemaLabel({ $ref: '#/components/schemas/Message' })).toBe('Message');
    expect(schemaLabel({ type: 'array', items: { $ref: '#/components/schemas/Message' } })).toBe('Message[]');
    expect(schemaLabel({ oneOf: [{ type: 'string' }, { type: 'integer' }] })).toBe('string | integer');
    expect(schemaLabel({ type: ['string', 'null'] })).toBe('string | null');
    expect(schemaLabel(undefined)).toBe('');
  });
});

describe('groupOf', () => {
  it('takes the first tag, else the path family', () => {
    expect(groupOf('/v1/accounts/{id}/keys')).toBe('accounts');
    expect(groupOf('/healthz')).toBe('healthz');
    expect(groupOf('/v1/x', ['Billing'])).toBe('Billing');
  });
});

describe('buildReference', () => {
  const groups = buildReference(doc);
  it('groups and sorts operations', () => {
    expect(groups.map((g) => g.name)).toEqual(['accounts', 'auth', 'messages']);
    expect(groups[2].operations.map((o) => o.method)).toEqual(['GET', 'POST']);
  });
  it('reads parameters (shared and $ref), bodies and answers', () => {
    const list = groups[2].operations[0];
    expect(list.params.map((p) => `${p.in}:${p.name}:${p.type}`)).toEqual(['query:cursor:string', 'query:limit:integer']);
    const send = groups[2].operations[1];
    expect(send.request).toBe('SendRequest');
    expect(send.responses).toEqual([
      { status: '202', schema: 'SendResult' },
      { status: '400', schema: 'Problem' },
    ]);
    const keys = groups[0].operations[0];
    expect(keys.params[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(keys.responses[0].schema).toBe('The keys');
    expect(groups[1].operations[0].public).toBe(true);
    expect(keys.public).toBe(false);
  });
  it('survives a document that is not one', () => {
    expect(buildReference(null)).toEqual([]);
    expect(buildReference({})).toEqual([]);
  });
});

describe('filterReference', () => {
  const groups = buildReference(doc);
  it('keeps operations matching every word and drops empty groups', () => {
    const r = filterReference(groups, 'post message');
    expect(r.map((g) => g.name)).toEqual(['messages']);
    expect(r[0].operations.map((o) => o.id)).toEqual(['sendMessage']);
    expect(filterReference(groups, 'SENDRESULT')[0].operations[0].id).toBe('sendMessage');
    expect(filterReference(groups, 'nothing-like-this')).toEqual([]);
    expect(filterReference(groups, '  ')).toBe(groups);
  });
});
