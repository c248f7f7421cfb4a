"""Categories and products in the admin."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Category, Product


class ProductInline(admin.TabularInline[Product, Category]):
    """A category's products, on its page."""

    model = Product
    fields = ("name", "sku", "price", "stock", "is_active")
    show_change_link = True
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    """Categories, with how many products each holds."""

    list_display = ("name", "slug", "product_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012 (Django's admin API)
    inlines = (ProductInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="products", ordering="product_count")
    def product_count(self, category: Category) -> int:
        return int(getattr(category, "product_count", 0))


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    """Products: price, stock and sale status editable from the list."""

    list_display = ("name", "sku", "category", "price", "stock", "is_active")
    list_editable = ("price", "stock", "is_active")
    list_filter = ("is_active", "category")
    list_select_related = ("category",)
    search_fields = ("name", "sku")
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012 (Django's admin API)
