"""API tokens: list yours (admins: everyone's) and revoke one, e.g. a token that leaked.

Tokens are issued at the command line (``inkubators token create NAME``), where the new
token can be handed over; each issue and revocation is in the account log.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from web.api.models import Model, UtcDateTime
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import tokens


class TokenOut(Model):
    """A bearer token (never the token itself: only its holder has it)."""

    id: int
    user: str
    created_at: UtcDateTime
    expires_at: UtcDateTime = Field(
        description="issue time plus the policy's tokens.lifetime_days (the policy in force)"
    )
    last_used_at: UtcDateTime | None = Field(description="to the hour; null: never used")
    revoked_at: UtcDateTime | None
    status: Literal["active", "expired", "revoked", "password_changed"] = Field(
        description="password_changed: ended when its user's password was changed"
    )


class TokenList(Model):
    """Tokens, newest first."""

    items: list[TokenOut]


@api_route("/tokens", tag="tokens", response=TokenList)
def list_tokens() -> TokenList:
    """Your tokens, newest first (roles that manage users: every user's)."""
    items = tokens.list_tokens(runtime(), actor())
    return TokenList(items=[TokenOut.model_validate(t) for t in items])


@api_route("/tokens/<int:token_id>", "DELETE", tag="tokens", response=TokenOut, errors=(404,))
def revoke_token(token_id: int) -> TokenOut:
    """Revoke a token: it stops working at once (yours; roles that manage users: anyone's).

    Revoking a revoked token answers it as it stands and writes nothing.
    """
    return TokenOut.model_validate(tokens.revoke_token(runtime(), token_id, actor()))
