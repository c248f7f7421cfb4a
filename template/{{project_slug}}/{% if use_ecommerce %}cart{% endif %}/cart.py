"""A cart in the session: product ids and quantities, read back against the catalog."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.sessions.backends.base import SessionBase

from ..catalog.models import Product

SESSION_KEY = "cart"
MAX_QUANTITY = 99  # per product and cart


@dataclass(frozen=True)
class CartLine:
    """A product in the cart, at its current price."""

    product: Product
    quantity: int

    @property
    def total(self) -> Decimal:
        return self.product.price * self.quantity


class Cart:
    """The visitor's cart. Prices are never stored: lines read today's price from the catalog."""

    def __init__(self, session: SessionBase) -> None:
        self._session = session
        stored = session.get(SESSION_KEY, {})
        self._quantities: dict[str, int] = stored if isinstance(stored, dict) else {}

    def add(self, product: Product, quantity: int = 1) -> None:
        """Put `quantity` more of a product in the cart (capped at MAX_QUANTITY)."""
        key = str(product.pk)
        self._quantities[key] = min(self._quantities.get(key, 0) + quantity, MAX_QUANTITY)
        self._save()

    def remove(self, product: Product) -> None:
        """Take a product out of the cart."""
        self._quantities.pop(str(product.pk), None)
        self._save()

    def clear(self) -> None:
        """Empty the cart (after checkout)."""
        self._quantities = {}
        self._session.pop(SESSION_KEY, None)

    def quantities(self) -> dict[int, int]:
        """Product id -> quantity, what checkout needs."""
        return {int(key): quantity for key, quantity in self._quantities.items()}

    def lines(self) -> list[CartLine]:
        """The cart's products still on sale, in name order."""
        quantities = self.quantities()
        products = Product.objects.available().filter(pk__in=quantities)
        return [CartLine(product, quantities[product.pk]) for product in products]

    def total(self) -> Decimal:
        return sum((line.total for line in self.lines()), Decimal("0.00"))

    def __iter__(self) -> Iterator[CartLine]:
        return iter(self.lines())

    def __len__(self) -> int:
        """How many items, counting quantities."""
        return sum(self._quantities.values())

    def _save(self) -> None:
        self._session[SESSION_KEY] = self._quantities
        self._session.modified = True
