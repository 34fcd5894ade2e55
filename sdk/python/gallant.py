"""Client for the Gallant SMS HTTP API, standard library only.

Send messages and batches, read their status and history, list messages and
inbound messages, manage contacts, lists and campaigns, read the balance, and
verify the signatures of the webhooks the gateway sends::

    import gallant

    client = gallant.Client("https://sms.example.com", "gal_...")
    res = client.send_message("+447700900123", text="Hello", idempotency_key="order-17-sms")
    msg = client.get_message(res["id"])          # with its status history

Answers are the API's JSON as plain ``dict``/``list`` values (ids of
messages are decimal strings, ids of contacts, lists and campaigns integers,
amounts integer micro-units). Every answer other than 2xx raises
:class:`GallantError`, which carries the problem document (RFC 9457): switch
on ``err.slug``. Answers 429 and 503 are retried a bounded number of times,
after the delay their ``Retry-After`` header asks for.

:func:`verify_webhook` checks the ``X-Gallant-Signature`` header of a callback
exactly as the gateway signs it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any, Iterator, Mapping, Optional, Sequence

__all__ = [
    "Client",
    "GallantError",
    "WebhookError",
    "verify_webhook",
    "verify_webhook_body",
    "SIGNATURE_HEADER",
    "BODY_SIGNATURE_HEADER",
    "DEFAULT_TOLERANCE",
    "FINAL_STATUSES",
]

__version__ = "0.1.0"

#: Header carrying ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``.
SIGNATURE_HEADER = "X-Gallant-Signature"
#: Header carrying ``sha256=<hex HMAC-SHA256 of the body>`` (no replay protection).
BODY_SIGNATURE_HEADER = "X-Gallant-Signature-256"
#: Seconds a webhook's timestamp may differ from the receiver's clock by default.
DEFAULT_TOLERANCE = 300
#: Statuses after which a message does not change any more.
FINAL_STATUSES = frozenset({"delivered", "undelivered", "expired", "rejected", "failed"})

_MAX_SIGNATURE_HEADER = 1024
# What Go's strings.TrimSpace trims (unicode.IsSpace), which the gateway's
# verifier uses; str.strip() would also trim \x1c-\x1f.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_MAX_ANSWER = 32 << 20


class GallantError(Exception):
    """An answer of the API other than 2xx, with its problem document.

    ``type`` is the problem's URI and ``slug`` its stable last segment
    (``"invalid-number"``), what code should compare; ``field`` names the
    request member at fault (``"to"``, ``"messages[3].text"``) or is ``None``;
    ``retry_after`` is the ``Retry-After`` delay in seconds (429 and 503) or
    ``None``; ``problem`` is the whole document as a dict. An answer that is not
    a problem document gets type ``about:blank`` and the start of its body as
    ``detail``.
    """

    def __init__(self, status: int, problem: Mapping[str, Any], retry_after: Optional[float] = None):
        self.status = int(status)
        self.problem = dict(problem)
        self.type = str(problem.get("type", "about:blank"))
        self.title = str(problem.get("title", ""))
        self.detail = str(problem.get("detail", ""))
        self.field = problem.get("field") or None
        self.retry_after = retry_after
        parts = [f"{self.status} {self.slug if self.slug != 'about:blank' else self.title}"]
        if self.field:
            parts.append(str(self.field))
        if self.detail:
            parts.append(self.detail)
        super().__init__("gallant: " + ": ".join(parts))

    @property
    def slug(self) -> str:
        """The last segment of ``type``: a stable name of the problem."""
        return self.type.rsplit("/", 1)[-1]

    @property
    def temporary(self) -> bool:
        """Whether sending the request again later may succeed (429, 503)."""
        return self.status in (429, 503)


class WebhookError(ValueError):
    """A webhook signature that does not verify. ``reason`` is one of
    ``"no-secret"``, ``"bad-header"``, ``"mismatch"``, ``"expired"``."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(f"gallant: webhook {reason}: {message}")


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    value = value.strip()
    if value.lstrip("-").isdigit():
        return max(int(value), 0)
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _clean(d: Mapping[str, Any]) -> dict:
    """Drops members that are None, so the gateway's defaults apply."""
    return {k: v for k, v in d.items() if v is not None}


def _time(v: Any) -> Any:
    """RFC 3339 for datetime values; strings pass through."""
    if v is None or isinstance(v, str):
        return v
    if hasattr(v, "isoformat"):
        if getattr(v, "tzinfo", None) is None:
            raise ValueError("gallant: datetime values must be timezone-aware")
        return v.isoformat()
    raise TypeError(f"gallant: {v!r} is not a datetime or an RFC 3339 string")


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if hasattr(v, "isoformat"):
        return _time(v)
    return str(v)


class Client:
    """A client of the Gallant HTTP API authenticating with one API key.

    ``base_url`` is the gateway's address (``"http://127.0.0.1:8080"``; a path
    prefix is kept). ``timeout`` is per request, in seconds. ``retries`` is how
    many times an answer 429 or 503 is retried, each wait at most
    ``max_retry_wait`` seconds (a longer Retry-After raises at once). POSTs are
    retried too: the gateway refuses those before acting, and with an
    ``idempotency_key`` a retry can never act twice.
    """

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 30.0, retries: int = 3,
                 max_retry_wait: float = 30.0, user_agent: Optional[str] = None):
        u = urllib.parse.urlsplit(base_url)
        if u.scheme not in ("http", "https") or not u.netloc:
            raise ValueError(f"gallant: base URL {base_url!r} is not an absolute http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = max(int(retries), 0)
        self.max_retry_wait = max_retry_wait
        self.user_agent = ((user_agent + " ") if user_agent else "") + f"gallant-python/{__version__}"
        self._sleep = time.sleep

    # -- transport ---------------------------------------------------------

    def request(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None,
                body: Any = None, idempotency_key: Optional[str] = None) -> Any:
        """Sends one API request and returns its decoded JSON answer (``None``
        for 204). Raises :class:`GallantError` for answers other than 2xx
        after the retries; network errors raise :class:`urllib.error.URLError`."""
        url = self.base_url + path
        if query:
            q = {k: _query_value(v) for k, v in query.items() if v is not None and v != ""}
            if q:
                url += "?" + urllib.parse.urlencode(q)
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {"Authorization": "Bearer " + self.api_key, "Accept": "application/json",
                   "User-Agent": self.user_agent}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        attempt = 0
        while True:
            try:
                return self._once(method, url, data, headers)
            except GallantError as e:
                if not e.temporary or attempt >= self.retries:
                    raise
                wait = e.retry_after
                if wait is None or wait <= 0:
                    base = 0.25 * (2 ** min(attempt, 6))
                    wait = base / 2 + random.uniform(0, base / 2)
                if wait > self.max_retry_wait:
                    raise
                self._sleep(wait)
                attempt += 1

    def _once(self, method: str, url: str, data: Optional[bytes], headers: Mapping[str, str]) -> Any:
        req = urllib.request.Request(url, data=data, headers=dict(headers), method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read(_MAX_ANSWER)
                if resp.status == 204 or not raw:
                    return None
                return json.loads(raw)
        except urllib.error.HTTPError as e:
            raw = e.read(_MAX_ANSWER) or b""
            ctype = (e.headers.get("Content-Type") or "").split(";")[0].strip()
            problem: Any = None
            if ctype in ("application/problem+json", "application/json"):
                try:
                    problem = json.loads(raw)
                except ValueError:
                    problem = None
            if not isinstance(problem, dict) or "type" not in problem:
                problem = {"type": "about:blank", "title": e.reason or "",
                           "detail": raw[:512].decode("utf-8", "replace").strip()}
            problem = dict(problem, status=e.code)
            raise GallantError(e.code, problem, _retry_after(e.headers.get("Retry-After"))) from None

    # -- messages ----------------------------------------------------------

    def send_message(self, to: str, text: Optional[str] = None, *, sender: Optional[str] = None,
                     binary: Optional[bytes] = None, encoding: Optional[str] = None,
                     flash: Optional[bool] = None, send_at: Any = None, valid_until: Any = None,
                     callback_url: Optional[str] = None, client_ref: Optional[str] = None,
                     delivery_report: Optional[bool] = None, idempotency_key: Optional[str] = None) -> dict:
        """Sends one message (``POST /v1/messages``); ``sender`` is the API's
        ``from``. Returns ``{"id", "status", "segments", "encoding", "price"}``."""
        body = self._message(to, text, sender, binary, encoding, flash, send_at, valid_until,
                             callback_url, client_ref, delivery_report)
        return self.request("POST", "/v1/messages", body=body, idempotency_key=idempotency_key)

    @staticmethod
    def _message(to, text, sender, binary, encoding, flash, send_at, valid_until, callback_url,
                 client_ref, delivery_report) -> dict:
        return _clean({"to": to, "from": sender, "text": text,
                       "binary": None if binary is None else base64.b64encode(binary).decode(),
                       "encoding": encoding, "flash": flash, "send_at": _time(send_at),
                       "valid_until": _time(valid_until), "callback_url": callback_url,
                       "client_ref": client_ref, "delivery_report": delivery_report})

    def send_batch(self, to: Optional[Sequence[str]] = None, text: Optional[str] = None, *,
                   messages: Optional[Sequence[Mapping[str, Any]]] = None,
                   idempotency_key: Optional[str] = None, **shared: Any) -> dict:
        """Sends up to 10,000 messages (``POST /v1/messages/batch``): one
        ``text`` to the numbers in ``to`` (other shared members as keywords:
        ``sender``, ``flash``, ``client_ref``...), or ``messages``, a list of
        dicts as the API takes them (``{"to": ..., "text": ...}``). Returns
        ``{"items", "accepted", "rejected"}``: an item is accepted (``id``) or
        carries its own problem in ``error``."""
        if messages is not None:
            if to is not None or text is not None or shared:
                raise ValueError("gallant: give messages or to with shared members, not both")
            body: dict = {"messages": [dict(m) for m in messages]}
        else:
            if to is None:
                raise ValueError("gallant: give to or messages")
            sender = shared.pop("sender", None)
            body = self._message(None, text, sender, shared.pop("binary", None), shared.pop("encoding", None),
                                 shared.pop("flash", None), shared.pop("send_at", None),
                                 shared.pop("valid_until", None), shared.pop("callback_url", None),
                                 shared.pop("client_ref", None), shared.pop("delivery_report", None))
            if shared:
                raise TypeError(f"gallant: unknown batch members {sorted(shared)}")
            body["to"] = list(to)
        return self.request("POST", "/v1/messages/batch", body=body, idempotency_key=idempotency_key)

    def get_message(self, message_id: str) -> dict:
        """Reads one message with its status ``history``
        (``GET /v1/messages/{id}``)."""
        return self.request("GET", "/v1/messages/" + urllib.parse.quote(str(message_id), safe=""))

    def list_messages(self, *, status: Optional[str] = None, to: Optional[str] = None, since: Any = None,
                      until: Any = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> dict:
        """Reads one page of messages, newest first (``GET /v1/messages``):
        ``{"items", "next_cursor"}``; ``since`` is the API's ``from``."""
        return self.request("GET", "/v1/messages", query={"status": status, "to": to, "from": since,
                                                           "until": until, "limit": limit, "cursor": cursor})

    def iter_messages(self, **filters: Any) -> Iterator[dict]:
        """Yields every message :meth:`list_messages` selects, page after page."""
        cursor = filters.pop("cursor", None)
        while True:
            page = self.list_messages(cursor=cursor, **filters)
            yield from page.get("items", [])
            cursor = page.get("next_cursor")
            if not cursor or not page.get("items"):
                return

    def wait_for_status(self, message_id: str, *, timeout: float = 30.0, interval: float = 0.2) -> dict:
        """Polls :meth:`get_message` until the message reaches a final status
        (``FINAL_STATUSES``) and returns it; raises ``TimeoutError`` after
        ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            m = self.get_message(message_id)
            if m.get("status") in FINAL_STATUSES:
                return m
            if time.monotonic() >= deadline:
                raise TimeoutError(f"gallant: message {message_id} still {m.get('status')} after {timeout} s")
            time.sleep(interval)

    def list_inbound(self, *, number: Optional[str] = None, sender: Optional[str] = None, since: Any = None,
                     until: Any = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> dict:
        """Reads one page of inbound messages (MOs), newest first
        (``GET /v1/inbound``): ``{"data", "next_cursor"}``."""
        return self.request("GET", "/v1/inbound", query={"number": number, "sender": sender, "since": since,
                                                          "until": until, "limit": limit, "cursor": cursor})

    def balance(self) -> dict:
        """Reads the prepaid balance (``GET /v1/balance``):
        ``{"currency", "balance", "held", "credit_limit", "available"}`` in micro-units."""
        return self.request("GET", "/v1/balance")

    # -- contacts and lists -----------------------------------------------

    def create_contact(self, phone: str, *, idempotency_key: Optional[str] = None, **fields: Any) -> dict:
        """Creates a contact (``POST /v1/contacts``); other members as keywords:
        ``first_name``, ``last_name``, ``email``, ``language``, ``time_zone``,
        ``fields`` (custom fields), ``tags``, ``default_country``. A phone the
        account has already raises a 409 ``conflict``."""
        return self.request("POST", "/v1/contacts", body=_clean(dict(fields, phone=phone)),
                            idempotency_key=idempotency_key)

    def upsert_contact(self, *, external_id: Optional[str] = None, phone: Optional[str] = None,
                       idempotency_key: Optional[str] = None, **fields: Any) -> dict:
        """Creates or updates one contact (``POST /v1/contacts:upsert``), found
        by ``external_id`` (another system's id, such as a CRM's) when given,
        else by ``phone``: what a CRM sync calls for each record, as often as
        it likes. Other members as in :meth:`create_contact`; a contact found
        is updated with them, absent ones kept."""
        return self.request("POST", "/v1/contacts:upsert",
                            body=_clean(dict(fields, external_id=external_id, phone=phone)),
                            idempotency_key=idempotency_key)

    def get_contact(self, contact_id: int) -> dict:
        """Reads one contact (``GET /v1/contacts/{id}``)."""
        return self.request("GET", f"/v1/contacts/{int(contact_id)}")

    def list_contacts(self, *, q: Optional[str] = None, tag: Optional[str] = None, list_id: Optional[int] = None,
                      segment_id: Optional[int] = None, limit: Optional[int] = None,
                      cursor: Optional[str] = None) -> dict:
        """Reads one page of contacts in id order (``GET /v1/contacts``):
        ``{"data", "next_cursor"}``. Filters combine."""
        return self.request("GET", "/v1/contacts", query={"q": q, "tag": tag, "list": list_id,
                                                           "segment": segment_id, "limit": limit, "cursor": cursor})

    def update_contact(self, contact_id: int, **changes: Any) -> dict:
        """Changes a contact (``PATCH /v1/contacts/{id}``): members given
        replace the stored ones (``None`` is sent as JSON null); ``fields``
        merge, a ``None`` value removing one; ``tags`` replace."""
        return self.request("PATCH", f"/v1/contacts/{int(contact_id)}", body=dict(changes))

    def delete_contact(self, contact_id: int) -> None:
        """Erases a contact (``DELETE /v1/contacts/{id}``)."""
        self.request("DELETE", f"/v1/contacts/{int(contact_id)}")

    # -- event hooks ------------------------------------------------------

    def create_hook(self, url: str, events: Sequence[str], *, description: Optional[str] = None) -> dict:
        """Subscribes ``url`` to events of the account (``POST /v1/hooks``):
        ``message.status``, ``message.inbound``, ``contact.created``,
        ``contact.opted_out``, ``campaign.completed``, ``balance.low``. Each
        delivery is ``{"id", "type", "created_at", "data"}``, signed as every
        webhook (:func:`verify_webhook`). Keep the hook's ``id`` to unsubscribe."""
        return self.request("POST", "/v1/hooks", body=_clean({"url": url, "events": list(events),
                                                              "description": description}))

    def list_hooks(self) -> list:
        """The account's hooks (``GET /v1/hooks``)."""
        return self.request("GET", "/v1/hooks")["data"]

    def delete_hook(self, hook_id: int) -> None:
        """Unsubscribes (``DELETE /v1/hooks/{id}``)."""
        self.request("DELETE", f"/v1/hooks/{int(hook_id)}")

    def create_list(self, name: str, *, idempotency_key: Optional[str] = None) -> dict:
        """Creates a list (``POST /v1/lists``); a name in use raises a 409."""
        return self.request("POST", "/v1/lists", body={"name": name}, idempotency_key=idempotency_key)

    def get_list(self, list_id: int) -> dict:
        """Reads a list with its member ``count`` (``GET /v1/lists/{id}``)."""
        return self.request("GET", f"/v1/lists/{int(list_id)}")

    def list_lists(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> dict:
        """Reads one page of lists (``GET /v1/lists``): ``{"data", "next_cursor"}``."""
        return self.request("GET", "/v1/lists", query={"limit": limit, "cursor": cursor})

    def delete_list(self, list_id: int) -> None:
        """Deletes a list and its memberships, never the contacts."""
        self.request("DELETE", f"/v1/lists/{int(list_id)}")

    def add_list_members(self, list_id: int, *, contact_ids: Sequence[int] = (), phones: Sequence[str] = (),
                         default_country: Optional[str] = None, idempotency_key: Optional[str] = None) -> dict:
        """Adds contacts by id or phone (``POST /v1/lists/{id}/contacts``):
        ``{"matched", "added", "not_found"}``."""
        body = _clean({"contact_ids": list(contact_ids) or None, "phones": list(phones) or None,
                       "default_country": default_country})
        return self.request("POST", f"/v1/lists/{int(list_id)}/contacts", body=body,
                            idempotency_key=idempotency_key)

    def remove_list_members(self, list_id: int, *, contact_ids: Sequence[int] = (), phones: Sequence[str] = (),
                            default_country: Optional[str] = None) -> dict:
        """Removes contacts (``DELETE /v1/lists/{id}/contacts``):
        ``{"matched", "removed", "not_found"}``."""
        body = _clean({"contact_ids": list(contact_ids) or None, "phones": list(phones) or None,
                       "default_country": default_country})
        return self.request("DELETE", f"/v1/lists/{int(list_id)}/contacts", body=body)

    # -- campaigns ---------------------------------------------------------

    def create_campaign(self, name: str, *, text: Optional[str] = None, template_id: Optional[int] = None,
                        sender: Optional[str] = None, list_ids: Sequence[int] = (), segment_ids: Sequence[int] = (),
                        numbers: Sequence[str] = (), kind: Optional[str] = None,
                        idempotency_key: Optional[str] = None, **options: Any) -> dict:
        """Creates a draft campaign (``POST /v1/campaigns``) to the union of
        ``list_ids``, ``segment_ids`` and ``numbers``; ``kind`` is
        ``"marketing"`` (default, quiet hours apply) or ``"transactional"``;
        other members as keywords (``send_at``, ``max_rate``, ``spread_hours``,
        ``validity``, ``budget_cap``, ``local_time``, ``ab``, ``drip``)."""
        audience = _clean({"list_ids": list(list_ids) or None, "segment_ids": list(segment_ids) or None,
                           "numbers": list(numbers) or None})
        if "send_at" in options:
            options["send_at"] = _time(options["send_at"])
        body = _clean(dict(options, name=name, text=text, template_id=template_id, kind=kind,
                           audience=audience or None))
        if sender is not None:
            body["from"] = sender
        return self.request("POST", "/v1/campaigns", body=body, idempotency_key=idempotency_key)

    def get_campaign(self, campaign_id: int) -> dict:
        """Reads one campaign (``GET /v1/campaigns/{id}``)."""
        return self.request("GET", f"/v1/campaigns/{int(campaign_id)}")

    def list_campaigns(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> dict:
        """Reads one page of campaigns, newest first: ``{"data", "next_cursor"}``."""
        return self.request("GET", "/v1/campaigns", query={"limit": limit, "cursor": cursor})

    def estimate_campaign(self, campaign_id: int) -> dict:
        """Prices the audience as it stands (``POST /v1/campaigns/{id}/estimate``):
        ``recipients``, ``opted_out``, ``segments``, ``countries``, ``total``,
        ``available``, ``shortfall``."""
        return self.request("POST", f"/v1/campaigns/{int(campaign_id)}/estimate")

    def launch_campaign(self, campaign_id: int, *, idempotency_key: Optional[str] = None) -> dict:
        """Launches a draft (``POST /v1/campaigns/{id}/launch``): the campaign,
        ``running`` or ``scheduled``. A balance short of the estimate raises a
        402 ``insufficient-balance``."""
        return self.request("POST", f"/v1/campaigns/{int(campaign_id)}/launch", idempotency_key=idempotency_key)

    def pause_campaign(self, campaign_id: int) -> dict:
        """Pauses a running campaign."""
        return self.request("POST", f"/v1/campaigns/{int(campaign_id)}/pause")

    def resume_campaign(self, campaign_id: int) -> dict:
        """Resumes a paused campaign."""
        return self.request("POST", f"/v1/campaigns/{int(campaign_id)}/resume")

    def cancel_campaign(self, campaign_id: int) -> dict:
        """Cancels a campaign; its unsent recipients are never sent."""
        return self.request("POST", f"/v1/campaigns/{int(campaign_id)}/cancel")

    def campaign_stats(self, campaign_id: int) -> dict:
        """Reads the counters (``GET /v1/campaigns/{id}/stats``):
        ``{"id", "state", "totals": {"targeted", "sent", "delivered", ...}, "series"}``."""
        return self.request("GET", f"/v1/campaigns/{int(campaign_id)}/stats")


# -- webhooks ----------------------------------------------------------------

def _as_bytes(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def verify_webhook(secret: str, header: Optional[str], body: Any, now: Optional[float] = None,
                   tolerance: float = 0) -> None:
    """Checks a webhook's ``X-Gallant-Signature`` header against its raw body
    (bytes as received, before any JSON parsing), as the gateway signs it: one
    ``v1`` must equal HMAC-SHA256(secret, ``"<t>.<body>"``), compared in
    constant time, and ``t`` must be within ``tolerance`` seconds of ``now``
    (unix seconds, default the current time; a tolerance of 0 means
    ``DEFAULT_TOLERANCE``). Several ``v1`` values are allowed (a secret being
    rotated); unknown keys are ignored. Returns ``None``; raises
    :class:`WebhookError` otherwise."""
    if not secret:
        raise WebhookError("no-secret", "the secret is empty")
    header = header or ""
    if len(header.encode("utf-8")) > _MAX_SIGNATURE_HEADER:
        raise WebhookError("bad-header", f"longer than {_MAX_SIGNATURE_HEADER} bytes")
    ts = ""
    macs = []
    for part in header.split(","):
        k, sep, v = part.strip(_GO_SPACE).partition("=")
        if not sep:
            raise WebhookError("bad-header", f"{part!r} is not key=value")
        if k == "t":
            if ts:
                raise WebhookError("bad-header", "repeated t")
            if not v:
                raise WebhookError("bad-header", "empty t")
            ts = v
        elif k == "v1":
            try:
                m = bytes.fromhex(v) if all(c in "0123456789abcdefABCDEF" for c in v) else b""
            except ValueError:
                m = b""
            if len(m) != hashlib.sha256().digest_size:
                raise WebhookError("bad-header", "v1 is not 32 hex bytes")
            macs.append(m)
    if not ts:
        raise WebhookError("bad-header", "no t")
    if not macs:
        raise WebhookError("bad-header", "no v1")
    digits = ts[1:] if ts[0] in "+-" else ts  # a sign is allowed, as Go's strconv.ParseInt does
    if not digits.isascii() or not digits.isdigit() or len(ts) > 12 or int(ts) < 0:
        raise WebhookError("bad-header", f"t {ts!r} is not unix seconds")
    sec = int(ts)
    want = hmac.new(secret.encode("utf-8"), ts.encode() + b"." + _as_bytes(body), hashlib.sha256).digest()
    ok = False
    for m in macs:  # every MAC is compared: no early exit
        if hmac.compare_digest(m, want):
            ok = True
    if not ok:
        raise WebhookError("mismatch", "no v1 matches the body and secret")
    if tolerance <= 0:
        tolerance = DEFAULT_TOLERANCE
    now_sec = int(time.time() if now is None else now)
    if abs(now_sec - sec) > int(tolerance):
        raise WebhookError("expired", f"signed at {sec}, now {now_sec}")


def verify_webhook_body(secret: str, header: Optional[str], body: Any) -> None:
    """Checks ``X-Gallant-Signature-256`` (``sha256=<hex>``, an HMAC-SHA256 of
    the body alone) in constant time. It cannot reveal a replay: prefer
    :func:`verify_webhook`, or drop duplicates by ``event_id``. Raises
    :class:`WebhookError`."""
    if not secret:
        raise WebhookError("no-secret", "the secret is empty")
    v = (header or "").strip(_GO_SPACE)
    if not v.startswith("sha256="):
        raise WebhookError("bad-header", 'no "sha256=" prefix')
    v = v[len("sha256="):]
    m = bytes.fromhex(v) if v and all(c in "0123456789abcdefABCDEF" for c in v) and len(v) % 2 == 0 else b""
    if len(m) != hashlib.sha256().digest_size:
        raise WebhookError("bad-header", "not 32 hex bytes")
    want = hmac.new(secret.encode("utf-8"), _as_bytes(body), hashlib.sha256).digest()
    if not hmac.compare_digest(m, want):
        raise WebhookError("mismatch", "the signature does not match the body and secret")
