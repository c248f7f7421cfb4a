"""Social forms."""

from django import forms

from .models import Post


class PostForm(forms.ModelForm[Post]):
    """Write a post."""

    class Meta:
        model = Post
        fields = ("body",)
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}  # noqa: RUF012 (Django's API)
        labels = {"body": "What's new?"}  # noqa: RUF012 (Django's API)
