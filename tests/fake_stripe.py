"""A fake Stripe HTTP transport for stripe-python 16 that checks every request against spec3.json.

Install it with ``stripe.default_http_client = FakeStripe()`` (or pass ``http_client=`` to
``stripe.StripeClient``). Pure stripe-python + stdlib: no Django, no djstripe.

Each request is decoded, recorded in ``fake.requests`` (method lower-case, as stripe-python
sends it), validated like the real API would (404 unknown URL, 400 unknown/missing/invalid
parameter) and then answered, in this order, by: a fault from ``fail()``, a ``route()``
(latest registered first), the in-memory object store. Anything else is an unexpected request:
it is appended to ``fake.unexpected`` and ``AssertionError`` is raised. So is a request the fake
cannot answer (a body that is not form-encoded, e.g. a multipart file upload; `ending_before` on
an invoice's lines); async and streaming requests raise ``NotImplementedError``.
"""

from __future__ import annotations

import bisect
import copy
import heapq
import itertools
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, NoReturn
from urllib.parse import urlsplit

import stripe

try:
    from .stripe_spec import Operation, Spec, decode_form, load_spec
except ImportError:  # imported as a top-level module
    from stripe_spec import Operation, Spec, decode_form, load_spec  # type: ignore[no-redef]

__all__ = ["FakeStripe", "RecordedRequest", "decode_form", "error_body", "load_fixture"]

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


class RecordedRequest(NamedTuple):
    """One request seen by the fake; `method` is lower-case, `path` has no query string."""

    method: str
    path: str
    params: dict
    headers: dict
    template: str = ""
    path_params: Mapping[str, str] = {}

    def header(self, name: str) -> str | None:
        """Return a request header by case-insensitive name."""
        name = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


Response = dict | tuple[int, dict]
Responder = Response | Callable[[RecordedRequest], Response]


class _Headers(dict):
    """Response headers with case-insensitive lookup (keys stored lower-case)."""

    def __getitem__(self, key: str) -> str:
        return dict.__getitem__(self, key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and dict.__contains__(self, key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return dict.get(self, key.lower(), default)


def error_body(status: int, message: str | None = None, **fields: Any) -> tuple[int, dict]:
    """Stripe's error JSON for `status`: 402 card_error, 429 rate_limit_error, 5xx api_error."""
    if status == 402:
        err = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline"}
        err["message"] = message or "Your card was declined."
    elif status == 429:
        err = {"type": "rate_limit_error", "message": message or "Too many requests hit the API."}
    elif status >= 500:
        err = {"type": "api_error", "message": message or "An unknown error occurred (fake)."}
    else:
        err = {"type": "invalid_request_error", "message": message or f"HTTP {status} (fake)."}
    err.update(fields)
    return status, {"error": err}


@dataclass
class _Rule:
    method: str
    pattern: str
    response: Responder | None
    times: int | None
    timeout: bool = False

    def matches(self, rec: RecordedRequest) -> bool:
        if self.method not in ("*", rec.method) or self.times == 0:
            return False
        pat = self.pattern
        if pat.endswith("*"):
            return rec.path.startswith(pat[:-1])
        return pat == rec.path or pat == rec.template

    def consume(self) -> None:
        if self.times is not None:
            self.times -= 1


class FakeStripe(stripe.HTTPClient):
    """An in-process stand-in for api.stripe.com that validates requests against the spec."""

    name = "fake"

    def __init__(self, spec_path: str | Path | None = None) -> None:
        """Create an empty fake; the spec is loaded once per process."""
        super().__init__()
        self.spec: Spec = load_spec(spec_path)
        self.requests: list[RecordedRequest] = []
        self.unexpected: list[str] = []
        self.rejected: list[tuple[RecordedRequest, dict]] = []
        self._objects: dict[str, dict] = {}
        self._order: dict[str, int] = {}
        # Per object type, the stored ids in list order (newest first), so that
        # a page costs the page, not a scan of the store: (sort key..., id).
        self._index: dict[str, list[tuple[int, int, str]]] = {}
        self._lines: dict[str, list[dict]] = {}
        self._routes: list[_Rule] = []
        self._faults: list[_Rule] = []
        self._ids = itertools.count(1)

    # -- test-facing API ---------------------------------------------------------------------

    def store(self, objs: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> None:
        """Put one object or a list of objects (dicts with `id` and `object`) in the store."""
        for obj in [objs] if isinstance(objs, Mapping) else objs:
            obj = json.loads(json.dumps(obj, default=str))
            if not obj.get("id") or not obj.get("object"):
                raise ValueError(f"stored objects need an id and an object: {obj!r:.200}")
            self._order.setdefault(obj["id"], next(self._ids))
            self._unindex(obj["id"])
            self._objects[obj["id"]] = obj
            self._reindex(obj)

    def store_lines(self, invoice_id: str, lines: Iterable[Mapping[str, Any]]) -> None:
        """Set what `GET /v1/invoices/<invoice_id>/lines` lists."""
        self._lines[invoice_id] = [json.loads(json.dumps(x, default=str)) for x in lines]

    def stored(self, obj_id: str) -> dict | None:
        """Return a copy of the stored object with this id, or None."""
        obj = self._objects.get(obj_id)
        return copy.deepcopy(obj) if obj is not None else None

    def route(
        self, method: str, path: str, response: Responder, *, times: int | None = None
    ) -> None:
        """Answer `method path` (exact path, spec template or `prefix*`) with `response`."""
        self._routes.append(_Rule(self._check_rule(method, path), path, response, times))

    def fail(
        self,
        method: str,
        path: str,
        status: int = 500,
        error: Mapping[str, Any] | str | None = None,
        times: int | None = 1,
        timeout: bool = False,
    ) -> None:
        """Make the next `times` matching requests fail with `status` or a network timeout."""
        if isinstance(error, str):
            error = {"message": error}
        resp = error_body(status, **dict(error or {}))
        self._faults.append(_Rule(self._check_rule(method, path), path, resp, times, timeout))

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """Count recorded requests by method and exact path, template, or `prefix*`."""
        probe = _Rule((method or "*").lower(), path or "*", None, None)
        return sum(1 for rec in self.requests if probe.matches(rec))

    def reset_requests(self) -> None:
        """Forget recorded (and rejected) requests; routes, faults and the store are kept."""
        self.requests.clear()
        self.rejected.clear()

    @property
    def last(self) -> RecordedRequest:
        """The most recent request (AssertionError if there was none)."""
        if not self.requests:
            raise AssertionError("no Stripe request was made")
        return self.requests[-1]

    def _check_rule(self, method: str, path: str) -> str:
        method = method.lower()
        if not path.endswith("*") and not any(
            self.spec.match(m, path)
            for m in ((method,) if method != "*" else ("get", "post", "delete"))
        ):
            raise ValueError(f"{method.upper()} {path} is not in the Stripe spec")
        return method

    # -- stripe.HTTPClient interface ---------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        """Handle one stripe-python request and return (body, status, headers)."""
        method = method.lower()
        parts = urlsplit(url)
        path = parts.path
        headers = dict(headers or {})
        params = decode_form(parts.query) if parts.query else {}
        if post_data:
            ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            if not ctype.startswith("application/x-www-form-urlencoded"):
                # e.g. multipart/form-data (file uploads) or JSON (API v2)
                kind = ctype.split(";")[0] or "untyped"
                self._unsupported(f"{method.upper()} {path} with a {kind} body")
            params.update(decode_form(post_data))
        found = self.spec.match(method, path)
        op, path_params = found if found else (None, {})
        rec = RecordedRequest(
            method, path, params, headers, op.template if op else "", path_params
        )
        self.requests.append(rec)
        status, body = self._answer(rec, op)
        version = rec.header("Stripe-Version") or "2018-05-21"
        rheaders = _Headers(
            {
                "request-id": f"req_fake_{next(self._ids)}",
                "stripe-version": version,
                "content-type": "application/json",
            }
        )
        return json.dumps(body, default=str), status, rheaders

    def request_stream(
        self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None
    ) -> Any:
        """Streaming is not supported by the fake."""
        raise NotImplementedError("FakeStripe does not stream")

    async def request_async(
        self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None
    ) -> Any:
        """Async requests are not supported by the fake."""
        raise NotImplementedError("FakeStripe does not answer async requests")

    def close(self) -> None:
        """Nothing to close."""

    async def close_async(self) -> None:
        """Nothing to close."""

    # -- answering ---------------------------------------------------------------------------

    def _answer(self, rec: RecordedRequest, op: Operation | None) -> tuple[int, dict]:
        if op is None:
            msg = (
                f"Unrecognized request URL ({rec.method.upper()}: {rec.path}). Please see "
                "https://stripe.com/docs or we can help at https://support.stripe.com/."
            )
            return self._reject(rec, error_body(404, msg))
        err = self.spec.validate(op, rec.params)
        if err is not None:
            return self._reject(rec, error_body(400, err[0], param=err[1]))
        for rule in reversed(self._faults):
            if rule.matches(rec):
                rule.consume()
                if rule.timeout:
                    raise stripe.APIConnectionError(
                        f"Request timed out (fake): {rec.method.upper()} {rec.path}",
                        should_retry=True,
                    )
                return rule.response  # type: ignore[return-value]
        for rule in reversed(self._routes):
            if rule.matches(rec):
                rule.consume()
                resp = rule.response(rec) if callable(rule.response) else rule.response
                if resp is not None:  # a callable may return None to pass the request on
                    return resp if isinstance(resp, tuple) else (200, resp)
        answer = self._from_store(rec, op)
        if answer is None:
            msg = f"Unexpected Stripe request: {rec.method.upper()} {rec.path}"
            self.unexpected.append(f"{msg} {json.dumps(rec.params, default=str)[:300]}")
            raise AssertionError(msg)
        return answer

    def _unsupported(self, what: str) -> NoReturn:
        """Fail loudly (and at the fixture's teardown) on a request the fake cannot answer."""
        msg = f"FakeStripe does not support {what}"
        self.unexpected.append(msg)
        raise AssertionError(msg)

    def _reject(self, rec: RecordedRequest, answer: tuple[int, dict]) -> tuple[int, dict]:
        self.rejected.append((rec, answer[1]))
        return answer

    def _owned(
        self, obj: Mapping[str, Any], op: Operation, path_params: Mapping[str, str]
    ) -> bool:
        for name, keys in op.owner_keys.items():
            key = next((k for k in keys if k in obj), None)
            if key is not None and _id_of(obj[key]) != path_params[name]:
                return False
        return True

    def _from_store(self, rec: RecordedRequest, op: Operation) -> tuple[int, dict] | None:
        expand = rec.params.get("expand") or []
        if op.method == "get" and op.is_list:
            status, body = self._list(rec, op)
            return (status, self._expand(body, expand)) if status == 200 else (status, body)
        if op.method == "get" and op.singleton:
            objs = [o for o in self._objects.values() if o["object"] in op.object_names]
            return (200, self._expand(objs[-1], expand)) if objs else None
        if op.id_param is None:
            return None
        obj_id = rec.path_params[op.id_param]
        obj = self._objects.get(obj_id)
        if obj is not None and not self._owned(obj, op, rec.path_params):
            obj = None
        if op.method == "get":
            if obj is None:
                msg = f"No such {op.resource}: {obj_id}"
                return error_body(404, msg, param="id", code="resource_missing")
            return 200, self._expand(obj, expand)
        if obj is None or ("get", op.template) not in self.spec.operations:
            return None
        if op.method == "post":
            self._unindex(obj_id)
            self._update(obj, rec.params, op)
            self._reindex(obj)
            return 200, self._expand(obj, expand)
        if op.method == "delete":
            if not op.returns_deleted and "status" in obj:
                # e.g. a subscription: DELETE cancels it and returns it, still retrievable
                obj["status"] = "canceled"
                obj.update({k: int(time.time()) for k in ("canceled_at", "ended_at") if k in obj})
                return 200, self._expand(obj, expand)
            self._unindex(obj_id)
            del self._objects[obj_id]
            return 200, {"id": obj_id, "object": obj["object"], "deleted": True}
        return None

    def _update(self, obj: dict, params: Mapping[str, Any], op: Operation) -> None:
        known = self.spec.object_properties.get(obj["object"], frozenset())
        for key, value in params.items():
            if key == "metadata":
                meta = dict(obj.get("metadata") or {}) if isinstance(value, dict) else {}
                for mkey, mval in (value if isinstance(value, dict) else {}).items():
                    if mval == "":
                        meta.pop(mkey, None)
                    else:
                        meta[mkey] = mval
                obj["metadata"] = meta
            elif isinstance(value, str) and key != "expand" and (key in known or key in obj):
                obj[key] = self.spec.coerce(op, key, value)

    def _entry(self, obj: Mapping[str, Any]) -> tuple[int, int, str]:
        # Lists are newest first: by `created`, then by the order of storing.
        created = obj.get("created") or 0
        created = created if isinstance(created, (int, float)) else 0
        return (-created, -self._order[obj["id"]], obj["id"])

    def _reindex(self, obj: Mapping[str, Any]) -> None:
        bisect.insort(self._index.setdefault(obj["object"], []), self._entry(obj))

    def _unindex(self, obj_id: str) -> None:
        obj = self._objects.get(obj_id)
        if obj is None:
            return
        entries = self._index.get(obj["object"], [])
        position = bisect.bisect_left(entries, self._entry(obj))
        if position < len(entries) and entries[position][2] == obj_id:
            del entries[position]

    def _list(self, rec: RecordedRequest, op: Operation) -> tuple[int, dict]:
        params = rec.params
        limit = int(params.get("limit") or 10)
        if not 1 <= limit <= 100:
            return error_body(400, "Invalid limit: must be between 1 and 100", param="limit")
        invoice = rec.path_params.get("invoice")
        if invoice is not None and "line_item" in op.object_names:
            parent = self._objects.get(invoice, {})
            lines = self._lines.get(invoice) or parent.get("lines", {}).get("data", [])
            keep = self._list_filter(rec, op, owned=False)
            return self._page_of_list(rec, op, [o for o in lines if keep(o)], limit)
        keep = self._list_filter(rec, op, owned=True)
        lists = [self._index.get(name, []) for name in sorted(op.object_names)]
        cursor = params.get("starting_after") or params.get("ending_before")
        if cursor:
            target = self._objects.get(cursor)
            if target is None or target["object"] not in op.object_names or not keep(target):
                name = "starting_after" if params.get("starting_after") else "ending_before"
                msg = f"No such {next(iter(sorted(op.object_names)), 'object')}: {cursor}"
                return error_body(404, msg, param=name, code="resource_missing")
            entry = self._entry(target)
            if params.get("starting_after"):
                tails = [e[bisect.bisect_right(e, entry) :] for e in lists]
                found = self._take(heapq.merge(*tails), keep, limit + 1)
            else:
                heads = [reversed(e[: bisect.bisect_left(e, entry)]) for e in lists]
                found = self._take(heapq.merge(*heads, reverse=True), keep, limit + 1)
                found = found[:limit][::-1] + found[limit:]
        else:
            found = self._take(heapq.merge(*lists), keep, limit + 1)
        page, more = found[:limit], len(found) > limit
        return 200, {"object": "list", "data": page, "has_more": more, "url": rec.path}

    def _take(self, entries: Iterable[tuple], keep: Callable, count: int) -> list[dict]:
        """The first `count` stored objects of these index entries that `keep`."""
        found: list[dict] = []
        for entry in entries:
            obj = self._objects[entry[2]]
            if keep(obj):
                found.append(obj)
                if len(found) == count:
                    break
        return found

    def _list_filter(self, rec: RecordedRequest, op: Operation, owned: bool) -> Callable:
        """Whether a stored object belongs in the list this request asks for."""
        params = rec.params
        skip = {"limit", "starting_after", "ending_before", "expand", "created"}
        wanted = [
            (key, value)
            for key, value in params.items()
            if key not in skip and isinstance(value, str) and (key, value) != ("status", "all")
        ]
        live_only = op.object_names == {"subscription"} and "status" not in params
        created = params.get("created") if isinstance(params.get("created"), (str, dict)) else None

        def keep(o: Mapping[str, Any]) -> bool:
            if owned and op.owner_keys and not self._owned(o, op, rec.path_params):
                return False
            if not all(key not in o or _matches(o[key], value) for key, value in wanted):
                return False
            if live_only and o.get("status") == "canceled":
                return False
            return created is None or _in_range(o.get("created"), created)

        return keep

    def _page_of_list(
        self, rec: RecordedRequest, op: Operation, objs: list[dict], limit: int
    ) -> tuple[int, dict]:
        """A page of an already filtered list (an invoice's lines), after `starting_after`."""
        if "ending_before" in rec.params:
            self._unsupported(f"ending_before on {rec.method.upper()} {rec.path}")
        ids = [o.get("id") for o in objs]
        cursor = rec.params.get("starting_after")
        if cursor and cursor not in ids:
            msg = f"No such {next(iter(sorted(op.object_names)), 'object')}: {cursor}"
            return error_body(404, msg, param="starting_after", code="resource_missing")
        start = ids.index(cursor) + 1 if cursor else 0
        page, more = objs[start : start + limit], start + limit < len(objs)
        return 200, {"object": "list", "data": page, "has_more": more, "url": rec.path}

    def _expand(self, obj: dict, paths: Iterable[str]) -> dict:
        if not paths:
            return obj
        obj = json.loads(json.dumps(obj))
        for path in paths:
            self._expand_path(obj, path.split("."))
        return obj

    def _expand_path(self, node: Any, parts: list[str]) -> None:
        if not parts or not isinstance(node, dict):
            return
        key, rest = parts[0], parts[1:]
        value = node.get(key)
        if isinstance(value, str) and value in self._objects:
            value = node[key] = json.loads(json.dumps(self._objects[value]))
        if key == "data" and isinstance(value, list):
            for item in value:
                self._expand_path(item, rest)
        elif rest:
            self._expand_path(value, rest)


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _matches(actual: Any, wanted: str) -> bool:
    actual = _id_of(actual)
    if isinstance(actual, bool):
        return wanted == ("true" if actual else "false")
    return str(actual) == wanted


def _in_range(created: Any, spec: str | Mapping[str, str]) -> bool:
    if created is None:
        return True
    if isinstance(spec, str):
        return str(created) == spec
    ops = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__}
    return all(ops[k](int(created), int(v)) for k, v in spec.items() if k in ops and v != "")


def load_fixture(name: str, **overrides: Any) -> dict:
    """Read tests/fixtures/<name>.json afresh and apply overrides (`"plan.id"`: one level down)."""
    with open(FIXTURES_DIR / f"{name}.json", encoding="utf-8") as fh:
        obj = json.load(fh)
    for key, value in overrides.items():
        head, _, tail = key.partition(".")
        if tail:
            obj[head][tail] = value
        else:
            obj[key] = value
    return obj


# The fixtures of the one small account they describe (consistent ids), so
# that relations given as ids can be retrieved from the fake Stripe.
ACCOUNT_FIXTURES = (
    "account",
    "bank_account",
    "bank_account_payout",
    "card",
    "charge",
    "charge_disputed",
    "coupon",
    "customer",
    "dispute",
    "file_upload",
    "invoice",
    "invoiceitem",
    "payout",
    "plan",
    "product",
    "refund",
    "source",
    "subscription",
    "transfer",
)


def store_fixture_account(fake: FakeStripe) -> None:
    """Make every object of the fixtures' account retrievable from ``fake``."""
    fake.store([load_fixture(name) for name in ACCOUNT_FIXTURES])
