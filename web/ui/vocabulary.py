"""Words stored as data (roles, application statuses, legal forms) marked for translation,
so the catalogue has them when templates translate the stored value with ``_(value)``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

WORDS = (
    _l("coordinator"),
    _l("mentor"),
    _l("auditor"),
    _l("admin"),
    _l("drafted"),
    _l("submitted"),
    _l("awarded"),
    _l("rejected"),
    _l("association"),
    _l("foundation"),
)
