// Interoperability test of the gateway: node-smpp, an SMPP implementation
// written by someone else, binds to `gallant demo` (SQLite store and an
// in-process simulated carrier) with the demo account's credentials,
// submits short, Unicode and long (message_payload) messages with a
// window, and receives one delivery receipt per message naming the id the
// gateway returned; then submit_multi (with a distribution list made over
// HTTP, and an unknown one refused in unsuccess_sme), data_sm and replace_sm of a scheduled message, each
// with its receipts. curl-like HTTP checks read the same messages back.
//
// Usage: node gateway.test.mjs PATH/TO/gallant
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const smpp = require('smpp');

const bin = process.argv[2];
if (!bin) {
  console.error('usage: node gateway.test.mjs PATH/TO/gallant');
  process.exit(2);
}

const TOTAL = 1000;
const WINDOW = 50;
const DEADLINE_MS = 60000;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name} ${detail}`); }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

const timer = setTimeout(() => { console.log('FAIL gateway interop timed out'); process.exit(1); }, DEADLINE_MS + 20000);
const dir = mkdtempSync(join(tmpdir(), 'gallant-interop-'));
const httpPort = await freePort();
const smppPort = await freePort();
const gw = spawn(bin, ['demo', '--data', dir, '--http', `127.0.0.1:${httpPort}`, '--smpp', `127.0.0.1:${smppPort}`,
  '--receipt-delay', '5ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
let errOut = '';
gw.stdout.on('data', (d) => { out += d; });
gw.stderr.on('data', (d) => { errOut += d; });
const gwExit = new Promise((resolve) => gw.on('exit', (code) => resolve(code)));

async function waitFor(cond, ms) {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

try {
  const ready = await waitFor(() => /API key\s+(\S+)/.test(out) && /system_id (\S+)\s+password (\S+)/.test(out), 20000);
  check('gallant demo starts and prints credentials', ready, errOut.slice(-500));
  if (!ready) throw new Error('demo did not start');
  const apiKey = /API key\s+(\S+)/.exec(out)[1];
  const [, systemId, password] = /system_id (\S+)\s+password (\S+)/.exec(out);

  const bad = smpp.connect({ url: `smpp://127.0.0.1:${smppPort}` });
  bad.on('error', () => {});
  const badResp = await new Promise((r) => bad.bind_transceiver({ system_id: systemId, password: 'wrong' }, r));
  check('a wrong password is refused', badResp.command_status === 0x0d, `status ${badResp.command_status}`);
  bad.destroy();

  const s = smpp.connect({ url: `smpp://127.0.0.1:${smppPort}` });
  s.on('error', (e) => check('session error', false, String(e)));
  const b = await new Promise((r) => s.bind_transceiver({ system_id: systemId, password }, r));
  check('bind_transceiver with the demo credentials', b.command_status === 0, `status ${b.command_status}`);

  const ids = new Map();
  const receipts = new Map();
  const from = new Map(); // receipted_message_id -> the receipt's source_addr
  s.on('deliver_sm', (pdu) => {
    s.send(pdu.response());
    if ((pdu.esm_class & 0x3c) !== 0x04) return;
    receipts.set(pdu.receipted_message_id, (receipts.get(pdu.receipted_message_id) || 0) + 1);
    from.set(pdu.receipted_message_id, pdu.source_addr);
  });

  let next = 0; let inflight = 0; let ok = 0; let bad2 = 0;
  await new Promise((resolve) => {
    const pump = () => {
      while (inflight < WINDOW && next < TOTAL) {
        const i = next++;
        inflight++;
        const kind = i % 10;
        const text = kind === 0 ? `Grüße 👋 ${i}` : kind === 1 ? `long ${i} `.padEnd(400, 'x') : `message ${i}`;
        const body = text.length > 200 ? { message_payload: text } : { short_message: text };
        s.submit_sm({ source_addr: 'Interop', source_addr_ton: 5, destination_addr: `4477009${String(i).padStart(5, '0')}`,
          dest_addr_ton: 1, dest_addr_npi: 1, registered_delivery: 1, ...body }, (r) => {
          inflight--;
          if (r.command_status === 0) { ok++; ids.set(r.message_id, i); } else { bad2++; }
          if (ok + bad2 === TOTAL) resolve(); else pump();
        });
      }
    };
    pump();
  });
  check(`${TOTAL} submit_sm accepted by the gateway`, ok === TOTAL, `ok=${ok} refused=${bad2}`);
  check('gateway message ids are unique', ids.size === ok);
  await waitFor(() => receipts.size >= ids.size, DEADLINE_MS);
  let matched = 0; let dup = 0;
  for (const [id, n] of receipts) { if (ids.has(id)) matched++; if (n !== 1) dup++; }
  check('every message got its receipt back over SMPP', matched === ids.size, `matched=${matched}/${ids.size}`);
  check('no duplicate or unknown receipts', dup === 0 && matched === receipts.size, `dup=${dup} unknown=${receipts.size - matched}`);

  const q = await new Promise((r) => s.query_sm({ message_id: [...ids.keys()][0] }, r));
  check('query_sm answers DELIVERED', q.command_status === 0 && q.message_state === 2, `status ${q.command_status} state ${q.message_state}`);

  // The same message over HTTP.
  const id = [...ids.keys()][1];
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/messages/${id}`, { headers: { Authorization: `Bearer ${apiKey}` } });
  const m = await res.json();
  check('GET /v1/messages/{id} shows it delivered', res.status === 200 && m.status === 'delivered', JSON.stringify(m).slice(0, 200));
  const post = await fetch(`http://127.0.0.1:${httpPort}/v1/messages`, { method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ to: '+447700900999', text: 'over http' }) });
  const pj = await post.json();
  check('POST /v1/messages answers 202 with an id', post.status === 202 && pj.id, JSON.stringify(pj));

  // submit_multi: three numbers, a distribution list made over HTTP (two
  // more numbers, one of them also named directly: sent once), and a
  // list that does not exist (refused in unsuccess_sme).
  const dests = ['447700901001', '447700901002', '447700901003'];
  const listed = ['447700901004', '447700901005'];
  const dl = await fetch(`http://127.0.0.1:${httpPort}/v1/distribution-lists`, { method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'team', numbers: ['+' + listed[0], listed[1], dests[0]] }) });
  check('POST /v1/distribution-lists answers 201', dl.status === 201, `status ${dl.status} ${await dl.text()}`);
  const mr = await new Promise((r) => s.submit_multi({ source_addr: 'Interop', source_addr_ton: 5, registered_delivery: 1,
    dest_address: [...dests.map((d) => ({ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: d })), { dl_name: 'team' }, { dl_name: 'nobody' }],
    short_message: 'to five' }, r));
  const un = mr.unsuccess_sme || [];
  check('submit_multi accepted with the unknown list in unsuccess_sme', mr.command_status === 0 && mr.message_id &&
    un.length === 1 && un[0].destination_addr === 'nobody' && un[0].error_status_code === 0x34,
    `status ${mr.command_status} id ${mr.message_id} unsuccess ${JSON.stringify(un)}`);
  const all = [...dests, ...listed];
  const multiFrom = () => [...from.values()].filter((a) => all.includes(a));
  await waitFor(() => multiFrom().length >= all.length, DEADLINE_MS);
  check('submit_multi: one receipt per destination, the list expanded', multiFrom().length === all.length &&
    new Set(multiFrom()).size === all.length && from.get(mr.message_id) === dests[0],
    `from ${JSON.stringify(multiFrom())} first ${from.get(mr.message_id)}`);

  // data_sm: a submit with message_payload, answered data_sm_resp with our id.
  const dr = await new Promise((r) => s.data_sm({ source_addr: 'Interop', source_addr_ton: 5, dest_addr_ton: 1, dest_addr_npi: 1,
    destination_addr: '447700901010', registered_delivery: 1, message_payload: 'data sm' }, r));
  check('data_sm accepted with a message id', dr.command_status === 0 && /^[0-9]+$/.test(dr.message_id || ''),
    `status ${dr.command_status} id ${dr.message_id}`);
  await waitFor(() => receipts.has(dr.message_id), DEADLINE_MS);
  check('data_sm: its receipt names the id data_sm_resp gave', receipts.get(dr.message_id) === 1);

  // replace_sm: a message scheduled a minute ahead gets new text and a
  // send time two seconds ahead; its receipt comes with the same id.
  const sr = await new Promise((r) => s.submit_sm({ source_addr: 'Interop', source_addr_ton: 5, destination_addr: '447700901020',
    dest_addr_ton: 1, dest_addr_npi: 1, registered_delivery: 1, schedule_delivery_time: '000000000100000R', short_message: 'old text' }, r));
  const rr = await new Promise((r) => s.replace_sm({ message_id: sr.message_id, source_addr: 'Interop', source_addr_ton: 5,
    schedule_delivery_time: '000000000002000R', registered_delivery: 1, short_message: 'new text' }, r));
  check('replace_sm of a scheduled message', sr.command_status === 0 && rr.command_status === 0,
    `submit ${sr.command_status} replace ${rr.command_status}`);
  await waitFor(() => receipts.has(sr.message_id), DEADLINE_MS);
  const rm = await (await fetch(`http://127.0.0.1:${httpPort}/v1/messages/${sr.message_id}`, { headers: { Authorization: `Bearer ${apiKey}` } })).json();
  check('replace_sm: the replaced message was sent and receipted', receipts.get(sr.message_id) === 1 && rm.status === 'delivered' && rm.text === 'new text',
    JSON.stringify(rm).slice(0, 200));

  await new Promise((r) => s.unbind({}, r));
  s.destroy();
  gw.kill('SIGTERM');
  const code = await gwExit;
  check('gallant exits cleanly on SIGTERM', code === 0, `code ${code} ${errOut.slice(-300)}`);
} catch (e) {
  check('gateway interop run', false, String(e && e.stack || e));
  gw.kill('SIGKILL');
} finally {
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
}

console.log(`gateway interop: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
