"""One row per prediction the API served."""

from django.db import models


class PredictionLog(models.Model):
    """The input, the answer and the model version of one prediction."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    model_version = models.PositiveIntegerField()
    features = models.JSONField()
    label = models.CharField(max_length=64)
    probabilities = models.JSONField()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "prediction"

    def __str__(self) -> str:
        return f"{self.label} (model v{self.model_version})"
