"""The shop's pages: products on sale, by category, and each product."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import Category, Product


class ProductListView(ListView[Product]):
    """Products on sale, a page at a time; all of them or one category's."""

    template_name = "catalog/product_list.html"
    context_object_name = "products"
    paginate_by = 24

    def get_queryset(self) -> QuerySet[Product]:
        products = Product.objects.available().select_related("category")
        if "category" in self.kwargs:
            self.category = get_object_or_404(Category, slug=self.kwargs["category"])
            products = products.filter(category=self.category)
        return products

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            categories=Category.objects.all(), category=getattr(self, "category", None), **kwargs
        )


class ProductDetailView(DetailView[Product]):
    """One product on sale, with a form to add it to the cart."""

    template_name = "catalog/product_detail.html"
    context_object_name = "product"

    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.available().select_related("category")
