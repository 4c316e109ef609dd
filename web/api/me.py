"""What belongs to the caller: ``GET /me/calendar`` gives the address of their private
calendar feed (issued on first use), ``DELETE /me/calendar`` revokes it at once."""

from __future__ import annotations

from flask import current_app, url_for
from pydantic import Field

from web.api.models import Model
from web.api.routing import api_route
from web.context import actor, runtime
from workflow import caltokens


class CalendarOut(Model):
    """A private calendar feed (iCalendar) of the caller's call deadlines and due steps."""

    url: str = Field(
        description="subscribe to it in Outlook or Google Calendar; whoever has the address "
        "can read the feed, so revoke it (DELETE) if it leaked: the next GET gives a new one"
    )


class RevokedOut(Model):
    """Whether there was a feed address to revoke."""

    revoked: bool


def feed_url(user_id: int) -> str:
    """The absolute address of the user's feed (issued now if they have none)."""
    secret = str(current_app.secret_key).encode()
    token = caltokens.feed_token(runtime(), user_id, secret)
    return url_for("ui_me.feed", token=token, _external=True)


@api_route("/me/calendar", tag="tokens", response=CalendarOut)
def my_calendar() -> CalendarOut:
    """The address of your private calendar feed (the same each time until revoked)."""
    user_id = actor().user_id
    assert user_id is not None  # a token always belongs to a user
    return CalendarOut(url=feed_url(user_id))


@api_route("/me/calendar", "DELETE", tag="tokens", response=RevokedOut)
def revoke_my_calendar() -> RevokedOut:
    """Revoke your calendar feed's address: it stops working at once."""
    user_id = actor().user_id
    assert user_id is not None
    return RevokedOut(revoked=caltokens.revoke(runtime(), user_id))
