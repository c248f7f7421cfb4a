"""Organization forms."""

from django import forms
from django.utils.text import slugify

from .models import Invitation, Organization, Role


class OrganizationForm(forms.ModelForm[Organization]):
    """Start an organization; its address comes from its name."""

    class Meta:
        model = Organization
        fields = ("name",)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        slug = slugify(name)
        if not slug:
            raise forms.ValidationError("Use some letters or digits in the name.")
        if Organization.objects.filter(slug=slug).exists():
            raise forms.ValidationError("An organization with this name exists already.")
        self.instance.slug = slug
        return name


class InvitationForm(forms.ModelForm[Invitation]):
    """Invite someone by email, as an admin or a member (an organization has one owner)."""

    role = forms.ChoiceField(choices=[(Role.ADMIN, "Admin"), (Role.MEMBER, "Member")])

    class Meta:
        model = Invitation
        fields = ("email", "role")
