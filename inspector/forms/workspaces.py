"""The forms of the members page, of a new workspace, and of joining by invitation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.models import User

from inspector import services

LIFETIME_CHOICES = [(key, label) for key, (label, _) in services.INVITATION_LIFETIMES.items()]


class RoleForm(forms.Form):
    # Offered at the least power that lets someone work: an admin is chosen on purpose.
    role = forms.ChoiceField(label="Role", choices=services.Role.choices, initial="member")

    def chosen_role(self) -> services.Role:
        return services.Role(self.cleaned_data["role"])


class _InvitationForm(RoleForm):
    expires_in = forms.ChoiceField(label="Expires after", choices=LIFETIME_CHOICES, initial="1d")

    def lifetime(self) -> timedelta:
        return services.INVITATION_LIFETIMES[self.cleaned_data["expires_in"]][1]


class InviteLinkForm(_InvitationForm):
    field_order = ["role", "expires_in"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Beside the email form on one page: ids of its own.
        kwargs.setdefault("auto_id", "invite-link-%s")
        super().__init__(*args, **kwargs)


class InviteEmailForm(_InvitationForm):
    email = forms.EmailField(label="Email address")
    field_order = ["email", "role", "expires_in"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "invite-email-%s")
        super().__init__(*args, **kwargs)


class WorkspaceForm(forms.Form):
    name = forms.CharField(label="Name", max_length=services.WORKSPACE_NAME_MAX_LENGTH)


class NewAccountForm(forms.Form):
    """An account made to accept an invitation: the way teammates get one. Validated in
    the database thread (the username is looked up); the account is made with the join."""

    username = UsernameField(label="Username", max_length=150)
    email = forms.EmailField(
        label="Email address", required=False, help_text="Optional: invitations by email use it."
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, invited_email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invited_email = invited_email
        if invited_email:
            # The invitation was sent to this address: the account takes it.
            del self.fields["email"]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("An account with this username exists already.")
        return username

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(
                    first, User(username=self.cleaned_data.get("username", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def account_email(self) -> str:
        return self.invited_email or self.cleaned_data.get("email", "")
