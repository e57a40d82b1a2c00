"""Enumerations of the string values Stripe uses in its objects.

Each enumeration is a plain class whose members are declared as class
attributes; a metaclass turns the declarations into a value table.  A member
is declared in one of two ways:

* ``succeeded = _("Succeeded")``: the attribute name *is* the Stripe value;
* ``american_express = ("American Express", _("American Express"))``: the
  explicit form, for a Stripe value that is not a usable Python identifier
  (spaces, capitals, dashes, keywords such as ``pass``).

After class creation every member attribute holds the plain Stripe string::

    >>> ChargeStatus.succeeded
    'succeeded'
    >>> CardBrand.american_express
    'American Express'
    >>> ChargeStatus.choices[0]
    ('failed', 'Failed')                    # the label is a lazy translation
    >>> "pending" in ChargeStatus, sorted(ChargeStatus.values())
    (True, ['failed', 'pending', 'succeeded'])
    >>> list(ChargeStatus)                 # iteration yields values in order
    ['failed', 'pending', 'succeeded']

Values come from Stripe's OpenAPI description for API version 2018-05-21
(``enum`` lists where the description has them, otherwise the values listed in
the property's description).  Where neither gives the list, the values come
from Stripe's API documentation of that period; a comment says so.

Importing this module does nothing beyond defining classes.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Enum",
    "ApiErrorCode",
    "ChargeFailureCode",
    "ChargeStatus",
    "ChargeSourceType",
    "PaymentMethodType",
    "CardCheckResult",
    "CardBrand",
    "CardFundingType",
    "CardTokenizationMethod",
    "SubscriptionStatus",
    "PlanInterval",
    "PlanUsageType",
    "PlanBillingScheme",
    "PlanTiersMode",
    "PlanAggregateUsage",
    "CouponDuration",
    "DisputeReason",
    "DisputeStatus",
    "PayoutStatus",
    "PayoutType",
    "PayoutMethod",
    "PayoutFailureCode",
    "SourceFlow",
    "SourceStatus",
    "SourceType",
    "SourceUsage",
    "BankAccountHolderType",
    "BankAccountStatus",
    "InvoiceBilling",
    "SubscriptionBilling",
    "AccountType",
    "ProductType",
    "FilePurpose",
    "FileType",
    "RefundReason",
    "RefundStatus",
    "RefundFailureReason",
    "TransferSourceType",
    "TransferStatus",
    "TransferFailureCode",
]

# Names that the helper itself provides on every enumeration class; a member
# may not use them.
_RESERVED_NAMES = frozenset({"choices", "values", "label", "members"})


class EnumMetaClass(type):
    """Collects member declarations into ``_members`` (value -> label)."""

    def __new__(mcs, name, bases, attrs):
        members = {}
        # Inherit members of enumeration bases, in base order.
        for base in reversed(bases):
            members.update(getattr(base, "_members", {}))

        for attr_name, declared in list(attrs.items()):
            if attr_name.startswith("_"):
                continue
            if isinstance(declared, (Promise, str)):
                value, label = attr_name, declared
            elif (
                isinstance(declared, tuple)
                and len(declared) == 2
                and isinstance(declared[0], str)
                and isinstance(declared[1], (Promise, str))
            ):
                value, label = declared
            else:
                # Methods, classmethods and other helpers pass through.
                continue
            if attr_name in _RESERVED_NAMES:
                raise TypeError(
                    f"{name}.{attr_name}: {attr_name!r} is reserved by the Enum "
                    "helper; use the explicit form, e.g. "
                    f"{attr_name}_ = ({attr_name!r}, _('...'))"
                )
            # Redeclaring a value (e.g. in a subclass) replaces its label but
            # keeps its original position.
            members[value] = label
            attrs[attr_name] = value

        attrs["_members"] = members
        cls = super().__new__(mcs, name, bases, attrs)
        cls.choices = [(value, label) for value, label in members.items()]
        return cls

    def __iter__(cls):
        return iter(list(cls._members))

    def __contains__(cls, value):
        return value in cls._members

    def __len__(cls):
        return len(cls._members)

    def __repr__(cls):
        return f"<Enum {cls.__name__}: {', '.join(cls._members)}>"


class Enum(metaclass=EnumMetaClass):
    """Base class of every enumeration; see the module docstring."""

    @classmethod
    def values(cls):
        """The set of Stripe values of this enumeration."""
        return frozenset(cls._members)

    @classmethod
    def label(cls, value, default=None):
        """The (lazy) human label of ``value``; ``default`` if unknown."""
        return cls._members.get(value, default)


# ---------------------------------------------------------------------------
# Charges
# ---------------------------------------------------------------------------


class ApiErrorCode(Enum):
    """Stripe error codes (``error.code``), also used by ``Charge.failure_code``.

    The 2018-05-21 OpenAPI description has no enum for these; the list is
    Stripe's "error codes" documentation as of mid-2018.
    """

    account_already_exists = _("Account already exists")
    account_country_invalid_address = _("Account country invalid address")
    account_invalid = _("Account invalid")
    account_number_invalid = _("Account number invalid")
    alipay_upgrade_required = _("Alipay upgrade required")
    amount_too_large = _("Amount too large")
    amount_too_small = _("Amount too small")
    api_key_expired = _("Api key expired")
    balance_insufficient = _("Balance insufficient")
    bank_account_exists = _("Bank account exists")
    bank_account_unusable = _("Bank account unusable")
    bank_account_unverified = _("Bank account unverified")
    bitcoin_upgrade_required = _("Bitcoin upgrade required")
    card_declined = _("Card was declined")
    charge_already_captured = _("Charge already captured")
    charge_already_refunded = _("Charge already refunded")
    charge_disputed = _("Charge disputed")
    charge_exceeds_source_limit = _("Charge exceeds source limit")
    charge_expired_for_capture = _("Charge expired for capture")
    country_unsupported = _("Country unsupported")
    coupon_expired = _("Coupon expired")
    customer_max_subscriptions = _("Customer max subscriptions")
    email_invalid = _("Email invalid")
    expired_card = _("Expired card")
    idempotency_key_in_use = _("Idempotency key in use")
    incorrect_address = _("Incorrect address")
    incorrect_cvc = _("Incorrect security code")
    incorrect_number = _("Incorrect number")
    incorrect_zip = _("ZIP code failed validation")
    instant_payouts_unsupported = _("Instant payouts unsupported")
    invalid_card_type = _("Invalid card type")
    invalid_charge_amount = _("Invalid charge amount")
    invalid_cvc = _("Invalid security code")
    invalid_expiry_month = _("Invalid expiration month")
    invalid_expiry_year = _("Invalid expiration year")
    invalid_number = _("Invalid number")
    invalid_source_usage = _("Invalid source usage")
    invoice_no_customer_line_items = _("Invoice has no customer line items")
    invoice_no_subscription_line_items = _("Invoice has no subscription line items")
    invoice_not_editable = _("Invoice is not editable")
    invoice_upcoming_none = _("Invoice upcoming none")
    livemode_mismatch = _("Livemode mismatch")
    missing = _("No card being charged")
    not_allowed_on_standard_account = _("Not allowed on standard account")
    order_creation_failed = _("Order creation failed")
    order_required_settings = _("Order required settings")
    order_status_invalid = _("Order status invalid")
    order_upstream_timeout = _("Order upstream timeout")
    out_of_inventory = _("Out of inventory")
    parameter_invalid_empty = _("Parameter invalid (empty)")
    parameter_invalid_integer = _("Parameter invalid (integer)")
    parameter_invalid_string_blank = _("Parameter invalid (string blank)")
    parameter_invalid_string_empty = _("Parameter invalid (string empty)")
    parameter_missing = _("Parameter missing")
    parameter_unknown = _("Parameter unknown")
    parameters_exclusive = _("Parameters exclusive")
    payment_method_unactivated = _("Payment method unactivated")
    payouts_not_allowed = _("Payouts not allowed")
    platform_api_key_expired = _("Platform API key expired")
    postal_code_invalid = _("Postal code invalid")
    processing_error = _("Processing error")
    product_inactive = _("Product inactive")
    rate_limit = _("Rate limit")
    resource_already_exists = _("Resource already exists")
    resource_missing = _("Resource missing")
    routing_number_invalid = _("Routing number invalid")
    secret_key_required = _("Secret key required")
    sepa_unsupported_account = _("SEPA unsupported account")
    shipping_calculation_failed = _("Shipping calculation failed")
    sku_inactive = _("SKU inactive")
    state_unsupported = _("State unsupported")
    tax_id_invalid = _("Tax ID invalid")
    taxes_calculation_failed = _("Taxes calculation failed")
    testmode_charges_only = _("Testmode charges only")
    tls_version_unsupported = _("TLS version unsupported")
    token_already_used = _("Token already used")
    token_in_use = _("Token in use")
    transfers_not_allowed = _("Transfers not allowed")
    upstream_order_creation_failed = _("Upstream order creation failed")
    url_invalid = _("URL invalid")


# Charge.failure_code holds one of Stripe's error codes.
ChargeFailureCode = ApiErrorCode


class ChargeStatus(Enum):
    """``charge.status``."""

    failed = _("Failed")
    pending = _("Pending")
    succeeded = _("Succeeded")


class ChargeSourceType(Enum):
    """``Charge.source_type``: the kind of object a charge's ``source`` is.

    Values are the ``object`` strings of the schemas the 2018-05-21 description
    allows for ``charge.source`` (``account_debit_account`` and
    ``limited_account`` both have ``object: "account"``), plus ``unsupported``
    for anything dj-stripe does not recognise.
    """

    account = _("Stripe account")
    alipay_account = _("Alipay account")
    bank_account = _("Bank account")
    bitcoin_receiver = _("Bitcoin receiver")
    card = _("Card")
    source = _("Source")
    unsupported = _("Unsupported")


class PaymentMethodType(Enum):
    """The three kinds of object behind the generic PaymentMethod pointer."""

    card = _("Card")
    bank_account = _("Bank account")
    source = _("Source")


# ---------------------------------------------------------------------------
# Cards
# ---------------------------------------------------------------------------


class CardCheckResult(Enum):
    """``card.address_line1_check``, ``address_zip_check`` and ``cvc_check``.

    ``pass`` is a Python keyword, hence ``CardCheckResult.pass_ == "pass"``.
    """

    pass_ = ("pass", _("Pass"))
    fail = _("Fail")
    unavailable = _("Unavailable")
    unchecked = _("Unchecked")


class CardBrand(Enum):
    """``card.brand`` (Stripe spells these with capitals and spaces)."""

    american_express = ("American Express", _("American Express"))
    diners_club = ("Diners Club", _("Diners Club"))
    discover = ("Discover", _("Discover"))
    jcb = ("JCB", _("JCB"))
    mastercard = ("MasterCard", _("MasterCard"))
    unionpay = ("UnionPay", _("UnionPay"))
    visa = ("Visa", _("Visa"))
    unknown = ("Unknown", _("Unknown"))


class CardFundingType(Enum):
    """``card.funding``."""

    credit = _("Credit")
    debit = _("Debit")
    prepaid = _("Prepaid")
    unknown = _("Unknown")


class CardTokenizationMethod(Enum):
    """``card.tokenization_method``."""

    apple_pay = _("Apple Pay")
    android_pay = _("Android Pay")


# ---------------------------------------------------------------------------
# Billing: subscriptions, plans, coupons, invoices, products
# ---------------------------------------------------------------------------


class SubscriptionStatus(Enum):
    """``subscription.status``."""

    trialing = _("Trialing")
    active = _("Active")
    past_due = _("Past due")
    canceled = _("Canceled")
    unpaid = _("Unpaid")


class PlanInterval(Enum):
    """``plan.interval``."""

    day = _("Day")
    week = _("Week")
    month = _("Month")
    year = _("Year")


class PlanUsageType(Enum):
    """``plan.usage_type``."""

    metered = _("Metered")
    licensed = _("Licensed")


class PlanBillingScheme(Enum):
    """``plan.billing_scheme``."""

    per_unit = _("Per unit")
    tiered = _("Tiered")


class PlanTiersMode(Enum):
    """``plan.tiers_mode``."""

    graduated = _("Graduated")
    volume = _("Volume-based")


class PlanAggregateUsage(Enum):
    """``plan.aggregate_usage``."""

    last_during_period = _("Last during period")
    last_ever = _("Last ever")
    max = _("Max")
    sum = _("Sum")


class CouponDuration(Enum):
    """``coupon.duration``."""

    forever = _("Forever")
    once = _("Once")
    repeating = _("Multi-month")


class InvoiceBilling(Enum):
    """``invoice.billing`` and ``subscription.billing``."""

    charge_automatically = _("Charge automatically")
    send_invoice = _("Send invoice")


# Subscription.billing takes the same values as Invoice.billing.
SubscriptionBilling = InvoiceBilling


class ProductType(Enum):
    """``product.type``."""

    good = _("Good")
    service = _("Service")


# ---------------------------------------------------------------------------
# Disputes
# ---------------------------------------------------------------------------


class DisputeReason(Enum):
    """``dispute.reason``."""

    bank_cannot_process = _("Bank cannot process")
    credit_not_processed = _("Credit not processed")
    customer_initiated = _("Customer-initiated")
    debit_not_authorized = _("Debit not authorized")
    duplicate = _("Duplicate")
    fraudulent = _("Fraudulent")
    general = _("General")
    incorrect_account_details = _("Incorrect account details")
    insufficient_funds = _("Insufficient funds")
    product_not_received = _("Product not received")
    product_unacceptable = _("Product unacceptable")
    subscription_canceled = _("Subscription canceled")
    unrecognized = _("Unrecognized")


class DisputeStatus(Enum):
    """``dispute.status``."""

    warning_needs_response = _("Warning needs response")
    warning_under_review = _("Warning under review")
    warning_closed = _("Warning closed")
    needs_response = _("Needs response")
    under_review = _("Under review")
    charge_refunded = _("Charge refunded")
    won = _("Won")
    lost = _("Lost")


# ---------------------------------------------------------------------------
# Payouts and transfers
# ---------------------------------------------------------------------------


class PayoutStatus(Enum):
    """``payout.status``."""

    paid = _("Paid")
    pending = _("Pending")
    in_transit = _("In transit")
    canceled = _("Canceled")
    failed = _("Failed")


class PayoutType(Enum):
    """``payout.type``."""

    bank_account = _("Bank account")
    card = _("Card")


class PayoutMethod(Enum):
    """``payout.method``."""

    standard = _("Standard")
    instant = _("Instant")


class PayoutFailureCode(Enum):
    """``payout.failure_code``.

    The 2018-05-21 description has no list; these are the codes of Stripe's
    "types of payout failures" API documentation of that period.
    """

    account_closed = _("Bank account has been closed.")
    account_frozen = _("Bank account has been frozen.")
    bank_account_restricted = _("Bank account has restrictions on payouts allowed.")
    bank_ownership_changed = _("Destination bank account has changed ownership.")
    could_not_process = _("Bank could not process payout.")
    debit_not_authorized = _("Debit transactions not approved on the bank account.")
    insufficient_funds = _("Stripe account has insufficient funds.")
    invalid_account_number = _("Invalid account number")
    invalid_currency = _("Bank account does not support currency.")
    no_account = _("Bank account could not be located.")
    unsupported_card = _("Card no longer supported.")


class TransferStatus(Enum):
    """``Transfer.status`` (legacy field).

    The 2018-05-21 transfer object no longer has ``status``; the values are
    those of Stripe's earlier transfer documentation (same as payout status).
    """

    paid = _("Paid")
    pending = _("Pending")
    in_transit = _("In transit")
    canceled = _("Canceled")
    failed = _("Failed")


class TransferFailureCode(PayoutFailureCode):
    """``Transfer.failure_code`` (legacy): the payout failure codes.

    Not in the 2018-05-21 description; values from Stripe's documentation of
    transfer/payout failures of that period.
    """


class TransferSourceType(Enum):
    """``transfer.source_type`` (and ``payout.source_type``)."""

    card = _("Card")
    bank_account = _("Bank account")
    bitcoin_receiver = _("Bitcoin receiver")
    alipay_account = _("Alipay account")


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


class SourceFlow(Enum):
    """``source.flow``."""

    redirect = _("Redirect")
    receiver = _("Receiver")
    code_verification = _("Code verification")
    none = _("None")


class SourceStatus(Enum):
    """``source.status``."""

    canceled = _("Canceled")
    chargeable = _("Chargeable")
    consumed = _("Consumed")
    failed = _("Failed")
    pending = _("Pending")


class SourceType(Enum):
    """``source.type`` (the Source object's own payment-method type).

    The first fifteen come from the 2018-05-21 ``enum``; ``card_present`` and
    ``paper_check`` come from Stripe's Sources documentation of that period.
    """

    ach_credit_transfer = _("ACH Credit Transfer")
    ach_debit = _("ACH Debit")
    alipay = _("Alipay")
    bancontact = _("Bancontact")
    bitcoin = _("Bitcoin")
    card = _("Card")
    eps = _("EPS")
    giropay = _("Giropay")
    ideal = _("iDEAL")
    multibanco = _("Multibanco")
    p24 = _("P24")
    sepa_credit_transfer = _("SEPA Credit Transfer")
    sepa_debit = _("SEPA Direct Debit")
    sofort = _("SOFORT")
    three_d_secure = _("3D Secure")
    card_present = _("Card present")
    paper_check = _("Paper check")


class SourceUsage(Enum):
    """``source.usage``."""

    reusable = _("Reusable")
    single_use = _("Single-use")


# ---------------------------------------------------------------------------
# Bank accounts, accounts, files
# ---------------------------------------------------------------------------


class BankAccountHolderType(Enum):
    """``bank_account.account_holder_type``."""

    individual = _("Individual")
    company = _("Company")


class BankAccountStatus(Enum):
    """``bank_account.status``."""

    new = _("New")
    validated = _("Validated")
    verified = _("Verified")
    verification_failed = _("Verification failed")
    errored = _("Errored")


class AccountType(Enum):
    """``account.type``."""

    standard = _("Standard")
    express = _("Express")
    custom = _("Custom")


class FilePurpose(Enum):
    """``file_upload.purpose``."""

    business_logo = _("Business logo")
    customer_signature = _("Customer signature")
    dispute_evidence = _("Dispute evidence")
    identity_document = _("Identity document")
    pci_document = _("PCI document")
    tax_document_user_upload = _("Tax document user upload")


class FileType(Enum):
    """``file_upload.type``."""

    csv = _("CSV")
    docx = _("DOCX")
    gif = _("GIF")
    jpg = _("JPG")
    pdf = _("PDF")
    png = _("PNG")
    xls = _("XLS")
    xlsx = _("XLSX")


# ---------------------------------------------------------------------------
# Refunds
# ---------------------------------------------------------------------------


class RefundReason(Enum):
    """``refund.reason``."""

    duplicate = _("Duplicate charge")
    fraudulent = _("Fraudulent")
    requested_by_customer = _("Requested by customer")


class RefundStatus(Enum):
    """``refund.status``."""

    pending = _("Pending")
    succeeded = _("Succeeded")
    failed = _("Failed")
    canceled = _("Canceled")


class RefundFailureReason(Enum):
    """``refund.failure_reason``."""

    lost_or_stolen_card = _("Lost or stolen card")
    expired_or_canceled_card = _("Expired or canceled card")
    unknown = _("Unknown")
