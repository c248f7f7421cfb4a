"""Organization forms."""

from django import forms
from django.utils.text import slugify

from .models import Invitation, Organization, Role, new_slug


class OrganizationForm(forms.ModelForm[Organization]):
    """Start an organization; its address comes from its name."""

    class Meta:
        model = Organization
        fields = ("name",)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if not slugify(name):
            raise forms.ValidationError("Use some letters or digits in the name.")
        # Names need not be unique: another tenant's name is none of this user's business.
        self.instance.slug = new_slug(name)
        return name


class InvitationForm(forms.ModelForm[Invitation]):
    """Invite someone by email, as an admin or a member (an organization has one owner)."""

    role = forms.ChoiceField(choices=[(Role.ADMIN, "Admin"), (Role.MEMBER, "Member")])

    class Meta:
        model = Invitation
        fields = ("email", "role")
