"""Cart forms."""

from django import forms

from .cart import MAX_QUANTITY


class AddToCartForm(forms.Form):
    """How many of a product to add."""

    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)
