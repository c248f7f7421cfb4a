"""Checkout and the customer's orders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from ..accounts.http import AuthenticatedHttpRequest
from ..cart.cart import Cart
from .checkout import CheckoutError, place_order
from .models import Order


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: review the cart; POST: place the order and empty the cart."""
    cart = Cart(request.session)
    if not cart:
        messages.error(request, "Your cart is empty.")
        return redirect("cart:detail")
    if request.method == "POST":
        try:
            order = place_order(request.user, cart.quantities())
        except CheckoutError as error:
            messages.error(request, str(error))
            return redirect("cart:detail")
        cart.clear()
        messages.success(request, f"Thank you! {order} is placed.")
        return redirect(order)
    return render(request, "orders/checkout.html", {"lines": cart.lines(), "total": cart.total()})


@login_required
@require_safe
def order_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The customer's own orders, newest first."""
    orders = Order.objects.filter(customer=request.user)
    return render(request, "orders/order_list.html", {"orders": orders})


@login_required
@require_safe
def order_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One of the customer's orders; other people's orders are not found."""
    order = get_object_or_404(Order.objects.filter(customer=request.user), pk=pk)
    items = order.items.select_related("product")
    return render(request, "orders/order_detail.html", {"order": order, "items": items})
