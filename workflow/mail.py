"""Sending e-mail: the SMTP settings from the environment and one way to send a message.

``INKUBATORS_SMTP_HOST`` (none: every message is written to the log instead of sent),
``INKUBATORS_SMTP_PORT`` (25), ``INKUBATORS_SMTP_USER`` and ``INKUBATORS_SMTP_PASSWORD``
(log in when a user is set), ``INKUBATORS_SMTP_STARTTLS`` (``true``: upgrade the
connection before logging in) and ``INKUBATORS_MAIL_FROM`` (the sender). Standard library
only (:mod:`smtplib`, :mod:`email.message`).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

logger = logging.getLogger(__name__)

#: Seconds to wait for the SMTP server before giving up (the command fails, nothing is
#: recorded as sent, so the next run tries again).
SMTP_TIMEOUT = 30


class MailSettings(BaseSettings):
    """Where mail goes (``INKUBATORS_SMTP_*``, ``INKUBATORS_MAIL_FROM``)."""

    model_config = SettingsConfigDict(env_prefix="INKUBATORS_", extra="ignore")

    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "inkubators@localhost"


def message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message (Latvian letters intact) with a date and a message id."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg.set_content(body)
    return msg


class Mailer:
    """Sends messages as the settings say: through the SMTP server, or to the log."""

    def __init__(self, settings: MailSettings | None = None) -> None:
        self.settings = settings if settings is not None else MailSettings()

    @property
    def to_log(self) -> bool:
        """Whether messages go to the log (no SMTP host set)."""
        return not self.settings.smtp_host

    def compose(self, to: str, subject: str, body: str) -> EmailMessage:
        """A message from the configured sender."""
        return message(self.settings.mail_from, to, subject, body)

    def send(self, msg: EmailMessage) -> None:
        """Hand ``msg`` to the SMTP server (or write it to the log); an SMTP or network
        failure is raised to the caller, which then records nothing as sent."""
        s = self.settings
        if self.to_log:
            logger.info(
                "mail (no INKUBATORS_SMTP_HOST, not sent) to %s: %s\n%s",
                msg["To"],
                msg["Subject"],
                msg.get_content(),
            )
            return
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(msg)
