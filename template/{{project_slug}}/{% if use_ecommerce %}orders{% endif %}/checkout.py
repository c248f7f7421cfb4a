"""Checkout: place an order and take its items out of stock, all or nothing."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F

from ..accounts.models import User
from ..catalog.models import Product
from .models import Order, OrderItem


class CheckoutError(Exception):
    """Checkout refused; the message says why, for the customer."""


class OutOfStockError(CheckoutError):
    """Fewer items are left than the order asks for (or none, or the product is off sale)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(f"Not enough left in stock: {', '.join(names)}.")


def place_order(customer: User, quantities: Mapping[int, int]) -> Order:
    """Order `quantities` (product id -> how many) for `customer`; never sells more than stock.

    Concurrent checkouts of the last item sell it once. On PostgreSQL the products' rows are
    locked (`SELECT ... FOR UPDATE`, in id order so checkouts queue rather than deadlock), and
    each decrement is a conditional `UPDATE ... WHERE stock >= n`, which holds even without
    the lock. SQLite has no row locks but one writer at a time: the settings begin transactions
    IMMEDIATE, so a checkout takes the write lock before it reads and the next one waits.
    """
    if not quantities or min(quantities.values()) < 1:
        raise CheckoutError("An order needs at least one product.")
    with transaction.atomic():
        products = list(
            Product.objects.select_for_update().filter(pk__in=quantities).order_by("pk")
        )
        found = {product.pk for product in products}
        short = [
            product.name
            for product in products
            if not product.is_active or product.stock < quantities[product.pk]
        ]
        short += [f"product #{pk}" for pk in sorted(set(quantities) - found)]
        if short:
            raise OutOfStockError(short)

        order = Order.objects.create(customer=customer)
        for product in products:
            wanted = quantities[product.pk]
            taken = Product.objects.filter(pk=product.pk, stock__gte=wanted).update(
                stock=F("stock") - wanted
            )
            if not taken:
                raise OutOfStockError([product.name])  # rolls the whole order back
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order, product=product, price=product.price, quantity=quantities[product.pk]
            )
            for product in products
        )
    return order
