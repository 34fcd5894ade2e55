// Interoperability test: node-smpp, an SMPP implementation written by
// someone else, binds to smscsim, submits messages with a window, answers
// every delivery receipt, and checks that each message got exactly one
// receipt naming the id the simulator returned.
//
// Usage: node interop.test.mjs PATH/TO/smscsim
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const smpp = require('smpp');

const simPath = process.argv[2];
if (!simPath) {
  console.error('usage: node interop.test.mjs PATH/TO/smscsim');
  process.exit(2);
}

const TOTAL = 3000;     // messages submitted
const WINDOW = 50;      // outstanding submit_sm at once
const DEADLINE_MS = 60000;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name} ${detail}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function waitListening(port) {
  return new Promise((resolve, reject) => {
    const until = Date.now() + 10000;
    const attempt = () => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => { c.destroy(); resolve(); });
      c.once('error', () => {
        if (Date.now() > until) reject(new Error('smscsim did not listen'));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function bind(session, kind, creds) {
  return new Promise((resolve) => session[kind](creds, (pdu) => resolve(pdu)));
}

const timer = setTimeout(() => {
  console.log('FAIL interop test timed out');
  process.exit(1);
}, DEADLINE_MS + 15000);

const port = await freePort();
const sim = spawn(simPath, [
  '--listen', `127.0.0.1:${port}`,
  '--receipt-delay', '5ms',
  '--credentials', 'interop:secret1',
], { stdio: ['ignore', 'pipe', 'inherit'] });
let simOut = '';
sim.stdout.on('data', (d) => { simOut += d; });
const simExit = new Promise((resolve) => sim.on('exit', (code) => resolve(code)));

try {
  await waitListening(port);

  // A wrong password is refused with a bind error, not a hang.
  const bad = smpp.connect({ url: `smpp://127.0.0.1:${port}` });
  bad.on('error', () => {});
  const badResp = await bind(bad, 'bind_transceiver', { system_id: 'interop', password: 'wrong' });
  check('bind with a wrong password is refused', badResp.command_status !== 0,
    `status ${badResp.command_status}`);
  bad.destroy();

  const session = smpp.connect({ url: `smpp://127.0.0.1:${port}` });
  session.on('error', (e) => check('session error', false, String(e)));
  const resp = await bind(session, 'bind_transceiver', { system_id: 'interop', password: 'secret1' });
  check('bind_transceiver succeeds', resp.command_status === 0, `status ${resp.command_status}`);

  // enquire_link is answered.
  const el = await new Promise((resolve) => session.enquire_link({}, resolve));
  check('enquire_link answered', el.command_status === 0);

  const ids = new Map();      // message id -> index
  const receipts = new Map(); // message id -> count
  let badReceipts = 0;
  session.on('deliver_sm', (pdu) => {
    session.send(pdu.response());
    if ((pdu.esm_class & 0x3c) !== 0x04) return;
    const rid = pdu.receipted_message_id
      || (/id:(\S+)/i.exec(String(pdu.short_message.message || pdu.short_message)) || [])[1];
    if (!rid) { badReceipts++; return; }
    receipts.set(rid, (receipts.get(rid) || 0) + 1);
  });

  let next = 0;
  let inflight = 0;
  let okResps = 0;
  let errResps = 0;
  await new Promise((resolve) => {
    const pump = () => {
      while (inflight < WINDOW && next < TOTAL) {
        const i = next++;
        inflight++;
        const unicode = i % 10 === 0;
        session.submit_sm({
          source_addr: 'Interop',
          source_addr_ton: 5,
          destination_addr: `4477009${String(i).padStart(5, '0')}`,
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          registered_delivery: 1,
          short_message: unicode ? 'Grüße 👋 from node' : `message ${i}`,
        }, (pdu) => {
          inflight--;
          if (pdu.command_status === 0 && pdu.message_id) {
            okResps++;
            ids.set(pdu.message_id, i);
          } else {
            errResps++;
          }
          if (okResps + errResps === TOTAL) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  check(`${TOTAL} submit_sm answered OK`, okResps === TOTAL, `ok=${okResps} err=${errResps}`);
  check('message ids are unique', ids.size === okResps, `unique=${ids.size}`);

  const until = Date.now() + DEADLINE_MS;
  while (receipts.size < ids.size && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }
  let matched = 0;
  let dup = 0;
  for (const [id, n] of receipts) {
    if (ids.has(id)) matched++;
    if (n !== 1) dup++;
  }
  check('every message got a receipt', matched === ids.size, `matched=${matched}/${ids.size}`);
  check('no duplicate or unknown receipts', dup === 0 && receipts.size === matched && badReceipts === 0,
    `dup=${dup} unknown=${receipts.size - matched} unparsable=${badReceipts}`);

  await new Promise((resolve) => session.unbind({}, resolve));
  check('unbind answered', true);
  session.destroy();

  sim.kill('SIGTERM');
  const code = await simExit;
  check('smscsim exits cleanly on SIGTERM', code === 0, `code ${code}`);
  let summary = null;
  try { summary = JSON.parse(simOut.trim().split('\n').pop()); } catch { /* checked below */ }
  check('smscsim prints a JSON summary', summary !== null, simOut.slice(-200));
  if (summary) {
    check('summary counts every submit_sm', summary.submit_sm === TOTAL, `submit_sm=${summary.submit_sm}`);
  }
} catch (e) {
  check('interop run', false, String(e && e.stack || e));
  sim.kill('SIGKILL');
} finally {
  clearTimeout(timer);
}

console.log(`interop: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
