"""Account forms."""

from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import User


class SignUpForm(UserCreationForm[User]):
    """A username, an email address (for password resets) and a password, twice."""

    email = forms.EmailField(max_length=254, help_text="Used to reset your password.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
