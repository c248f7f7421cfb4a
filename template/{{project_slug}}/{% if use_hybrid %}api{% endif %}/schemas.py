"""Request and response bodies of the API."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    """Whether the service and its database answer."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]


class Registration(BaseModel):
    """A new account: the site's sign-up rules apply (unique username, password validators)."""

    username: str = Field(max_length=150)
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)


class UserRead(BaseModel):
    """A user as the API shows it: never the password hash."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    date_joined: datetime


class UserUpdate(BaseModel):
    """Fields a user may change on their own account; omitted fields stay as they are."""

    first_name: str | None = Field(default=None, max_length=150)
    last_name: str | None = Field(default=None, max_length=150)


class TokenPair(BaseModel):
    """An OAuth2 bearer token response, with a refresh token alongside."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (OAuth2 token type, not a secret)
    expires_in: int = Field(description="Seconds until the access token expires")


class RefreshRequest(BaseModel):
    """Trade a refresh token for a new token pair."""

    refresh_token: str
