"""Tests of gallant.py: unit tests against a scripted local server, the
gateway signer's webhook vectors, and live tests against a running demo.

The live tests need GALLANT_SDK_TEST_URL, GALLANT_SDK_TEST_KEY and
GALLANT_SDK_TEST_WEBHOOK_SECRET, which sdk/test.sh sets after starting a
`gallant demo`; without them they fail (never skip) saying so. Run:

    sdk/test.sh                      # from the repository root
    cd sdk/python && python3 -m unittest -v
"""

import base64
import http.server
import json
import os
import random
import threading
import time
import unittest

import gallant

HERE = os.path.dirname(os.path.abspath(__file__))


class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers each request with the server's next scripted answer."""

    def _answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        srv = self.server
        with srv.lock:
            srv.requests.append((self.command, self.path, dict(self.headers), body))
            status, headers, payload = srv.answers.pop(0) if srv.answers else (418, {}, b"no more answers")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, *args):
        pass


def _problem(status, slug, field=None, retry_after=None):
    headers = {"Content-Type": "application/problem+json"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    doc = {"type": "https://docs.gallant.example/problems/" + slug, "title": "T", "status": status, "detail": "d"}
    if field:
        doc["field"] = field
    return status, headers, json.dumps(doc).encode()


def _json(status, doc):
    return status, {"Content-Type": "application/json"}, json.dumps(doc).encode()


class ClientUnitTest(unittest.TestCase):
    def setUp(self):
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
        self.srv.lock = threading.Lock()
        self.srv.requests, self.srv.answers = [], []
        self.thread = threading.Thread(target=self.srv.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.client = gallant.Client(f"http://127.0.0.1:{self.srv.server_address[1]}/", "gal_test", timeout=5)
        self.waits = []
        self.client._sleep = self.waits.append

    def tearDown(self):
        self.srv.shutdown()
        self.srv.server_close()
        self.thread.join(5)

    def test_retries_honour_retry_after(self):
        self.srv.answers = [_problem(503, "backpressure", retry_after=2), _problem(429, "rate-limited", retry_after=1),
                            _json(202, {"id": "77", "status": "accepted", "segments": 1, "price": 35000})]
        res = self.client.send_message("+447700900123", "hi", sender="Shop", idempotency_key="k-1")
        self.assertEqual(res["id"], "77")
        self.assertEqual(self.waits, [2, 1])
        self.assertEqual(len(self.srv.requests), 3)
        for method, path, headers, body in self.srv.requests:
            self.assertEqual((method, path), ("POST", "/v1/messages"))
            self.assertEqual(headers["Idempotency-Key"], "k-1")
            self.assertEqual(headers["Authorization"], "Bearer gal_test")
            self.assertEqual(json.loads(body), {"to": "+447700900123", "from": "Shop", "text": "hi"})

    def test_retries_bounded(self):
        self.client.retries = 2
        self.srv.answers = [_problem(503, "backpressure")] * 5
        with self.assertRaises(gallant.GallantError) as cm:
            self.client.balance()
        self.assertEqual(cm.exception.slug, "backpressure")
        self.assertEqual(len(self.srv.requests), 3)
        self.assertEqual(len(self.waits), 2)
        self.assertTrue(all(0 < w <= 1 for w in self.waits), self.waits)

    def test_retry_after_over_cap_raises(self):
        self.client.max_retry_wait = 10
        self.srv.answers = [_problem(429, "rate-limited", retry_after=120)]
        with self.assertRaises(gallant.GallantError) as cm:
            self.client.balance()
        self.assertEqual(cm.exception.retry_after, 120)
        self.assertEqual((len(self.srv.requests), self.waits), (1, []))

    def test_problem_fields(self):
        self.srv.answers = [_problem(400, "invalid-number", field="to")]
        with self.assertRaises(gallant.GallantError) as cm:
            self.client.send_message("12", "x")
        e = cm.exception
        self.assertEqual((e.status, e.slug, e.field, e.detail, e.title), (400, "invalid-number", "to", "d", "T"))
        self.assertFalse(e.temporary)
        self.assertEqual(e.problem["type"], "https://docs.gallant.example/problems/invalid-number")
        self.assertEqual(str(e), "gallant: 400 invalid-number: to: d")
        self.assertEqual(len(self.srv.requests), 1)

    def test_non_problem_answer(self):
        self.srv.answers = [(502, {"Content-Type": "text/html"}, b"<html>bad gateway</html>")]
        with self.assertRaises(gallant.GallantError) as cm:
            self.client.get_message("1")
        self.assertEqual((cm.exception.status, cm.exception.type), (502, "about:blank"))
        self.assertIn("bad gateway", cm.exception.detail)

    def test_iteration_and_queries(self):
        self.srv.answers = [_json(200, {"items": [{"id": "1"}], "next_cursor": "c2"}), _json(200, {"items": [{"id": "2"}]}),
                            (204, {}, b"")]
        ids = [m["id"] for m in self.client.iter_messages(status="delivered", limit=1)]
        self.assertEqual(ids, ["1", "2"])
        self.assertEqual(self.srv.requests[0][1], "/v1/messages?status=delivered&limit=1")
        self.assertEqual(self.srv.requests[1][1], "/v1/messages?status=delivered&limit=1&cursor=c2")
        self.assertIsNone(self.client.delete_contact(42))
        self.assertEqual(self.srv.requests[2][:2], ("DELETE", "/v1/contacts/42"))

    def test_batch_body(self):
        self.srv.answers = [_json(202, {"items": [], "accepted": 0, "rejected": 0})] * 2
        self.client.send_batch(["+447700900001", "+447700900002"], "Sale", sender="Shop", flash=True)
        self.assertEqual(json.loads(self.srv.requests[0][3]),
                         {"to": ["+447700900001", "+447700900002"], "from": "Shop", "text": "Sale", "flash": True})
        self.client.send_batch(messages=[{"to": "+447700900001", "text": "Hi"}])
        self.assertEqual(json.loads(self.srv.requests[1][3]), {"messages": [{"to": "+447700900001", "text": "Hi"}]})
        with self.assertRaises(ValueError):
            self.client.send_batch(["1"], "x", messages=[])
        with self.assertRaises(TypeError):
            self.client.send_batch(["1"], "x", colour="red")

    def test_bad_base_url(self):
        with self.assertRaises(ValueError):
            gallant.Client("127.0.0.1:8080", "k")


def _fixtures_path():
    return os.environ.get("GALLANT_SDK_TEST_FIXTURES") or os.path.join(HERE, "..", "testdata", "webhook-fixtures.json")


def _verdict(fn):
    try:
        fn()
    except gallant.WebhookError as e:
        return e.reason
    return "ok"


class WebhookVectorsTest(unittest.TestCase):
    """The gateway's own signer and verifier made these vectors
    (go run ./sdk/testdata/signfixture); our verifier must agree on each."""

    def test_gateway_vectors(self):
        with open(_fixtures_path()) as f:
            vectors = json.load(f)
        self.assertGreaterEqual(len(vectors), 20)
        seen = set()
        for v in vectors:
            body = base64.b64decode(v["body"])
            with self.subTest(v["name"]):
                got = _verdict(lambda: gallant.verify_webhook(v["secret"], v["header"], body, v["now"],
                                                                   v["tolerance"]))
                self.assertEqual(got, v["want"])
                got = _verdict(lambda: gallant.verify_webhook_body(v["secret"], v["body_header"], body))
                self.assertEqual(got, v["want_body"])
            seen.add(v["want"])
        self.assertEqual(seen, {"ok", "mismatch", "expired", "bad-header", "no-secret"})


def _live():
    url, key = os.environ.get("GALLANT_SDK_TEST_URL"), os.environ.get("GALLANT_SDK_TEST_KEY")
    if not url or not key:
        raise AssertionError("GALLANT_SDK_TEST_URL and GALLANT_SDK_TEST_KEY are not set: "
                             "run sdk/test.sh from the repository root (it starts a gallant demo)")
    return gallant.Client(url, key, timeout=10)


def _phone():
    return "+4477009%05d" % random.randrange(100000)


def _eventually(timeout, what, cond):
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


class LiveTest(unittest.TestCase):
    def setUp(self):
        self.c = _live()

    def test_send_and_delivered(self):
        to, key = _phone(), "sdk-py-%d" % random.getrandbits(62)
        res = self.c.send_message(to, "Hello from the Python SDK", sender="Gallant", client_ref="py-sdk",
                                  idempotency_key=key)
        self.assertEqual((res["status"], res["segments"], res["encoding"]), ("accepted", 1, "gsm7"))
        again = self.c.send_message(to, "Hello from the Python SDK", sender="Gallant", client_ref="py-sdk",
                                    idempotency_key=key)
        self.assertEqual(again["id"], res["id"])
        m = self.c.wait_for_status(res["id"], timeout=15)
        self.assertEqual(m["status"], "delivered")
        self.assertEqual((m["to"], m["client_ref"]), (to, "py-sdk"))
        self.assertEqual(m["history"][-1]["status"], "delivered")
        listed = [x for x in self.c.iter_messages(to=to, limit=5) if x["id"] == res["id"]]
        self.assertEqual([x["status"] for x in listed], ["delivered"])

    def test_batch(self):
        res = self.c.send_batch([_phone(), "12", _phone()], "Batch from Python")
        self.assertEqual((res["accepted"], res["rejected"], len(res["items"])), (2, 1, 3))
        err = res["items"][1]["error"]
        self.assertEqual((err["status"], err["field"]), (400, "to"))
        self.assertTrue(err["type"].endswith("/invalid-number"))
        res = self.c.send_batch(messages=[{"to": _phone(), "text": "Hi Ann"}, {"to": _phone(), "text": "Hi Bob"}])
        self.assertEqual((res["accepted"], res["rejected"]), (2, 0))
        self.assertEqual(self.c.wait_for_status(res["items"][0]["id"], timeout=15)["status"], "delivered")

    def test_problems(self):
        with self.assertRaises(gallant.GallantError) as cm:
            self.c.send_message("12", "x")
        e = cm.exception
        self.assertEqual((e.status, e.slug, e.field), (400, "invalid-number", "to"))
        self.assertTrue(e.detail and e.title)
        with self.assertRaises(gallant.GallantError) as cm:
            self.c.send_message(_phone(), "x", encoding="latin9")
        self.assertEqual((cm.exception.slug, cm.exception.field), ("invalid-request", "encoding"))
        with self.assertRaises(gallant.GallantError) as cm:
            self.c.request("POST", "/v1/messages", body={"to": _phone(), "txt": "typo"})
        self.assertEqual((cm.exception.slug, cm.exception.field), ("invalid-request", "txt"))
        with self.assertRaises(gallant.GallantError) as cm:
            self.c.get_message("999999999999")
        self.assertEqual((cm.exception.status, cm.exception.slug), (404, "not-found"))
        with self.assertRaises(gallant.GallantError) as cm:
            gallant.Client(self.c.base_url, "gal_nobody_xxxxxxxxxxxxxxxxxxxx").balance()
        self.assertEqual((cm.exception.status, cm.exception.slug), (401, "unauthorized"))

    def test_contacts_and_lists(self):
        p = _phone()
        ct = self.c.create_contact(p, first_name="Ada", last_name="Lovelace", tags=["sdk", "py"])
        self.assertEqual((ct["phone"], ct["first_name"], ct["time_zone"]), (p[1:], "Ada", "Europe/London"))
        with self.assertRaises(gallant.GallantError) as cm:
            self.c.create_contact(p)
        self.assertEqual((cm.exception.status, cm.exception.slug), (409, "conflict"))
        up = self.c.update_contact(ct["id"], last_name="King", tags=["vip"])
        self.assertEqual((up["first_name"], up["last_name"], up["tags"]), ("Ada", "King", ["vip"]))
        self.assertEqual(self.c.get_contact(ct["id"])["last_name"], "King")
        self.assertEqual([x["id"] for x in self.c.list_contacts(q=p)["data"]], [ct["id"]])
        # A CRM sync: linked by phone first, then found by its external id.
        crm = "crm-py-%d" % random.getrandbits(62)
        linked = self.c.upsert_contact(external_id=crm, phone=p, email="ada@example.com")
        self.assertEqual((linked["id"], linked["external_id"], linked["last_name"]), (ct["id"], crm, "King"))
        again = self.c.upsert_contact(external_id=crm, first_name="Augusta")
        self.assertEqual((again["id"], again["first_name"], again["email"]), (ct["id"], "Augusta", "ada@example.com"))
        lst = self.c.create_list("sdk-py-%d" % random.getrandbits(62))
        self.assertEqual(lst["count"], 0)
        bob = self.c.create_contact(_phone(), first_name="Bob")
        r = self.c.add_list_members(lst["id"], contact_ids=[ct["id"]], phones=[bob["phone"], "+447700999999999"])
        self.assertEqual(r, {"matched": 2, "added": 2, "not_found": 1})
        self.assertEqual(self.c.get_list(lst["id"])["count"], 2)
        self.assertEqual(len(self.c.list_contacts(list_id=lst["id"])["data"]), 2)
        self.assertEqual(self.c.remove_list_members(lst["id"], contact_ids=[bob["id"]])["removed"], 1)
        self.c.delete_contact(ct["id"])
        with self.assertRaises(gallant.GallantError) as cm:
            self.c.get_contact(ct["id"])
        self.assertEqual(cm.exception.status, 404)
        self.assertEqual(self.c.get_list(lst["id"])["count"], 0)
        self.c.delete_list(lst["id"])

    def test_hooks(self):
        hook = self.c.create_hook("http://127.0.0.1:9/never", ["contact.created", "message.inbound"], description="sdk-py")
        self.assertEqual(hook["events"], ["message.inbound", "contact.created"])
        self.assertIn(hook["id"], [h["id"] for h in self.c.list_hooks()])
        with self.assertRaises(gallant.GallantError) as cm:
            self.c.create_hook("http://127.0.0.1:9/never", ["contact.deleted"])
        self.assertEqual(cm.exception.status, 400)
        self.c.delete_hook(hook["id"])
        self.assertNotIn(hook["id"], [h["id"] for h in self.c.list_hooks()])
        with self.assertRaises(gallant.GallantError) as cm:
            self.c.delete_hook(hook["id"])
        self.assertEqual(cm.exception.status, 404)

    def test_campaign(self):
        lst = self.c.create_list("sdk-py-campaign-%d" % random.getrandbits(62))
        phones = [self.c.create_contact(_phone(), first_name="Cam")["phone"] for _ in range(3)]
        self.c.add_list_members(lst["id"], phones=phones)
        # Transactional: quiet hours (recipient local time) do not hold it back.
        cp = self.c.create_campaign("SDK Python", kind="transactional", sender="Shop", text="Hi {{first_name|there}}",
                                    list_ids=[lst["id"]])
        self.assertEqual(cp["state"], "draft")
        est = self.c.estimate_campaign(cp["id"])
        self.assertEqual((est["recipients"], est["shortfall"]), (3, 0))
        self.assertGreater(est["total"], 0)
        cp = self.c.launch_campaign(cp["id"])
        self.assertIn(cp["state"], ("running", "completed"))
        self.assertEqual(cp["targeted"], 3)
        st = _eventually(30, "campaign delivered to its 3 recipients",
                         lambda: (lambda s: s if s["totals"]["delivered"] == 3 else None)(self.c.campaign_stats(cp["id"])))
        self.assertEqual((st["totals"]["targeted"], st["totals"]["sent"], st["totals"]["spend"]), (3, 3, est["total"]))
        _eventually(10, "campaign completed", lambda: self.c.get_campaign(cp["id"])["state"] == "completed")

    def test_inbound_and_balance(self):
        b = self.c.balance()
        self.assertEqual(b["currency"], "EUR")
        self.assertGreater(b["available"], 0)
        # The demo's simulated carrier texts the account's short code every 5 s.
        page = _eventually(15, "an inbound message", lambda: self.c.list_inbound(limit=5)["data"])
        mo = page[0]
        self.assertTrue(mo["id"] and mo["from"] and mo["to"] and mo["received_at"])
        one = self.c.list_inbound(sender=mo["from"], limit=1)["data"]
        self.assertEqual([x["from"] for x in one], [mo["from"]])

    def test_real_webhook_delivery(self):
        """The gateway's real status callbacks, received on a local listener,
        verify with verify_webhook and verify_webhook_body."""
        secret = os.environ.get("GALLANT_SDK_TEST_WEBHOOK_SECRET")
        if not secret:
            raise AssertionError("GALLANT_SDK_TEST_WEBHOOK_SECRET is not set: run sdk/test.sh")
        got, lock = [], threading.Lock()

        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    got.append((self.headers.get(gallant.SIGNATURE_HEADER),
                                self.headers.get(gallant.BODY_SIGNATURE_HEADER), body, time.time()))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        t = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
        t.start()
        try:
            res = self.c.send_message(_phone(), "webhook test", client_ref="hook-py",
                                      callback_url=f"http://127.0.0.1:{srv.server_address[1]}/hooks/gallant")

            def delivered():
                with lock:
                    for d in got:
                        ev = json.loads(d[2])
                        if ev.get("id") == res["id"] and ev.get("status") == "delivered":
                            return d
                return None

            header, body_header, body, at = _eventually(20, "a delivered webhook", delivered)
        finally:
            srv.shutdown()
            srv.server_close()
            t.join(5)
        with lock:
            all_deliveries = list(got)
        for h, bh, b, when in all_deliveries:
            gallant.verify_webhook(secret, h, b, when)
            gallant.verify_webhook_body(secret, bh, b)
        gallant.verify_webhook(secret, header, body)  # now, default tolerance
        ev = json.loads(body)
        self.assertEqual(ev["client_ref"], "hook-py")
        self.assertTrue(ev["event_id"])
        for mutate, reason in [
            (lambda: gallant.verify_webhook(secret, header, body.replace(b"delivered", b"failed"), at), "mismatch"),
            (lambda: gallant.verify_webhook(secret + "x", header, body, at), "mismatch"),
            (lambda: gallant.verify_webhook(secret, header, body, at + 600), "expired"),
            (lambda: gallant.verify_webhook(secret, header, body, at + 20, tolerance=10), "expired"),
            (lambda: gallant.verify_webhook(secret, "t=1", body, at), "bad-header"),
        ]:
            with self.assertRaises(gallant.WebhookError) as cm:
                mutate()
            self.assertEqual(cm.exception.reason, reason)


if __name__ == "__main__":
    unittest.main()
