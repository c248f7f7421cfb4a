"""Orders in the admin, with their items inline."""

from django.contrib import admin

from .models import Order, OrderItem


class OrderItemInline(admin.TabularInline[OrderItem, Order]):
    """An order's items; the price is the one paid, so it is read-only."""

    model = OrderItem
    fields = ("product", "quantity", "price")
    readonly_fields = ("price",)
    raw_id_fields = ("product",)
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    """Orders, newest first, filtered by status and date."""

    list_display = ("__str__", "customer", "status", "created_at", "total")
    list_filter = ("status", "created_at")
    list_select_related = ("customer",)
    search_fields = ("=id", "customer__username", "customer__email")
    date_hierarchy = "created_at"
    raw_id_fields = ("customer",)
    inlines = (OrderItemInline,)

    @admin.display(description="total")
    def total(self, order: Order) -> str:
        return str(order.total())
