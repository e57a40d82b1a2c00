"""The demo's forms: signing up, and a test card."""

import datetime

from django import forms
from django.contrib.auth.forms import UserCreationForm

# Stripe's test card that always succeeds (localstripe accepts it too).
TEST_CARD_NUMBER = "4242424242424242"


class SignupForm(UserCreationForm):
    """A username, an email (the Stripe customer's) and a password."""

    email = forms.EmailField(help_text="The Stripe customer gets this email.")

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


class CardForm(forms.Form):
    """A card's details, turned into a token before they reach the customer.

    A real shop collects them with Stripe.js, so that card numbers never touch
    its server; the fake Stripe server lets the demo skip that.
    """

    number = forms.CharField(max_length=19, initial=TEST_CARD_NUMBER)
    exp_month = forms.IntegerField(min_value=1, max_value=12, initial=12, label="Expiry month")
    exp_year = forms.IntegerField(
        min_value=2000, initial=lambda: datetime.date.today().year + 3, label="Expiry year"
    )
    cvc = forms.CharField(max_length=4, initial="123", label="CVC")

    def clean_number(self):
        return self.cleaned_data["number"].replace(" ", "")
