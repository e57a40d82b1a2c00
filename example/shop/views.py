"""The shop's pages: plans from the mirror, subscribing with a test card, the account page.

Every call to Stripe goes through a djstripe model method, which updates the
mirror with Stripe's answer; webhooks then bring what Stripe did on its own
(the invoice of a new subscription, its payment). A Stripe error becomes a
message on the page, never a server error.
"""

from __future__ import annotations

import stripe
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from djstripe.decorators import subscription_payment_required
from djstripe.mixins import SubscriptionMixin
from djstripe.models import (
    Card,
    Customer,
    Event,
    Invoice,
    Plan,
    Subscription,
    WebhookEventTrigger,
)
from djstripe.sync import sync_subscriber

from .context_processors import uses_fake_stripe
from .forms import CardForm, SignupForm

# Stripe's test token for a Visa card: Stripe refuses raw card numbers from servers.
STRIPE_TEST_TOKEN = "tok_visa"


def show_stripe_error(request, error: stripe.StripeError) -> None:
    """Tell the user what Stripe refused (declined card, unknown object, no connection...)."""
    messages.error(request, f"Stripe said no: {error.user_message or error}")


def home(request):
    """What the demo is, and what the mirror holds right now (webhooks update it live)."""
    counts = {
        model._meta.verbose_name_plural: model.objects.count()
        for model in (Plan, Customer, Subscription, Invoice, Event, WebhookEventTrigger)
    }
    triggers = WebhookEventTrigger.objects.select_related("event").order_by("-id")[:8]
    return render(request, "shop/home.html", {"counts": counts, "triggers": triggers})


def signup(request):
    """Create a user and log them in; their Stripe customer is made when they subscribe."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        messages.success(request, f"Welcome, {user.username}! Pick a plan.")
        return redirect("shop:plans")
    return render(request, "registration/signup.html", {"form": form})


class PlanListView(SubscriptionMixin, TemplateView):
    """The mirrored plans (``plans``) and the visitor's subscription, from the mixin."""

    template_name = "shop/plans.html"


@login_required
def subscribe(request, plan_id: str):
    """Subscribe to a plan: a customer, a card unless one is on file, then the subscription."""
    plan = get_object_or_404(Plan, stripe_id=plan_id, livemode=False)
    customer = customer_of(request.user)
    needs_card = customer is None or not customer.has_valid_source()
    form = CardForm(request.POST or None) if needs_card and uses_fake_stripe() else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            subscription = subscribe_user(request.user, plan, form and form.cleaned_data)
        except stripe.StripeError as error:
            show_stripe_error(request, error)
        else:
            messages.success(
                request,
                f"You are on the {plan.name} plan ({plan.human_readable_price}): "
                f"subscription {subscription.stripe_id} is {subscription.status}.",
            )
            return redirect("shop:account")
    card = None if needs_card else customer.default_source.resolve()
    context = {"plan": plan, "form": form, "needs_card": needs_card, "card": card}
    return render(request, "shop/subscribe.html", context)


def customer_of(user) -> Customer | None:
    """The user's test-mode customer, if they have one (no Stripe request)."""
    return Customer.of_subscriber(user, livemode=False)


def subscribe_user(user, plan: Plan, card: dict | None) -> Subscription:
    """Subscribe ``user`` to ``plan``, or move their current subscription to it."""
    customer, _created = Customer.get_or_create(subscriber=user)
    if not customer.has_valid_source():
        customer.add_card(card_token(card))
    current = customer.valid_subscriptions.first()
    if current is not None:
        return current.update(plan=plan)
    # Stripe invoices a new subscription (without a trial) and charges the card
    # by itself; charge_immediately=True would also invoice pending items at once.
    return customer.subscribe(plan, charge_immediately=False)


def card_token(card: dict | None) -> str:
    """The card as a token: made from its number on a fake server, else Stripe's test token."""
    if card is None:
        return STRIPE_TEST_TOKEN
    token = Card.create_token(card["number"], card["exp_month"], card["exp_year"], card["cvc"])
    return token["id"]


class AccountView(LoginRequiredMixin, SubscriptionMixin, TemplateView):
    """The user's customer, card, subscriptions and invoices, as mirrored."""

    template_name = "shop/account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = context["customer"]
        if customer is not None:
            context.update(
                all_subscriptions=customer.subscriptions.select_related("plan").order_by(
                    "-created"
                ),
                invoices=customer.invoices.all(),
                cards=customer.legacy_cards.all(),
                upcoming_invoice=self.upcoming_invoice(customer),
            )
        return context

    def upcoming_invoice(self, customer: Customer):
        """A preview of the next invoice (one Stripe request; None if there is none)."""
        try:
            return customer.upcoming_invoice()
        except stripe.StripeError as error:
            show_stripe_error(self.request, error)
            return None


def subscription_of(request, subscription_id: str) -> Subscription:
    """One of the user's own subscriptions, else 404."""
    return get_object_or_404(
        Subscription, stripe_id=subscription_id, customer__subscriber=request.user
    )


@login_required
@require_POST
def cancel(request, subscription_id: str):
    """Cancel at the period's end (``when=period_end``) or at once (``when=now``)."""
    subscription = subscription_of(request, subscription_id)
    at_period_end = request.POST.get("when") != "now"
    try:
        subscription = subscription.cancel(at_period_end=at_period_end)
    except stripe.StripeError as error:
        show_stripe_error(request, error)
    else:
        if at_period_end:
            end = subscription.current_period_end
            messages.success(request, f"Your subscription ends on {end:%Y-%m-%d}.")
        else:
            messages.success(request, "Your subscription is canceled.")
    return redirect("shop:account")


@login_required
@require_POST
def reactivate(request, subscription_id: str):
    """Undo a cancellation at the period's end."""
    subscription = subscription_of(request, subscription_id)
    try:
        subscription = subscription.reactivate()
    except stripe.StripeError as error:
        show_stripe_error(request, error)
    else:
        messages.success(request, f"Your subscription is {subscription.status} again.")
    return redirect("shop:account")


@login_required
@require_POST
def sync(request):
    """Bring the user's part of the mirror up to date from Stripe (djstripe.sync).

    The account page offers it with real Stripe only: localstripe refuses the
    ``limit`` parameter on a customer's list of cards, which Stripe accepts.
    """
    try:
        customer = sync_subscriber(request.user)
    except stripe.StripeError as error:
        show_stripe_error(request, error)
    else:
        messages.success(
            request,
            f"Synced from Stripe: {customer.subscriptions.count()} subscription(s), "
            f"{customer.invoices.count()} invoice(s).",
        )
    return redirect("shop:account")


@subscription_payment_required
def members(request):
    """Only subscribers get here; others go to DJSTRIPE_SUBSCRIPTION_REDIRECT (the plans)."""
    return render(request, "shop/members.html")
