"""Keep tests/fixtures/*.json faithful to Stripe's 2018-05-21 object shapes.

Every fixture is checked against the OpenAPI description in
tests/data/spec3.json:

* an object (a dict with a string ``object``) may only carry keys that its
  schema's ``properties`` lists and must carry every key of its ``required``
  list;
* deleted objects (``"deleted": true``) are checked against the matching
  ``deleted_*`` schema (``deleted_object`` when there is no specific one);
* ``list`` objects are checked as Stripe list pages and each item is checked
  against its own schema;
* nested hashes without an ``object`` key (``outcome``, ``legal_entity``,
  ``period``...) are checked against the schema the property refers to;
* events are checked as ``notification_event`` and their ``data.object``
  against that object's schema;
* an invoice without ``id`` (an upcoming invoice) is checked against
  ``upcoming_invoice``, which is the invoice schema without ``id``.

Deliberate departures are listed in ``ALLOWED_EXTRA`` / ``ALLOWED_MISSING``
with the reason.  The module also checks that the fixtures reference each
other consistently.
"""

import json
import pathlib

import pytest

TESTS_DIR = pathlib.Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"
SPEC_PATH = TESTS_DIR / "data" / "spec3.json"

# The ``object`` value Stripe sends -> the schema that describes it.
OBJECT_SCHEMAS = {
    "account": "account",
    "bank_account": "bank_account",
    "card": "card",
    "charge": "charge",
    "coupon": "coupon",
    "customer": "customer",
    "discount": "discount",
    "dispute": "dispute",
    "event": "notification_event",
    "file_upload": "file_upload",
    "invoice": "invoice",
    "invoiceitem": "invoice_item",
    "line_item": "invoice_line_item",
    "payout": "payout",
    "plan": "plan",
    "product": "product",
    "refund": "refund",
    "source": "source",
    "subscription": "subscription",
    "subscription_item": "subscription_item",
    "transfer": "transfer",
    "transfer_reversal": "transfer_reversal",
    "balance_transaction": "balance_transaction",
}

# Deleted objects: the specific deleted_* schema where the spec has one.
DELETED_SCHEMAS = {
    "bank_account": "deleted_bank_account",
    "card": "deleted_card",
    "discount": "deleted_discount",
    "product": "deleted_product",
}

# A Stripe list page. ``total_count`` is sent on embedded lists (and when
# asked for); the inline list schemas of the 2018 description do not always
# mention it.
LIST_ALLOWED = {"object", "data", "has_more", "url", "total_count"}
LIST_REQUIRED = {"object", "data", "has_more", "url"}

# Stripe's deletion responses carry ``object`` although the 2018 deleted_*
# schemas only list ``id`` and ``deleted``.
DELETED_EXTRA = {"object"}

# (fixture file, schema) -> keys allowed beyond the schema's properties.
ALLOWED_EXTRA = {
    # A plan rendered at a pre-2018-02-05 API version: name and
    # statement_descriptor lived on the plan before products existed.
    ("plan_legacy.json", "plan"): {"name", "statement_descriptor"},
    # Stripe renders ``customer`` on a source attached to a customer; the
    # 2018-05-21 description of the source object does not list it.
    ("source.json", "source"): {"customer"},
}

# (fixture file, schema) -> required keys that may be absent.
ALLOWED_MISSING = {
    # Legacy plans predate metered billing, hence no usage_type.
    ("plan_legacy.json", "plan"): {"usage_type"},
}


def _load_spec():
    with open(SPEC_PATH) as fh:
        return json.load(fh)


SPEC = _load_spec()
SCHEMAS = SPEC["components"]["schemas"]
FIXTURE_FILES = sorted(p.name for p in FIXTURES_DIR.glob("*.json"))


def load_fixture(name):
    with open(FIXTURES_DIR / name) as fh:
        return json.load(fh)


def _resolve(ref):
    assert ref.startswith("#/components/schemas/"), ref
    return ref.rsplit("/", 1)[1]


def _referenced_schemas(subschema):
    """Schema names a property schema may refer to (via $ref / anyOf)."""
    if not isinstance(subschema, dict):
        return []
    if "$ref" in subschema:
        return [_resolve(subschema["$ref"])]
    names = []
    for option in subschema.get("anyOf", []):
        if "$ref" in option:
            names.append(_resolve(option["$ref"]))
    return names


class ShapeChecker:
    def __init__(self, filename):
        self.filename = filename
        self.errors = []

    # -- entry points ----------------------------------------------------
    def check_object(self, obj, path):
        """``obj`` is a dict carrying a string ``object``."""
        kind = obj["object"]
        if kind == "list":
            self.check_list(obj, None, path)
            return
        if obj.get("deleted") is True:
            schema_name = DELETED_SCHEMAS.get(kind, "deleted_object")
            self.check_keys(obj, schema_name, path, extra=DELETED_EXTRA)
            return
        if "deleted" in obj:
            self.errors.append(f"{path}: 'deleted' on a non-deleted {kind}")
        schema_name = OBJECT_SCHEMAS.get(kind)
        if schema_name is None:
            self.errors.append(f"{path}: no schema known for object {kind!r}")
            return
        if schema_name == "invoice" and "id" not in obj:
            schema_name = "upcoming_invoice"
        self.check_keys(obj, schema_name, path)

    def check_list(self, obj, item_schema, path):
        keys = set(obj)
        for key in sorted(keys - LIST_ALLOWED):
            self.errors.append(f"{path}: list has unexpected key {key!r}")
        for key in sorted(LIST_REQUIRED - keys):
            self.errors.append(f"{path}: list lacks {key!r}")
        if not isinstance(obj.get("data"), list):
            self.errors.append(f"{path}.data: not an array")
            return
        for index, item in enumerate(obj["data"]):
            self.check_value(item, item_schema, f"{path}.data[{index}]")

    # -- helpers -----------------------------------------------------------
    def check_keys(self, obj, schema_name, path, extra=frozenset()):
        schema = SCHEMAS[schema_name]
        props = schema.get("properties", {})
        allowed = set(props) | set(extra)
        allowed |= ALLOWED_EXTRA.get((self.filename, schema_name), set())
        may_miss = ALLOWED_MISSING.get((self.filename, schema_name), set())
        keys = set(obj)
        for key in sorted(keys - allowed):
            self.errors.append(f"{path}: {schema_name} has no property {key!r}")
        for key in sorted(set(schema.get("required", [])) - keys - may_miss):
            self.errors.append(f"{path}: {schema_name} requires {key!r}")
        for key in sorted(keys & set(props)):
            if key in ("metadata",):
                continue
            if schema_name == "notification_event_data" and key == "previous_attributes":
                continue  # partial values of the object's old attributes
            self.check_value(obj[key], props[key], f"{path}.{key}")

    def check_value(self, value, subschema, path):
        if isinstance(value, list):
            items = subschema.get("items") if isinstance(subschema, dict) else None
            for index, item in enumerate(value):
                self.check_value(item, items, f"{path}[{index}]")
            return
        if not isinstance(value, dict):
            return
        if isinstance(value.get("object"), str):
            if value["object"] == "list":
                item_schema = None
                if isinstance(subschema, dict):
                    item_schema = subschema.get("properties", {}).get("data", {}).get("items")
                self.check_list(value, item_schema, path)
            else:
                self.check_object(value, path)
            return
        # A nested hash without ``object``: check it against the schema the
        # property names, when there is exactly one to go by.
        if not isinstance(subschema, dict):
            return
        if "properties" in subschema:
            inline = {"properties": subschema["properties"]}
            if "required" in subschema:
                inline["required"] = subschema["required"]
            self._check_inline(value, inline, path)
            return
        names = _referenced_schemas(subschema)
        if len(names) == 1:
            self.check_keys(value, names[0], path)

    def _check_inline(self, value, schema, path):
        props = schema["properties"]
        keys = set(value)
        for key in sorted(keys - set(props)):
            self.errors.append(f"{path}: inline schema has no property {key!r}")
        for key in sorted(set(schema.get("required", [])) - keys):
            self.errors.append(f"{path}: inline schema requires {key!r}")
        for key in sorted(keys & set(props)):
            self.check_value(value[key], props[key], f"{path}.{key}")


def test_fixtures_exist():
    assert FIXTURE_FILES, f"no fixtures found in {FIXTURES_DIR}"


@pytest.mark.parametrize("filename", FIXTURE_FILES)
def test_fixture_matches_spec_shape(filename):
    data = load_fixture(filename)
    assert isinstance(data, dict), filename
    assert isinstance(data.get("object"), str), f"{filename}: no 'object' key"
    checker = ShapeChecker(filename)
    checker.check_object(data, filename)
    assert not checker.errors, "\n".join(checker.errors)


@pytest.mark.parametrize("filename", [name for name in FIXTURE_FILES if name.startswith("event_")])
def test_event_fixtures_are_2018_05_21_events(filename):
    event = load_fixture(filename)
    assert event["object"] == "event"
    assert event["id"].startswith("evt_")
    assert event["api_version"] == "2018-05-21"
    assert set(event["request"]) == {"id", "idempotency_key"}
    assert isinstance(event["data"]["object"], dict)
    assert isinstance(event["data"]["object"].get("object"), str)
    # The event type names the object it carries.
    kind = event["data"]["object"]["object"]
    expected_prefix = {
        "customer": "customer.",
        "card": "customer.source.",
        "subscription": "customer.subscription.",
        "charge": "charge.",
        "invoice": "invoice.",
        "plan": "plan.",
    }[kind]
    assert event["type"].startswith(expected_prefix)
    if event["type"].endswith(".updated"):
        assert "previous_attributes" in event["data"]


# ---------------------------------------------------------------------------
# Cross references: the fixtures describe one small connected account.
# ---------------------------------------------------------------------------


def fx(name):
    return load_fixture(name)


def test_customer_cross_references():
    customer = fx("customer.json")
    card = fx("card.json")
    subscription = fx("subscription.json")
    assert customer["default_source"] == card["id"]
    assert [s["id"] for s in customer["sources"]["data"]] == [card["id"]]
    assert customer["sources"]["data"][0] == card
    assert customer["subscriptions"]["data"] == [subscription]
    assert customer["discount"] is None
    assert customer["livemode"] is False
    for name in (
        "card.json",
        "bank_account.json",
        "source.json",
        "subscription.json",
        "subscription_trialing.json",
        "subscription_canceled.json",
        "invoice.json",
        "invoiceitem.json",
        "upcoming_invoice.json",
        "charge.json",
        "charge_jpy.json",
        "charge_disputed.json",
    ):
        assert fx(name)["customer"] == customer["id"], name

    discounted = fx("customer_discount.json")
    assert discounted["id"] == customer["id"]
    assert discounted["discount"]["coupon"] == fx("coupon.json")
    assert discounted["discount"]["customer"] == customer["id"]
    assert fx("customer_deleted.json")["id"] == customer["id"]
    assert fx("customer_live.json")["livemode"] is True
    assert fx("customer_live.json")["id"] != customer["id"]


def test_charge_cross_references():
    charge = fx("charge.json")
    refund = fx("refund.json")
    assert charge["currency"] == "usd" and charge["amount"] == 2000
    assert charge["source"] == fx("card.json")
    assert charge["invoice"] == fx("invoice.json")["id"]
    assert charge["refunds"]["data"] == [refund]
    assert refund["charge"] == charge["id"]
    assert charge["amount_refunded"] == refund["amount"]
    assert charge["dispute"] is None and charge["transfer"] is None

    jpy = fx("charge_jpy.json")
    assert (jpy["currency"], jpy["amount"]) == ("jpy", 500)
    assert jpy["id"] != charge["id"]

    disputed = fx("charge_disputed.json")
    dispute = fx("dispute.json")
    assert disputed["dispute"] == dispute["id"]
    assert dispute["charge"] == disputed["id"]
    assert disputed["refunded"] is False

    expanded = fx("charge_expanded.json")
    assert expanded["customer"] == fx("customer.json")
    assert expanded["invoice"] == fx("invoice.json")


def test_invoice_cross_references():
    invoice = fx("invoice.json")
    item = fx("invoiceitem.json")
    subscription = fx("subscription.json")
    assert invoice["charge"] == fx("charge.json")["id"]
    assert invoice["subscription"] == subscription["id"]
    assert invoice["lines"]["has_more"] is False
    types = [line["type"] for line in invoice["lines"]["data"]]
    assert sorted(types) == ["invoiceitem", "subscription"]
    ii_line = next(ln for ln in invoice["lines"]["data"] if ln["type"] == "invoiceitem")
    assert ii_line["id"] == item["id"] and ii_line["amount"] == item["amount"]
    assert item["invoice"] == invoice["id"]
    sub_line = next(ln for ln in invoice["lines"]["data"] if ln["type"] == "subscription")
    assert sub_line["id"] == subscription["id"]
    assert sub_line["plan"] == fx("plan.json")
    assert sum(ln["amount"] for ln in invoice["lines"]["data"]) == invoice["total"]
    assert invoice["total"] == fx("charge.json")["amount"]

    long_invoice = fx("invoice_long.json")
    page2 = fx("invoice_long_lines_page2.json")
    assert long_invoice["lines"]["has_more"] is True
    assert len(long_invoice["lines"]["data"]) == 2
    assert page2["object"] == "list" and page2["has_more"] is False
    assert len(page2["data"]) == 2
    assert page2["url"] == f"/v1/invoices/{long_invoice['id']}/lines"
    all_lines = long_invoice["lines"]["data"] + page2["data"]
    assert len({ln["id"] for ln in all_lines}) == 4
    assert sum(ln["amount"] for ln in all_lines) == long_invoice["total"]

    expanded = fx("invoice_expanded.json")
    assert expanded["id"] == invoice["id"]
    assert expanded["customer"] == fx("customer.json")
    assert expanded["charge"] == fx("charge.json")
    assert expanded["subscription"]["plan"] == fx("plan_product_embedded.json")
    assert expanded["subscription"]["plan"]["product"] == fx("product.json")
    for line in expanded["lines"]["data"]:
        if line["plan"] is not None:
            assert line["plan"]["product"] == fx("product.json")

    upcoming = fx("upcoming_invoice.json")
    assert upcoming.get("id") is None
    assert upcoming["subscription"] == subscription["id"]
    assert sorted(ln["type"] for ln in upcoming["lines"]["data"]) == [
        "invoiceitem",
        "subscription",
    ]


def test_billing_cross_references():
    plan = fx("plan.json")
    product = fx("product.json")
    subscription = fx("subscription.json")
    assert plan["product"] == product["id"] and product["type"] == "service"
    assert fx("plan_product_embedded.json")["product"] == product
    assert fx("plan_jpy.json")["currency"] == "jpy"
    legacy = fx("plan_legacy.json")
    assert "product" not in legacy and "name" in legacy
    assert fx("plan_deleted.json")["id"] == plan["id"]
    assert fx("product_deleted.json")["id"] == product["id"]

    assert subscription["plan"] == plan
    assert subscription["status"] == "active"
    assert [i["plan"] for i in subscription["items"]["data"]] == [plan]
    assert fx("subscription_trialing.json")["status"] == "trialing"
    assert fx("subscription_canceled.json")["status"] == "canceled"

    assert fx("coupon.json")["percent_off"] is not None
    amount_off = fx("coupon_amount_off.json")
    assert amount_off["amount_off"] and amount_off["currency"]
    assert fx("coupon_deleted.json")["id"] == fx("coupon.json")["id"]


def test_connect_cross_references():
    account = fx("account.json")
    payout_bank = fx("bank_account_payout.json")
    assert account["business_logo"] == fx("file_upload.json")["id"]
    assert payout_bank["account"] == account["id"] and "customer" not in payout_bank
    assert account["external_accounts"]["data"] == [payout_bank]
    assert fx("payout.json")["destination"] == payout_bank["id"]
    bank = fx("bank_account.json")
    assert bank["customer"] == fx("customer.json")["id"]
    assert fx("source.json")["type"] == "card"
    assert fx("transfer.json")["id"].startswith("tr_")


def test_event_payloads_match_fixtures():
    assert fx("event_customer_source_created.json")["data"]["object"] == fx("card.json")
    assert fx("event_invoice_created.json")["data"]["object"] == fx("invoice.json")
    assert fx("event_plan_deleted.json")["data"]["object"] == fx("plan.json")
    updated = fx("event_customer_subscription_updated.json")
    assert updated["data"]["object"] == fx("subscription.json")
    assert updated["data"]["previous_attributes"]
    assert fx("event_charge_succeeded.json")["data"]["object"]["id"] == fx("charge.json")["id"]
    assert fx("event_customer_created.json")["data"]["object"]["id"] == fx("customer.json")["id"]
