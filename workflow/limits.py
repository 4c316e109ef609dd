"""Every length limit on text, in one place: the database columns (:mod:`workflow.orm`),
the input schemas (:mod:`workflow.schemas`, used by the API and the CLI) and the web
forms' validators read them from here.

A limit written twice drifts: a name the schema let through at 300 characters once failed
in its ``VARCHAR(200)`` column on PostgreSQL with a 500. A schema's limit now equals its
column's (``tests/unit/test_limits.py`` checks each pair), so whatever validation accepts
the database stores. Changing a column's limit needs an Alembic migration as well.
"""

from __future__ import annotations

#: An organisation's, a cycle's, a funder's or a funding programme's name.
NAME_MAX = 200
#: An application's title or a consultation's topic: a line, not a paragraph.
TITLE_MAX = 300
#: A person's name as written (a mentor from outside the programme has no account).
PERSON_NAME_MAX = 120
#: A login name; also every column that records who acted (``actor``, ``recorded_by``).
USER_NAME_MAX = 80
#: A role's name (``coordinator`` …).
ROLE_MAX = 20
#: A code: legal form, field of activity, need area, domain, state, trigger.
CODE_MAX = 40
#: How many codes a list holds at most (fields of activity, domains, need areas).
CODES_PER_LIST = 20
#: The same list typed into one form field: every code at its longest, ", " between.
CODES_TEXT_MAX = CODES_PER_LIST * CODE_MAX + (CODES_PER_LIST - 1) * 2
#: A Latvian register number: exactly this many digits.
REG_NO_DIGITS = 11
#: The needs analysis' findings (stored in an unbounded ``TEXT`` column).
LONG_TEXT_MAX = 5000
#: The longest comment a transition or enrolment keeps: room for a reason, not a report.
COMMENT_MAX = 2000
#: The longest case search term: a name or a register number, with room to spare.
SEARCH_MAX = NAME_MAX
#: A password as typed (argon2 hashes any length; the bound keeps hashing cheap).
PASSWORD_MAX = 200
#: An ``Idempotency-Key`` header: room for a UUID or a client's own scheme.
IDEMPOTENCY_KEY_MAX = 200

#: An e-mail address (RFC 5321's longest path).
EMAIL_MAX = 254
#: What a reminder was about (``call:CASE:SOURCE:DAY``, ``overdue:CASE:STATE:DAY`` …).
REMINDER_KEY_MAX = 120
#: A document's original file name as stored and sent back (most file systems' limit).
FILENAME_MAX = 255
