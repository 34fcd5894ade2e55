'use strict';

// The Gallant SMS app for Zapier (a Zapier CLI app definition, written
// against the gateway's public API; see README.md to publish it).
//
// Triggers are REST hooks: subscribing a Zap POSTs /v1/hooks with the
// Zap's URL and keeps the hook's id, turning it off DELETEs
// /v1/hooks/{id}. Each delivery is an envelope {id, type, created_at,
// data}; a trigger returns its data. performList reads the same kind of
// records from the list routes, for samples in the Zap editor.
//
// Nothing here requires zapier-platform-core: the platform supplies `z`
// and `bundle`, so the definition loads (and is tested) without it.

const pkg = require('./package.json');

const DEFAULT_BASE_URL = 'https://api.gallant.example';

// baseURL is the gateway the connection talks to, without a trailing
// slash.
const baseURL = (bundle) =>
  String((bundle.authData && bundle.authData.base_url) || DEFAULT_BASE_URL).replace(/\/+$/, '');

// call makes one request to the gateway and returns its JSON body.
// Zapier turns a 4xx or 5xx answer into an error by itself (the gateway
// answers errors as problem JSON, whose detail it shows).
const call = async (z, bundle, method, path, body) => {
  const opts = { method, url: baseURL(bundle) + path, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = body;
  }
  const response = await z.request(opts);
  return response.data;
};

// ---- authentication ----------------------------------------------------

const authentication = {
  type: 'custom',
  fields: [
    {
      key: 'api_key',
      label: 'API key',
      type: 'password',
      required: true,
      helpText: 'An API key of your Gallant account with the send and read scopes (Settings → API keys).',
    },
    {
      key: 'base_url',
      label: 'API address',
      type: 'string',
      required: false,
      default: DEFAULT_BASE_URL,
      helpText: 'The address of your Gallant gateway, such as https://api.gallant.example.',
    },
  ],
  // GET /v1/hooks needs the read scope and answers 401 for a bad key.
  test: (z, bundle) => call(z, bundle, 'GET', '/v1/hooks'),
  connectionLabel: (z, bundle) => baseURL(bundle).replace(/^https?:\/\//, ''),
};

// addBearer sends the API key with every request.
const addBearer = (request, z, bundle) => {
  if (bundle.authData && bundle.authData.api_key) {
    request.headers = request.headers || {};
    request.headers.Authorization = `Bearer ${bundle.authData.api_key}`;
  }
  return request;
};

// ---- REST hooks ----------------------------------------------------------

// subscribe returns a trigger's performSubscribe for the event type:
// the hook it answers is kept by Zapier as bundle.subscribeData.
const subscribe = (event) => (z, bundle) =>
  call(z, bundle, 'POST', '/v1/hooks', {
    url: bundle.targetUrl,
    events: [event],
    description: `Zapier: ${event}`,
  });

// unsubscribe is every trigger's performUnsubscribe.
const unsubscribe = async (z, bundle) => {
  const id = bundle.subscribeData && bundle.subscribeData.id;
  if (!id) {
    throw new Error('no hook to unsubscribe: the subscription kept no id');
  }
  await call(z, bundle, 'DELETE', `/v1/hooks/${encodeURIComponent(id)}`);
  return {};
};

// eventData returns the data of a hook delivery of type, or null for a
// delivery of another type.
const eventData = (bundle, type) => {
  const env = bundle.cleanedRequest || {};
  if (env.type !== type || !env.data) {
    return null;
  }
  return env.data;
};

// ---- triggers --------------------------------------------------------------

const FAILED = ['undelivered', 'expired', 'rejected', 'failed'];

// statusWanted says whether a message status matches the trigger's
// "status" choice: delivered, failed (any final failure) or any (both).
const statusWanted = (choice, status) => {
  const delivered = status === 'delivered';
  const failed = FAILED.includes(status);
  if (choice === 'delivered') return delivered;
  if (choice === 'failed') return failed;
  return delivered || failed;
};

// optOutRecord gives an opt-out entry the id Zapier deduplicates by.
const optOutRecord = (e) => Object.assign({ id: `${e.number}:${e.at}` }, e);

const newInboundMessage = {
  key: 'new_inbound_message',
  noun: 'Inbound Message',
  display: {
    label: 'New Inbound Message',
    description: 'Triggers when an SMS reaches one of your numbers.',
  },
  operation: {
    type: 'hook',
    performSubscribe: subscribe('message.inbound'),
    performUnsubscribe: unsubscribe,
    perform: (z, bundle) => {
      const d = eventData(bundle, 'message.inbound');
      return d ? [d] : [];
    },
    performList: async (z, bundle) => {
      const page = await call(z, bundle, 'GET', '/v1/inbound?limit=25');
      return (page && page.data) || [];
    },
    sample: {
      id: '8437613895811075',
      from: '447700900123',
      to: '447700900999',
      text: 'Yes please',
      encoding: 'gsm7',
      parts: 1,
      partial: false,
      keyword: '',
      received_at: '2026-05-01T09:31:00Z',
    },
  },
};

const messageStatus = {
  key: 'message_status',
  noun: 'Message',
  display: {
    label: 'Message Delivered or Failed',
    description: 'Triggers when a message you sent is delivered, or fails to be.',
  },
  operation: {
    type: 'hook',
    inputFields: [
      {
        key: 'status',
        label: 'Status',
        required: true,
        default: 'any',
        choices: { delivered: 'Delivered', failed: 'Failed', any: 'Delivered or failed' },
      },
    ],
    performSubscribe: subscribe('message.status'),
    performUnsubscribe: unsubscribe,
    perform: (z, bundle) => {
      const d = eventData(bundle, 'message.status');
      return d && statusWanted(bundle.inputData.status, d.status) ? [d] : [];
    },
    performList: async (z, bundle) => {
      const page = await call(z, bundle, 'GET', '/v1/messages?limit=50');
      return ((page && page.items) || []).filter((m) => statusWanted(bundle.inputData.status, m.status));
    },
    sample: {
      id: '8437613895811074',
      status: 'delivered',
      to: '447700900123',
      from: 'Gallant',
      client_ref: 'order-17',
      segments: 1,
      segment: 0,
      error_code: '000',
      carrier: 'acme',
      at: '2026-05-01T09:30:02.4Z',
      event_id: '9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f',
    },
  },
};

const contactOptedOut = {
  key: 'contact_opted_out',
  noun: 'Opt-out',
  display: {
    label: 'Contact Opted Out',
    description: 'Triggers when a number opts out of your messages (STOP, the API, a carrier).',
  },
  operation: {
    type: 'hook',
    performSubscribe: subscribe('contact.opted_out'),
    performUnsubscribe: unsubscribe,
    perform: (z, bundle) => {
      const d = eventData(bundle, 'contact.opted_out');
      return d ? [optOutRecord(d)] : [];
    },
    performList: async (z, bundle) => {
      const page = await call(z, bundle, 'GET', '/v1/opt-outs?limit=25');
      return ((page && page.data) || []).map(optOutRecord);
    },
    sample: {
      id: '447700900123:2026-05-01T09:33:00Z',
      number: '447700900123',
      scope: 'account',
      opted_out: true,
      source: 'keyword',
      keyword: 'STOP',
      at: '2026-05-01T09:33:00Z',
    },
  },
};

// list is a hidden trigger: the account's contact lists, for the list
// dropdown of add_to_list.
const list = {
  key: 'list',
  noun: 'List',
  display: { label: 'Contact List', description: 'Lists your contact lists.', hidden: true },
  operation: {
    perform: async (z, bundle) => {
      const page = await call(z, bundle, 'GET', '/v1/lists?limit=1000');
      return (page && page.data) || [];
    },
    sample: { id: 3, name: 'Newsletter', count: 1250 },
  },
};

// ---- creates ---------------------------------------------------------------

// compact drops the members a user left empty, so that the gateway
// applies its defaults.
const compact = (o) => {
  const out = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  }
  return out;
};

const sendSMS = {
  key: 'send_sms',
  noun: 'SMS',
  display: { label: 'Send SMS', description: 'Sends a text message.' },
  operation: {
    inputFields: [
      { key: 'to', label: 'To', required: true, helpText: 'The phone number, in international form (+447700900123).' },
      { key: 'text', label: 'Text', required: true, type: 'text' },
      { key: 'from', label: 'From', required: false, helpText: 'A number or a name of up to 11 characters; empty: your default.' },
      { key: 'client_ref', label: 'Your reference', required: false },
    ],
    perform: (z, bundle) => {
      const i = bundle.inputData;
      return call(z, bundle, 'POST', '/v1/messages', compact({ to: i.to, text: i.text, from: i.from, client_ref: i.client_ref }));
    },
    sample: { id: '8437613895811074', status: 'accepted', segments: 1, encoding: 'gsm7' },
  },
};

const addContact = {
  key: 'add_contact',
  noun: 'Contact',
  display: {
    label: 'Add or Update Contact',
    description: 'Creates a contact, or updates the one with the same external id or phone.',
  },
  operation: {
    inputFields: [
      { key: 'phone', label: 'Phone', required: false, helpText: 'Needed to create a contact.' },
      { key: 'external_id', label: 'External ID', required: false, helpText: "The record's id in your CRM." },
      { key: 'first_name', label: 'First name', required: false },
      { key: 'last_name', label: 'Last name', required: false },
      { key: 'email', label: 'Email', required: false },
    ],
    perform: (z, bundle) => {
      const i = bundle.inputData;
      return call(z, bundle, 'POST', '/v1/contacts:upsert', compact({
        phone: i.phone, external_id: i.external_id, first_name: i.first_name, last_name: i.last_name, email: i.email,
      }));
    },
    sample: {
      id: 12, phone: '447700900123', external_id: 'crm-881', first_name: 'Ada', last_name: 'Lovelace',
      email: 'ada@example.com', created_at: '2026-05-01T09:32:00Z', updated_at: '2026-05-01T09:32:00Z', opted_out: false,
    },
  },
};

const addToList = {
  key: 'add_to_list',
  noun: 'List Member',
  display: { label: 'Add Contact to List', description: 'Adds a contact, by phone, to one of your lists.' },
  operation: {
    inputFields: [
      { key: 'list_id', label: 'List', required: true, dynamic: 'list.id.name' },
      { key: 'phone', label: 'Phone', required: true, helpText: 'The phone of a contact of your account.' },
    ],
    perform: (z, bundle) => {
      const i = bundle.inputData;
      return call(z, bundle, 'POST', `/v1/lists/${encodeURIComponent(i.list_id)}/contacts`, { phones: [i.phone] });
    },
    sample: { matched: 1, added: 1, not_found: 0 },
  },
};

module.exports = {
  version: pkg.version,
  platformVersion: pkg.dependencies['zapier-platform-core'],
  authentication,
  beforeRequest: [addBearer],
  afterResponse: [],
  triggers: {
    [newInboundMessage.key]: newInboundMessage,
    [messageStatus.key]: messageStatus,
    [contactOptedOut.key]: contactOptedOut,
    [list.key]: list,
  },
  searches: {},
  creates: {
    [sendSMS.key]: sendSMS,
    [addContact.key]: addContact,
    [addToList.key]: addToList,
  },
  resources: {},
};
