// The operator's configuration forms (carriers, route plans, buy rates):
// their state, validation as the API validates (api/openapi/carriers_config.json,
// app/carriers_config.go) and their conversion to API bodies.

import type { Schemas } from '../../api/client';
import { isDecimalAmount } from '../../lib/amount';

export type Carrier = Schemas['CarrierConfig'];
export type CarrierInput = Schemas['CarrierInput'];
export type Route = Schemas['Route'];
export type BuyRateInput = Schemas['BuyRateInput'];
export type BindType = NonNullable<CarrierInput['bind_type']>;

/** bindTypes are the SMPP bind types a carrier may use. */
export const bindTypes: BindType[] = ['transceiver', 'transmitter', 'receiver'];

/** CarrierForm is the carrier dialog's state: every number as typed. */
export interface CarrierForm {
  name: string;
  address: string;
  system_id: string;
  /** Write-only: empty keeps the stored one when editing. */
  password: string;
  system_type: string;
  bind_type: BindType;
  binds: string;
  window: string;
  tps: string;
  max_inbound: string;
  /** Comma- or space-separated error codes. */
  optout_errors: string;
  tls: boolean;
  tls_ca: string;
  tls_server_name: string;
  tls_insecure_skip_verify: boolean;
  outbind_listen: string;
}

/** emptyCarrier is a new carrier's form, with the API's defaults. */
export const emptyCarrier: CarrierForm = {
  name: '', address: '', system_id: '', password: '', system_type: '', bind_type: 'transceiver', binds: '1', window: '10',
  tps: '', max_inbound: '1000', optout_errors: '', tls: false, tls_ca: '', tls_server_name: '', tls_insecure_skip_verify: false,
  outbind_listen: '',
};

/** carrierForm fills the form from a stored carrier (the password stays empty: it is never returned). */
export function carrierForm(c: Carrier): CarrierForm {
  return {
    name: c.name, address: c.address, system_id: c.system_id, password: '', system_type: c.system_type, bind_type: c.bind_type,
    binds: String(c.binds), window: String(c.window), tps: String(c.tps), max_inbound: String(c.max_inbound),
    optout_errors: (c.optout_errors ?? []).join(', '), tls: c.tls, tls_ca: c.tls_ca, tls_server_name: c.tls_server_name,
    tls_insecure_skip_verify: c.tls_insecure_skip_verify, outbind_listen: c.outbind_listen,
  };
}

const carrierNameRe = /^[A-Za-z0-9._-]{1,64}$/;
const hostPortRe = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;

/** intIn parses a whole number from lo to hi, or undefined. */
function intIn(s: string, lo: number, hi: number): number | undefined {
  const t = s.trim();
  if (!/^[0-9]+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= lo && n <= hi ? n : undefined;
}

/** hostPortError checks host:port with a port from 1 to 65535. */
function hostPortError(v: string): string | undefined {
  const s = v.trim();
  if (!hostPortRe.test(s)) return 'host:port, such as smsc.example.com:2775';
  const port = Number(s.slice(s.lastIndexOf(':') + 1));
  return port >= 1 && port <= 65535 ? undefined : 'The port is 1 to 65535';
}

/** CarrierErrors maps the form's fields to their messages. */
export type CarrierErrors = Partial<Record<keyof CarrierForm, string>>;

/** carrierErrors validates the carrier form; creating also checks the name. */
export function carrierErrors(f: CarrierForm, creating: boolean): CarrierErrors {
  const e: CarrierErrors = {};
  if (creating && !carrierNameRe.test(f.name.trim())) e.name = '1 to 64 letters, digits, -, _ or .';
  e.address = hostPortError(f.address);
  const sid = f.system_id.trim();
  if (sid.length < 1 || sid.length > 15) e.system_id = '1 to 15 characters';
  if (f.password.length > 8) e.password = 'At most 8 characters (SMPP 3.4)';
  if (f.system_type.trim().length > 12) e.system_type = 'At most 12 characters';
  if (intIn(f.binds, 1, 64) === undefined) e.binds = '1 to 64';
  if (intIn(f.window, 1, 1000) === undefined) e.window = '1 to 1,000';
  const tps = Number(f.tps.trim());
  if (f.tps.trim() === '' || !Number.isFinite(tps) || tps < 0 || tps > 100_000) e.tps = '0 (no limit) to 100,000';
  if (intIn(f.max_inbound, 1, 100_000) === undefined) e.max_inbound = '1 to 100,000';
  const codes = splitCodes(f.optout_errors);
  if (codes.length > 32 || codes.some((c) => c.length > 16)) e.optout_errors = 'At most 32 codes of up to 16 characters';
  if (!f.tls && (f.tls_ca.trim() || f.tls_server_name.trim() || f.tls_insecure_skip_verify)) e.tls = 'Turn TLS on for these settings';
  if (f.outbind_listen.trim() && hostPortError(f.outbind_listen)) e.outbind_listen = hostPortError(f.outbind_listen);
  for (const k of Object.keys(e) as (keyof CarrierForm)[]) if (e[k] === undefined) delete e[k];
  return e;
}

/** splitCodes splits "0x45, 005" into its codes. */
export function splitCodes(s: string): string[] {
  return s.split(/[\s,]+/).filter(Boolean);
}

/** carrierBody is the whole form as the API takes it (name only when creating, password only when typed). */
export function carrierBody(f: CarrierForm, creating: boolean): CarrierInput {
  const b: CarrierInput = {
    address: f.address.trim(), system_id: f.system_id.trim(), system_type: f.system_type.trim(), bind_type: f.bind_type,
    binds: Number(f.binds.trim()), window: Number(f.window.trim()), tps: Number(f.tps.trim()), max_inbound: Number(f.max_inbound.trim()),
    optout_errors: splitCodes(f.optout_errors), tls: f.tls, tls_ca: f.tls ? f.tls_ca.trim() : '',
    tls_server_name: f.tls ? f.tls_server_name.trim() : '', tls_insecure_skip_verify: f.tls && f.tls_insecure_skip_verify,
    outbind_listen: f.outbind_listen.trim(),
  };
  if (creating) b.name = f.name.trim();
  if (f.password !== '') b.password = f.password;
  return b;
}

/**
 * carrierPatch is what an edit changed, as a PATCH body: members left out
 * keep their values, and a blank password keeps the stored one.
 */
export function carrierPatch(before: Carrier, f: CarrierForm): CarrierInput {
  const all = carrierBody(f, false);
  const out: Record<string, unknown> = {};
  const was = before as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(all)) {
    if (k === 'password') {
      out[k] = v;
      continue;
    }
    const old = was[k];
    const same = Array.isArray(v) ? JSON.stringify(v) === JSON.stringify(old ?? []) : v === old;
    if (!same) out[k] = v;
  }
  return out as CarrierInput;
}

/** ChoiceRow is one carrier of a route, as typed. */
export interface ChoiceRow {
  carrier: string;
  priority: string;
  weight: string;
}

/** RouteRow is one route of a plan, as typed. */
export interface RouteRow {
  prefix: string;
  least_cost: boolean;
  sender_tps: string;
  carriers: ChoiceRow[];
}

/** newRoute is an empty route with one carrier slot. */
export function newRoute(carrier = ''): RouteRow {
  return { prefix: '', least_cost: false, sender_tps: '0', carriers: [{ carrier, priority: '0', weight: '1' }] };
}

/** routeRows fills the editor from a stored plan. */
export function routeRows(routes: Route[]): RouteRow[] {
  return routes.map((r) => ({
    prefix: r.prefix,
    least_cost: !!r.least_cost,
    sender_tps: String(r.sender_tps ?? 0),
    carriers: r.carriers.map((c) => ({ carrier: c.carrier, priority: String(c.priority ?? 0), weight: String(c.weight || 1) })),
  }));
}

/** RouteErrors are a plan's messages: per route, per carrier of each route, and for the plan. */
export interface RouteErrors {
  routes: ({ prefix?: string; sender_tps?: string; carriers?: string; choices: (string | undefined)[] } | undefined)[];
  plan?: string;
  /** Whether anything is wrong. */
  any: boolean;
}

/** cleanPrefix drops spaces and a leading +. */
function cleanPrefix(p: string): string {
  return p.trim().replace(/^\+/, '');
}

/**
 * routeErrors validates a plan as the API does: prefixes of up to 15 digits
 * ("" every destination) each once, 1 to 64 carriers per route each once,
 * priority 0 to 1,000, weight 0 to 1,000,000, sender_tps 0 or more.
 * known, when given, are the carriers that may be named.
 */
export function routeErrors(rows: RouteRow[], known?: string[]): RouteErrors {
  const prefixes = new Set<string>();
  let any = false;
  const routes = rows.map((r) => {
    const e: { prefix?: string; sender_tps?: string; carriers?: string; choices: (string | undefined)[] } = { choices: [] };
    const p = cleanPrefix(r.prefix);
    if (p !== '' && !/^[0-9]{1,15}$/.test(p)) e.prefix = 'Up to 15 digits (empty: every number)';
    else if (prefixes.has(p)) e.prefix = p ? `Prefix ${p} is listed twice` : 'Only one route for every number';
    prefixes.add(p);
    const tps = Number(r.sender_tps.trim() || '0');
    if (!Number.isFinite(tps) || tps < 0 || tps > 100_000) e.sender_tps = '0 (no limit) to 100,000';
    if (r.carriers.length === 0 || r.carriers.length > 64) e.carriers = 'A route has 1 to 64 carriers';
    const seen = new Set<string>();
    e.choices = r.carriers.map((c) => {
      const name = c.carrier.trim();
      if (!name) return 'Choose a carrier';
      if (known && !known.includes(name)) return `Unknown carrier ${name}`;
      if (seen.has(name)) return `${name} is listed twice`;
      seen.add(name);
      if (intIn(c.priority, 0, 1000) === undefined) return 'Priority: 0 (first) to 1,000';
      if (intIn(c.weight, 0, 1_000_000) === undefined) return 'Weight: 0 to 1,000,000';
      return undefined;
    });
    const bad = !!(e.prefix || e.sender_tps || e.carriers || e.choices.some(Boolean));
    any ||= bad;
    return bad ? e : undefined;
  });
  return { routes, any };
}

/** routesBody is the plan as PUT /v1/routes and /v1/accounts/{id}/routes take it. */
export function routesBody(rows: RouteRow[]): { routes: Route[] } {
  return {
    routes: rows.map((r) => ({
      prefix: cleanPrefix(r.prefix),
      least_cost: r.least_cost,
      sender_tps: Number(r.sender_tps.trim() || '0'),
      carriers: r.carriers.map((c) => ({ carrier: c.carrier.trim(), priority: Number(c.priority.trim()), weight: Number(c.weight.trim()) })),
    })),
  };
}

/** describeRoute shows a route's carriers by priority, with weights. */
export function describeRoute(r: Route): string {
  return [...r.carriers]
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0))
    .map((c) => `${c.carrier} (priority ${c.priority ?? 0}, weight ${c.weight || 1})`)
    .join(', ');
}

/** BuyRateForm is the new buy rate's form. */
export interface BuyRateForm {
  carrier: string;
  prefix: string;
  price: string;
  currency: string;
  /** datetime-local value; empty: now. */
  valid_from: string;
}

/** buyRateErrors validates a new buy rate. */
export function buyRateErrors(f: BuyRateForm): Partial<Record<keyof BuyRateForm, string>> {
  const e: Partial<Record<keyof BuyRateForm, string>> = {};
  if (!f.carrier.trim()) e.carrier = 'Choose a carrier';
  if (!/^[0-9]{1,15}$/.test(cleanPrefix(f.prefix))) e.prefix = '1 to 15 digits, such as 44';
  if (!isDecimalAmount(f.price.trim())) e.price = 'A decimal amount such as 0.0042';
  if (f.currency.trim() && !/^[A-Z]{3}$/.test(f.currency.trim())) e.currency = 'Three capital letters, such as EUR';
  if (f.valid_from && Number.isNaN(Date.parse(f.valid_from))) e.valid_from = 'A date and time';
  return e;
}

/** buyRateBody is the rate as POST /v1/buy-rates takes it (the currency and start left out when empty). */
export function buyRateBody(f: BuyRateForm): BuyRateInput {
  const b: BuyRateInput = { carrier: f.carrier.trim(), prefix: cleanPrefix(f.prefix), price: f.price.trim() };
  if (f.currency.trim()) b.currency = f.currency.trim();
  if (f.valid_from) b.valid_from = new Date(f.valid_from).toISOString();
  return b;
}
