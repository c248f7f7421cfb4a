"""The cart page, and adding and removing products."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from ..catalog.models import Product
from .cart import Cart
from .forms import AddToCartForm


@require_safe
def detail(request: HttpRequest) -> HttpResponse:
    """What is in the cart, and the checkout button."""
    cart = Cart(request.session)
    return render(request, "cart/detail.html", {"lines": cart.lines(), "total": cart.total()})


@require_POST
def add(request: HttpRequest, product_id: int) -> HttpResponse:
    """Add a product on sale to the cart."""
    product = get_object_or_404(Product.objects.available(), pk=product_id)
    form = AddToCartForm(request.POST)
    if form.is_valid():
        Cart(request.session).add(product, form.cleaned_data["quantity"])
        messages.success(request, f"{product.name} is in your cart.")
    else:
        messages.error(request, "Choose a quantity between 1 and 99.")
    return redirect("cart:detail")


@require_POST
def remove(request: HttpRequest, product_id: int) -> HttpResponse:
    """Take a product out of the cart."""
    product = get_object_or_404(Product, pk=product_id)
    Cart(request.session).remove(product)
    return redirect("cart:detail")
