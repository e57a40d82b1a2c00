"""Tests for tests/fake_stripe.py, driven through real stripe-python calls.

Run alone with: .venv/bin/python -m pytest tests/test_fake_stripe.py -p tests.fake_stripe_plugin
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
import stripe
from stripe._encode import _api_encode

from tests import fake_stripe as fake_module
from tests.fake_stripe import FakeStripe, decode_form, load_fixture

RESOURCES = json.loads((Path(__file__).parent / "data" / "fixtures3.json").read_text())[
    "resources"
]
CUS_ID = RESOURCES["customer"]["id"]
API_KEY = "sk_test_123"


def sample(name: str, **overrides: object) -> dict:
    """A fresh copy of a fixtures3.json object with top-level overrides."""
    obj = copy.deepcopy(RESOURCES[name])
    obj.update(overrides)
    return obj


@pytest.fixture
def client(fake_stripe: FakeStripe) -> stripe.StripeClient:
    return stripe.StripeClient(API_KEY, http_client=fake_stripe, stripe_version="2018-05-21")


# -- store: retrieve ----------------------------------------------------------------------------


def test_retrieve_stored_object(fake_stripe, client):
    fake_stripe.store(sample("customer", email="a@b.c"))
    resp = client.raw_request("get", f"/v1/customers/{CUS_ID}")
    assert resp.data["id"] == CUS_ID
    assert resp.data["email"] == "a@b.c"

    legacy = stripe.Customer.retrieve(CUS_ID, api_key="sk_test_x")
    assert isinstance(legacy, stripe.Customer)
    assert legacy.email == "a@b.c"
    assert fake_stripe.last.header("authorization") == "Bearer sk_test_x"


def test_retrieve_missing_object_is_404(fake_stripe, client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("get", "/v1/customers/cus_missing")
    assert exc.value.http_status == 404
    assert exc.value.code == "resource_missing"
    assert exc.value.user_message == "No such customer: cus_missing"
    assert exc.value.request_id.startswith("req_fake_")


def test_stored_objects_are_copies(fake_stripe, client):
    obj = sample("customer")
    fake_stripe.store(obj)
    obj["email"] = "changed@example.com"
    resp = client.raw_request("get", f"/v1/customers/{CUS_ID}")
    resp.data["metadata"]["x"] = "y"
    assert "email" not in fake_stripe.stored(CUS_ID)
    assert fake_stripe.stored(CUS_ID)["metadata"] == {}


# -- spec validation ---------------------------------------------------------------------------


def test_unknown_parameter_rejected(fake_stripe, client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("post", "/v1/customers", email="a@b.c", foo="bar")
    assert exc.value.http_status == 400
    assert exc.value.param == "foo"
    assert exc.value.user_message == "Received unknown parameter: foo"
    assert len(fake_stripe.rejected) == 1
    assert fake_stripe.count("post", "/v1/customers") == 1  # rejected requests are recorded too


def test_unknown_nested_parameter_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request(
            "post", "/v1/subscriptions", customer=CUS_ID, items=[{"plan": "gold", "colour": "red"}]
        )
    assert exc.value.param == "items[0][colour]"


def test_missing_required_parameter_rejected(client):
    # (POST /v1/charges lists no required parameters in the 2018-05-21 spec; payouts do.)
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("post", "/v1/payouts", currency="usd")
    assert exc.value.http_status == 400
    assert exc.value.param == "amount"
    assert exc.value.user_message == "Missing required param: amount."

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("get", "/v1/invoices/upcoming")
    assert exc.value.param == "customer"


def test_unknown_path_and_method_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("get", "/v1/nope")
    assert exc.value.http_status == 404
    assert exc.value.user_message.startswith("Unrecognized request URL (GET: /v1/nope)")

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("delete", "/v1/charges/ch_1")  # charges cannot be deleted
    assert exc.value.http_status == 404


def test_wrong_enum_and_types_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("post", "/v1/plans", currency="usd", interval="fortnight")
    assert exc.value.param == "interval"
    assert exc.value.user_message.startswith("Invalid interval: must be one of")

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("post", "/v1/payouts", currency="usd", amount="lots")
    assert (exc.value.param, exc.value.user_message) == ("amount", "Invalid integer: lots")

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.raw_request("get", "/v1/customers", limit="ten")
    assert exc.value.param == "limit"


def test_valid_create_through_route(fake_stripe, client):
    created = sample("customer", email="a@b.c")
    fake_stripe.route("post", "/v1/customers", created)
    resp = client.raw_request(
        "post", "/v1/customers", email="a@b.c", metadata={"k": "v"}, expand=["default_source"]
    )
    assert resp.data["id"] == CUS_ID
    assert fake_stripe.last.params == {
        "email": "a@b.c",
        "metadata": {"k": "v"},
        "expand": ["default_source"],
    }

    customer = stripe.Customer.create(email="a@b.c", api_key="sk_test_x")
    assert customer.id == CUS_ID
    assert fake_stripe.last.header("Idempotency-Key")


def test_route_callable_and_status(fake_stripe, client):
    fake_stripe.route(
        "post",
        "/v1/invoices/{invoice}/pay",
        lambda req: sample("invoice", id=req.path_params["invoice"], paid=True),
    )
    fake_stripe.route(
        "post",
        "/v1/charges",
        (402, {"error": {"type": "card_error", "code": "expired_card", "message": "Expired."}}),
    )
    assert client.raw_request("post", "/v1/invoices/in_9/pay").data["id"] == "in_9"
    with pytest.raises(stripe.CardError) as exc:
        client.raw_request("post", "/v1/charges", amount=100, currency="usd")
    assert exc.value.code == "expired_card"
    with pytest.raises(ValueError):
        fake_stripe.route("post", "/v1/customerz", {})


# -- lists -------------------------------------------------------------------------------------


def test_list_pagination_newest_first(fake_stripe, client):
    # created ties in pairs: the later-stored object of a pair comes first
    fake_stripe.store(
        [sample("customer", id=f"cus_{i:03d}", created=1_500_000_000 + i // 2) for i in range(250)]
    )
    expected = [f"cus_{i:03d}" for i in reversed(range(250))]
    seen, params = [], {"limit": 100}
    for _ in range(3):
        page = client.raw_request("get", "/v1/customers", **params).data
        seen += [c["id"] for c in page["data"]]
        params = {"limit": 100, "starting_after": page["data"][-1]["id"]}
    assert seen == expected
    assert page["has_more"] is False and page["url"] == "/v1/customers"
    assert fake_stripe.count("get", "/v1/customers") == 3
    assert fake_stripe.requests[1].params == {"limit": "100", "starting_after": "cus_150"}

    back = client.raw_request("get", "/v1/customers", limit=3, ending_before="cus_240").data
    assert [c["id"] for c in back["data"]] == ["cus_243", "cus_242", "cus_241"]
    assert back["has_more"] is True
    assert len(client.raw_request("get", "/v1/customers").data["data"]) == 10


def test_auto_paging_iter_on_legacy_list(fake_stripe):
    fake_stripe.store([sample("customer", id=f"cus_{i:03d}", created=i) for i in range(250)])
    listed = stripe.Customer.list(limit=100, api_key="sk_test_x")
    ids = [c.id for c in listed.auto_paging_iter()]
    assert ids == [f"cus_{i:03d}" for i in reversed(range(250))]
    assert fake_stripe.count("get", "/v1/customers") == 3


def test_list_filters(fake_stripe, client):
    fake_stripe.store(
        [
            sample("subscription", id="sub_a", customer="cus_1", status="active", created=3),
            sample("subscription", id="sub_b", customer="cus_1", status="canceled", created=2),
            sample("subscription", id="sub_c", customer="cus_2", status="past_due", created=1),
            sample("customer", id="cus_1"),
        ]
    )

    def ids(**params):
        return [
            s["id"] for s in client.raw_request("get", "/v1/subscriptions", **params).data["data"]
        ]

    assert ids() == ["sub_a", "sub_c"]  # canceled ones are hidden by default
    assert ids(status="all") == ["sub_a", "sub_b", "sub_c"]
    assert ids(status="canceled") == ["sub_b"]
    assert ids(customer="cus_1") == ["sub_a"]
    assert ids(created={"gte": 2}) == ["sub_a"]
    nested = client.raw_request("get", "/v1/customers/cus_2/subscriptions").data
    assert [s["id"] for s in nested["data"]] == ["sub_c"]


def test_nested_lists_sources_and_invoice_lines(fake_stripe, client):
    fake_stripe.store(
        [
            sample("card", id="card_1", customer="cus_1"),
            sample("card", id="card_2", customer="cus_2"),
        ]
    )
    sources = client.raw_request("get", "/v1/customers/cus_1/sources").data
    assert [s["id"] for s in sources["data"]] == ["card_1"]
    assert client.raw_request("get", "/v1/customers/cus_1/sources/card_1").data["id"] == "card_1"
    with pytest.raises(stripe.InvalidRequestError):
        client.raw_request("get", "/v1/customers/cus_1/sources/card_2")

    fake_stripe.store_lines(
        "in_1", [sample("invoice_line_item", id="ii_1"), sample("invoice_line_item", id="ii_2")]
    )
    removed = client.raw_request("delete", "/v1/customers/cus_2/sources/card_2").data
    assert removed == {"id": "card_2", "object": "card", "deleted": True}

    lines = client.raw_request("get", "/v1/invoices/in_1/lines", limit=1).data
    assert [x["id"] for x in lines["data"]] == ["ii_1"] and lines["has_more"] is True


# -- expand ------------------------------------------------------------------------------------


def test_expand_on_retrieve_and_list(fake_stripe, client):
    fake_stripe.store(
        [
            sample("customer"),
            sample("charge", id="ch_1", customer=CUS_ID, created=2),
            sample("charge", id="ch_2", customer="cus_gone", created=1),
        ]
    )
    charge = client.raw_request("get", "/v1/charges/ch_1", expand=["customer"]).data
    assert charge["customer"]["object"] == "customer"
    plain = client.raw_request("get", "/v1/charges/ch_1").data
    assert plain["customer"] == CUS_ID
    listed = client.raw_request("get", "/v1/charges", expand=["data.customer"]).data
    assert listed["data"][0]["customer"]["id"] == CUS_ID
    assert listed["data"][1]["customer"] == "cus_gone"  # unknown ids stay ids
    assert fake_stripe.last.params["expand"] == ["data.customer"]
    legacy = stripe.Charge.retrieve("ch_1", expand=["customer"], api_key="sk_test_x")
    assert isinstance(legacy.customer, stripe.Customer)


# -- default update / delete -------------------------------------------------------------------


def test_default_update_and_delete(fake_stripe, client):
    fake_stripe.store(sample("customer", metadata={"keep": "1", "drop": "2"}))
    updated = client.raw_request(
        "post",
        f"/v1/customers/{CUS_ID}",
        email="n@e.w",
        account_balance=-5,
        metadata={"drop": "", "new": "3"},
        source="tok_visa",
    ).data
    assert updated["email"] == "n@e.w" and updated["account_balance"] == -5
    assert updated["metadata"] == {"keep": "1", "new": "3"}
    assert "source" not in updated  # not a customer field: not merged
    deleted = client.raw_request("delete", f"/v1/customers/{CUS_ID}").data
    assert deleted == {"id": CUS_ID, "object": "customer", "deleted": True}
    assert fake_stripe.stored(CUS_ID) is None

    fake_stripe.store(sample("subscription", status="active"))
    sub_id = RESOURCES["subscription"]["id"]
    canceled = stripe.Subscription.delete(sub_id, api_key="sk_test_x")
    assert canceled.status == "canceled"
    assert fake_stripe.stored(sub_id)["status"] == "canceled"


def test_singleton_account(fake_stripe, client):
    fake_stripe.store(sample("account", id="acct_1"))
    assert client.raw_request("get", "/v1/account").data["id"] == "acct_1"


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, error_class",
    [(500, stripe.APIError), (429, stripe.RateLimitError), (402, stripe.CardError)],
)
def test_faults(fake_stripe, client, status, error_class):
    fake_stripe.store(sample("customer"))
    fake_stripe.fail("get", "/v1/customers/{customer}", status=status)
    with pytest.raises(error_class) as exc:
        client.raw_request("get", f"/v1/customers/{CUS_ID}")
    assert exc.value.http_status == status
    if status == 402:
        assert exc.value.code == "card_declined"
    assert client.raw_request("get", f"/v1/customers/{CUS_ID}").data["id"] == CUS_ID


def test_fault_on_legacy_call_and_custom_error(fake_stripe):
    fake_stripe.fail("post", "/v1/charges", status=402, error={"code": "insufficient_funds"})
    with pytest.raises(stripe.CardError) as exc:
        stripe.Charge.create(amount=100, currency="usd", api_key="sk_test_x")
    assert exc.value.code == "insufficient_funds"


def test_timeout(fake_stripe, client):
    fake_stripe.fail("post", "/v1/customers*", timeout=True)
    with pytest.raises(stripe.APIConnectionError) as exc:
        client.raw_request("post", "/v1/customers", email="a@b.c")
    assert exc.value.should_retry is True


# -- recording / unexpected / routes -----------------------------------------------------------


def test_request_recording(fake_stripe, client):
    fake_stripe.store([sample("customer"), sample("card", id="card_1", customer=CUS_ID)])
    client.raw_request("get", f"/v1/customers/{CUS_ID}")
    client.raw_request("get", f"/v1/customers/{CUS_ID}/sources", limit=5)
    client.raw_request("get", "/v1/charges")
    rec = fake_stripe.requests[0]
    assert rec.method == "get" and rec.path == f"/v1/customers/{CUS_ID}"
    assert rec.headers["Stripe-Version"] == "2018-05-21"
    assert rec.header("stripe-version") == "2018-05-21"
    assert fake_stripe.count() == 3
    assert fake_stripe.count(path="/v1/customers*") == 2
    assert fake_stripe.count("GET", "/v1/customers/{customer}/sources") == 1
    assert fake_stripe.count("post") == 0
    fake_stripe.reset_requests()
    assert fake_stripe.count() == 0
    with pytest.raises(AssertionError):
        fake_stripe.last  # noqa: B018


def test_unexpected_request_fails_loudly(fake_stripe, client):
    with pytest.raises(AssertionError, match=r"Unexpected Stripe request: POST /v1/customers"):
        client.raw_request("post", "/v1/customers", email="a@b.c")
    with pytest.raises(AssertionError, match="POST /v1/customers/cus_nope"):
        stripe.Customer.modify("cus_nope", email="x@y.z", api_key="sk_test_x")
    assert len(fake_stripe.unexpected) == 2
    assert "POST /v1/customers" in fake_stripe.unexpected[0]
    assert fake_stripe.count("post") == 2
    fake_stripe.unexpected.clear()  # or the fixture fails this test at teardown


def test_route_times_then_falls_back(fake_stripe, client):
    fake_stripe.store(sample("customer", email="stored@example.com"))
    fake_stripe.route(
        "get", f"/v1/customers/{CUS_ID}", sample("customer", email="routed@example.com"), times=1
    )
    first = client.raw_request("get", f"/v1/customers/{CUS_ID}").data
    second = client.raw_request("get", f"/v1/customers/{CUS_ID}").data
    assert (first["email"], second["email"]) == ("routed@example.com", "stored@example.com")


def test_route_callable_can_pass(fake_stripe, client):
    fake_stripe.store(sample("customer"))
    seen = []
    fake_stripe.route("get", "/v1/customers/{customer}", lambda req: seen.append(req.path))
    assert client.raw_request("get", f"/v1/customers/{CUS_ID}").data["id"] == CUS_ID
    assert seen == [f"/v1/customers/{CUS_ID}"]


def test_latest_route_wins(fake_stripe, client):
    fake_stripe.route("post", "/v1/refunds", {"id": "re_general", "object": "refund"})
    fake_stripe.route(
        "post", "/v1/refunds", (500, {"error": {"type": "api_error", "message": "boom"}}), times=1
    )
    with pytest.raises(stripe.APIError):
        client.raw_request("post", "/v1/refunds", charge="ch_1")
    assert client.raw_request("post", "/v1/refunds", charge="ch_1").data["id"] == "re_general"


# -- form decoding -----------------------------------------------------------------------------


def test_decode_form_unit():
    fake = FakeStripe()
    body = "metadata[a%20b]=x%26y&expand[]=a&expand[]=b&items[0][plan]=p&items[1][plan]=q&empty="
    body += "&metadata[0]=zero&card[exp_month]=12"
    assert decode_form(body) == {
        "metadata": {"a b": "x&y", "0": "zero"},
        "expand": ["a", "b"],
        "items": [{"plan": "p"}, {"plan": "q"}],
        "empty": "",
        "card": {"exp_month": "12"},
    }
    out, status, headers = fake.request(
        "get", "https://api.stripe.com/v1/customers?limit=2&expand%5B0%5D=data.default_source", {}
    )
    assert status == 200 and json.loads(out)["data"] == []
    assert headers["Request-Id"] == headers["request-id"]
    assert fake.last.params == {"limit": "2", "expand": ["data.default_source"]}


def test_form_round_trip(fake_stripe, client):
    params = {
        "customer": CUS_ID,
        "items": [{"plan": "gold", "quantity": 2}, {"plan": "silver"}],
        "metadata": {"order": "42", "note": "a&b=c [x]", "empty": ""},
        "expand": ["customer", "latest_invoice"],
        "prorate": False,
        "trial_end": "now",
    }
    fake_stripe.route("post", "/v1/subscriptions", sample("subscription"))
    client.raw_request("post", "/v1/subscriptions", **params)
    expected = json.loads(json.dumps(params).replace("false", '"false"'))
    expected["items"][0]["quantity"] = "2"
    assert fake_stripe.last.params == expected
    # the same pairs stripe-python would put on the wire decode to the same structure
    wire = urlencode(list(_api_encode(params))).replace("%5B", "[").replace("%5D", "]")
    assert decode_form(wire) == expected


# -- fixtures helper ---------------------------------------------------------------------------


def test_load_fixture(tmp_path, monkeypatch):
    (tmp_path / "subscription.json").write_text(json.dumps(RESOURCES["subscription"]))
    monkeypatch.setattr(fake_module, "FIXTURES_DIR", tmp_path)
    first = load_fixture("subscription", status="trialing", **{"plan.id": "silver"})
    assert first["status"] == "trialing" and first["plan"]["id"] == "silver"
    first["items"]["data"].clear()
    assert load_fixture("subscription")["items"]["data"]
