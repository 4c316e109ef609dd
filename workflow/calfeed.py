"""A user's calendar feed (``.ics``, RFC 5545, built with the ``icalendar`` library): the
funding calls' closing days, each open case's state deadline and the decisions expected,
on the cases the user may see (:mod:`workflow.dueitems`), as all-day events that Outlook
and Google Calendar subscribe to. Each event's UID is its item's key, so an edited call
date moves the event instead of adding one."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from workflow.actors import Actor
from workflow.db import read
from workflow.dueitems import DueItem, calendar_window, due_items
from workflow.runtime import Runtime

PRODID = "-//Inkubators//NVO izaugsmes inkubators//LV"
#: The event's title prefix per item kind (lv, en).
TITLES: dict[str, tuple[str, str]] = {
    "call": ("Konkurss slēdzas", "Call closes"),
    "step": ("Termiņš stāvoklim", "State deadline"),
    "decision": ("Gaidāms lēmums", "Decision expected"),
}


def feed(rt: Runtime, actor: Actor, lang: str, host: str = "inkubators") -> bytes:
    """The feed of ``actor``'s cases in ``lang`` (Latvian unless English), as bytes."""
    with read(rt.engine) as conn:
        items = due_items(conn, rt.rules, actor, calendar_window(rt.today()))
    return calendar(items, lang, rt.now(), host)


def calendar(items: list[DueItem], lang: str, now: datetime, host: str) -> bytes:
    """The items as an iCalendar document."""
    en = lang == "en"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Inkubators" + (" deadlines" if en else " termiņi"))
    for item in items:
        lv_title, en_title = TITLES[item.kind]
        ev = Event()
        ev.add("uid", f"{item.key}@{host}")
        ev.add("dtstamp", now)
        ev.add("dtstart", item.due_on)
        ev.add("dtend", item.due_on + timedelta(days=1))
        about = f" — {item.programme}" if item.programme else ""
        ev.add("summary", f"{en_title if en else lv_title}: {item.organisation}{about}")
        ev.add("description", item.text(lang))
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return bytes(cal.to_ical())
