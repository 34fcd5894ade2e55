import { describe, expect, it } from 'vitest';
import {
  buyRateBody, buyRateErrors, type Carrier, carrierBody, carrierErrors, carrierForm, carrierPatch, emptyCarrier, newRoute,
  routeErrors, routeRows, routesBody, splitCodes,
} from './config';

const stored: Carrier = {
  name: 'uk1', address: 'smsc.example.com:2775', system_id: 'gallant', password_set: true, system_type: '', bind_type: 'transceiver',
  binds: 2, window: 10, tps: 50, max_inbound: 1000, optout_errors: ['0x45'], tls: false, tls_ca: '', tls_server_name: '',
  tls_insecure_skip_verify: false, outbind_listen: '', created_at: '2026-12-01T00:00:00Z', updated_at: '2026-12-01T00:00:00Z',
  restart_pending: false,
};

describe('carrier form', () => {
  const good = { ...emptyCarrier, name: 'uk-1.b', address: 'smsc.example.com:2775', system_id: 'gallant', tps: '50' };
  it('accepts a complete new carrier', () => {
    expect(carrierErrors(good, true)).toEqual({});
  });
  it('checks each field as the API does', () => {
    const e = carrierErrors(
      { ...emptyCarrier, name: 'bad name', address: 'nohost', system_id: 'x'.repeat(16), password: '123456789', binds: '0',
        window: '1001', tps: '-1', max_inbound: '100001', tls_ca: '/etc/ca.pem', outbind_listen: 'x' },
      true,
    );
    expect(Object.keys(e).sort()).toEqual(
      ['address', 'binds', 'max_inbound', 'name', 'outbind_listen', 'password', 'system_id', 'tls', 'tps', 'window'].sort(),
    );
    expect(carrierErrors({ ...good, address: 'smsc:70000' }, true).address).toMatch(/port/);
    expect(carrierErrors({ ...good, tps: '100001' }, true).tps).toBeTruthy();
    expect(carrierErrors({ ...good, tps: '0.5' }, true).tps).toBeUndefined();
    expect(carrierErrors({ ...good, tps: '0' }, true).tps).toBeUndefined(); // no limit, as tps 0 in the configuration file
    expect(carrierErrors({ ...good, address: '[::1]:2775' }, true).address).toBeUndefined();
  });
  it('does not check the name of a carrier being edited (it cannot change)', () => {
    expect(carrierErrors({ ...good, name: '' }, false)).toEqual({});
    expect(carrierErrors({ ...good, name: '' }, true).name).toBeTruthy();
  });
  it('sends the name only on creation and the password only when typed', () => {
    const b = carrierBody({ ...good, optout_errors: '0x45, 005 0x0B' }, true);
    expect(b.name).toBe('uk-1.b');
    expect(b).not.toHaveProperty('password');
    expect(b.tps).toBe(50);
    expect(b.binds).toBe(1);
    expect(b.optout_errors).toEqual(['0x45', '005', '0x0B']);
    const e = carrierBody({ ...good, password: 's3cret' }, false);
    expect(e).not.toHaveProperty('name');
    expect(e.password).toBe('s3cret');
  });
  it('clears the TLS details when TLS is off', () => {
    const b = carrierBody({ ...good, tls: false, tls_server_name: 'x' }, true);
    expect(b.tls_server_name).toBe('');
  });
  it('round-trips a stored carrier, the password left blank', () => {
    const f = carrierForm(stored);
    expect(f.password).toBe('');
    expect(f.optout_errors).toBe('0x45');
    expect(carrierErrors(f, false)).toEqual({});
  });
  it('patches only what changed; a blank password keeps the stored one', () => {
    expect(carrierPatch(stored, carrierForm(stored))).toEqual({});
    const f = { ...carrierForm(stored), tps: '75', password: 'newpw', optout_errors: '0x45 005' };
    expect(carrierPatch(stored, f)).toEqual({ tps: 75, password: 'newpw', optout_errors: ['0x45', '005'] });
  });
  it('splits codes on commas and spaces', () => {
    expect(splitCodes(' 0x45,,005 ')).toEqual(['0x45', '005']);
    expect(splitCodes('')).toEqual([]);
  });
});

describe('route plans', () => {
  it('accepts a plan with a catch-all and a prefix', () => {
    const rows = [newRoute('sim'), { ...newRoute('uk1'), prefix: '+44' }];
    expect(routeErrors(rows, ['sim', 'uk1']).any).toBe(false);
  });
  it('finds prefixes and carriers given twice, unknown carriers and bad numbers', () => {
    const rows = [
      { ...newRoute('sim'), prefix: '44' },
      { ...newRoute('sim'), prefix: '+44' },
      { prefix: '1x', least_cost: false, sender_tps: '-1', carriers: [] },
      { prefix: '', least_cost: true, sender_tps: '0', carriers: [
        { carrier: 'sim', priority: '0', weight: '1' }, { carrier: 'sim', priority: '1', weight: '1' },
        { carrier: 'nope', priority: '0', weight: '1' }, { carrier: 'uk1', priority: '1001', weight: '1' },
        { carrier: '', priority: '0', weight: '1' }, { carrier: 'uk2', priority: '0', weight: '1000001' }] },
    ];
    const e = routeErrors(rows, ['sim', 'uk1', 'uk2']);
    expect(e.any).toBe(true);
    expect(e.routes[0]).toBeUndefined();
    expect(e.routes[1]?.prefix).toMatch(/twice/);
    expect(e.routes[2]?.prefix).toBeTruthy();
    expect(e.routes[2]?.sender_tps).toBeTruthy();
    expect(e.routes[2]?.carriers).toMatch(/1 to 64/);
    expect(e.routes[3]?.choices).toEqual([undefined, 'sim is listed twice', 'Unknown carrier nope', expect.stringMatching(/Priority/),
      'Choose a carrier', expect.stringMatching(/Weight/)]);
  });
  it('leaves the carriers unchecked when it does not know them (a reseller)', () => {
    expect(routeErrors([newRoute('anything')]).any).toBe(false);
  });
  it('allows an empty plan (removes an account plan)', () => {
    expect(routeErrors([]).any).toBe(false);
    expect(routesBody([])).toEqual({ routes: [] });
  });
  it('converts the form to the API body and back', () => {
    const rows = [{ prefix: ' +44 ', least_cost: true, sender_tps: '5', carriers: [{ carrier: ' uk1 ', priority: '1', weight: '3' }] }];
    const body = routesBody(rows);
    expect(body).toEqual({ routes: [{ prefix: '44', least_cost: true, sender_tps: 5, carriers: [{ carrier: 'uk1', priority: 1, weight: 3 }] }] });
    expect(routeRows(body.routes)).toEqual([{ prefix: '44', least_cost: true, sender_tps: '5', carriers: [{ carrier: 'uk1', priority: '1', weight: '3' }] }]);
    expect(routeRows([{ prefix: '', carriers: [{ carrier: 'sim' }] }])[0]).toEqual(newRoute('sim'));
  });
});

describe('buy rates', () => {
  it('checks the rate', () => {
    expect(buyRateErrors({ carrier: 'uk1', prefix: '+44', price: '0.0042', currency: '', valid_from: '' })).toEqual({});
    const e = buyRateErrors({ carrier: '', prefix: '', price: 'free', currency: 'eur', valid_from: 'soon' });
    expect(Object.keys(e).sort()).toEqual(['carrier', 'currency', 'prefix', 'price', 'valid_from']);
  });
  it('leaves out the currency and start when empty', () => {
    expect(buyRateBody({ carrier: 'uk1', prefix: '+44', price: '0.0042', currency: '', valid_from: '' })).toEqual({
      carrier: 'uk1', prefix: '44', price: '0.0042' });
    const b = buyRateBody({ carrier: 'uk1', prefix: '44', price: '1', currency: 'GBP', valid_from: '2027-01-01T00:00Z' });
    expect(b.currency).toBe('GBP');
    expect(b.valid_from).toBe('2027-01-01T00:00:00.000Z');
  });
});
