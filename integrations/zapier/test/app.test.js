'use strict';

// Loads the app definition without zapier-platform-core: a stub z.request
// records each request and answers with a canned body, and each trigger
// and create is checked for the request it builds (method, URL, body,
// the API key as a Bearer token) and what it returns.

const test = require('node:test');
const assert = require('node:assert/strict');
const app = require('../index.js');

const BASE = 'https://gw.example.com';

// stub returns a z whose request runs the app's beforeRequest
// middleware, records the request and answers with answer(request).
const stub = (answer) => {
  const calls = [];
  const z = {
    calls,
    request: async (opts) => {
      let req = Object.assign({ headers: {} }, opts);
      for (const mw of app.beforeRequest) {
        req = mw(req, z, z.bundle);
      }
      calls.push(req);
      return { status: 200, data: answer ? answer(req) : {} };
    },
  };
  return z;
};

const bundleOf = (extra) => Object.assign({
  authData: { api_key: 'key_123', base_url: BASE + '/' },
  inputData: {},
}, extra);

// run calls fn(z, bundle) with z.bundle set for the middleware.
const run = async (fn, bundle, answer) => {
  const z = stub(answer);
  z.bundle = bundle;
  const out = await fn(z, bundle);
  return { out, calls: z.calls };
};

test('the definition names every trigger and create, and the platform version', () => {
  assert.deepEqual(Object.keys(app.triggers).sort(), ['contact_opted_out', 'list', 'message_status', 'new_inbound_message']);
  assert.deepEqual(Object.keys(app.creates).sort(), ['add_contact', 'add_to_list', 'send_sms']);
  assert.match(app.platformVersion, /^\d+\.\d+\.\d+$/);
  for (const t of ['new_inbound_message', 'message_status', 'contact_opted_out']) {
    const op = app.triggers[t].operation;
    assert.equal(op.type, 'hook', t);
    for (const f of ['performSubscribe', 'performUnsubscribe', 'perform', 'performList']) {
      assert.equal(typeof op[f], 'function', `${t}.${f}`);
    }
    assert.ok(op.sample && op.sample.id, `${t} has a sample with an id`);
  }
});

test('authentication tests the key with GET /v1/hooks as a Bearer token', async () => {
  const { calls } = await run(app.authentication.test, bundleOf(), () => ({ data: [] }));
  assert.equal(calls.length, 1);
  assert.equal(calls[0].method, 'GET');
  assert.equal(calls[0].url, BASE + '/v1/hooks');
  assert.equal(calls[0].headers.Authorization, 'Bearer key_123');
});

const events = {
  new_inbound_message: 'message.inbound',
  message_status: 'message.status',
  contact_opted_out: 'contact.opted_out',
};

for (const [key, event] of Object.entries(events)) {
  test(`${key} subscribes the Zap's URL to ${event} and unsubscribes by the hook's id`, async () => {
    const op = app.triggers[key].operation;
    const bundle = bundleOf({ targetUrl: 'https://hooks.zapier.com/hooks/standard/1/abc/' });
    const sub = await run(op.performSubscribe, bundle, () => ({ id: 77, events: [event] }));
    assert.equal(sub.calls.length, 1);
    assert.equal(sub.calls[0].method, 'POST');
    assert.equal(sub.calls[0].url, BASE + '/v1/hooks');
    assert.equal(sub.calls[0].headers.Authorization, 'Bearer key_123');
    assert.equal(sub.calls[0].body.url, 'https://hooks.zapier.com/hooks/standard/1/abc/');
    assert.deepEqual(sub.calls[0].body.events, [event]);
    assert.equal(sub.out.id, 77);

    const unsub = await run(op.performUnsubscribe, bundleOf({ subscribeData: sub.out }));
    assert.equal(unsub.calls.length, 1);
    assert.equal(unsub.calls[0].method, 'DELETE');
    assert.equal(unsub.calls[0].url, BASE + '/v1/hooks/77');
    await assert.rejects(run(op.performUnsubscribe, bundleOf({ subscribeData: {} })));
  });
}

test('new_inbound_message returns the MO of a delivery, and lists GET /v1/inbound', async () => {
  const op = app.triggers.new_inbound_message.operation;
  const mo = { id: '5', from: '447700900123', to: '447700900999', text: 'hi' };
  const { out, calls } = await run(op.perform, bundleOf({ cleanedRequest: { id: 'e1', type: 'message.inbound', data: mo } }));
  assert.deepEqual(out, [mo]);
  assert.equal(calls.length, 0);
  const other = await run(op.perform, bundleOf({ cleanedRequest: { id: 'e2', type: 'contact.created', data: { id: 1 } } }));
  assert.deepEqual(other.out, []);
  const list = await run(op.performList, bundleOf(), () => ({ data: [mo] }));
  assert.equal(list.calls[0].method, 'GET');
  assert.equal(list.calls[0].url, BASE + '/v1/inbound?limit=25');
  assert.deepEqual(list.out, [mo]);
});

test('message_status passes delivered or failed messages as chosen', async () => {
  const op = app.triggers.message_status.operation;
  const ev = (status) => ({ cleanedRequest: { id: 'e', type: 'message.status', data: { id: '9', status } } });
  const cases = [
    ['delivered', 'delivered', 1], ['delivered', 'undelivered', 0], ['failed', 'expired', 1],
    ['failed', 'delivered', 0], ['any', 'rejected', 1], ['any', 'delivered', 1], ['any', 'submitted', 0],
  ];
  for (const [choice, status, n] of cases) {
    const { out } = await run(op.perform, bundleOf(Object.assign({ inputData: { status: choice } }, ev(status))));
    assert.equal(out.length, n, `${choice} / ${status}`);
  }
  const list = await run(op.performList, bundleOf({ inputData: { status: 'failed' } }),
    () => ({ items: [{ id: '1', status: 'delivered' }, { id: '2', status: 'failed' }, { id: '3', status: 'accepted' }] }));
  assert.equal(list.calls[0].method, 'GET');
  assert.equal(list.calls[0].url, BASE + '/v1/messages?limit=50');
  assert.deepEqual(list.out.map((m) => m.id), ['2']);
});

test('contact_opted_out gives each opt-out an id, from a delivery or GET /v1/opt-outs', async () => {
  const op = app.triggers.contact_opted_out.operation;
  const e = { number: '447700900123', scope: 'account', opted_out: true, source: 'keyword', at: '2026-05-01T09:33:00Z' };
  const { out } = await run(op.perform, bundleOf({ cleanedRequest: { id: 'x', type: 'contact.opted_out', data: e } }));
  assert.equal(out.length, 1);
  assert.equal(out[0].id, '447700900123:2026-05-01T09:33:00Z');
  assert.equal(out[0].source, 'keyword');
  const list = await run(op.performList, bundleOf(), () => ({ data: [e] }));
  assert.equal(list.calls[0].url, BASE + '/v1/opt-outs?limit=25');
  assert.equal(list.out[0].id, out[0].id);
});

test('send_sms posts /v1/messages without empty members', async () => {
  const { out, calls } = await run(app.creates.send_sms.operation.perform,
    bundleOf({ inputData: { to: '+447700900123', text: 'Hello', from: '', client_ref: 'zap-1' } }),
    () => ({ id: '8437613895811074', status: 'accepted' }));
  assert.equal(calls.length, 1);
  assert.equal(calls[0].method, 'POST');
  assert.equal(calls[0].url, BASE + '/v1/messages');
  assert.equal(calls[0].headers.Authorization, 'Bearer key_123');
  assert.deepEqual(calls[0].body, { to: '+447700900123', text: 'Hello', client_ref: 'zap-1' });
  assert.equal(out.id, '8437613895811074');
});

test('add_contact upserts by external id or phone', async () => {
  const { calls } = await run(app.creates.add_contact.operation.perform,
    bundleOf({ inputData: { phone: '+447700900123', external_id: 'crm-1', first_name: 'Ada', email: '' } }),
    () => ({ id: 12 }));
  assert.equal(calls[0].method, 'POST');
  assert.equal(calls[0].url, BASE + '/v1/contacts:upsert');
  assert.deepEqual(calls[0].body, { phone: '+447700900123', external_id: 'crm-1', first_name: 'Ada' });
});

test('add_to_list posts the phone to /v1/lists/{id}/contacts; the list dropdown reads GET /v1/lists', async () => {
  const { calls } = await run(app.creates.add_to_list.operation.perform,
    bundleOf({ inputData: { list_id: '3', phone: '+447700900123' } }), () => ({ matched: 1, added: 1, not_found: 0 }));
  assert.equal(calls[0].method, 'POST');
  assert.equal(calls[0].url, BASE + '/v1/lists/3/contacts');
  assert.deepEqual(calls[0].body, { phones: ['+447700900123'] });
  assert.equal(app.creates.add_to_list.operation.inputFields[0].dynamic, 'list.id.name');
  const lists = await run(app.triggers.list.operation.perform, bundleOf(), () => ({ data: [{ id: 3, name: 'News' }] }));
  assert.equal(lists.calls[0].url, BASE + '/v1/lists?limit=1000');
  assert.deepEqual(lists.out, [{ id: 3, name: 'News' }]);
});

test('the default address is used without one', async () => {
  const { calls } = await run(app.authentication.test, { authData: { api_key: 'k' }, inputData: {} }, () => ({}));
  assert.equal(calls[0].url, 'https://api.gallant.example/v1/hooks');
});
