"""Predictions in the admin: read-only, the API writes them."""

from django.contrib import admin
from django.http import HttpRequest

from .models import PredictionLog


@admin.register(PredictionLog)
class PredictionLogAdmin(admin.ModelAdmin[PredictionLog]):
    """Browse and filter what the model answered; rows are never edited by hand."""

    list_display = ("created_at", "label", "model_version")
    list_filter = ("label", "model_version")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "model_version", "features", "label", "probabilities")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PredictionLog | None = None) -> bool:
        return False
