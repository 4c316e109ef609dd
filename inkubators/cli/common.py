"""What every ``inkubators`` command shares: the id and version argument types and the
decorator that turns engine errors into a message and exit code 1.

Kept apart from ``inkubators.cli`` so the command modules can import it while the package
itself is still being imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from workflow.errors import DefinitionError, GuardRejected, WorkflowError
from workflow.schemas import MAX_ID

F = TypeVar("F", bound=Callable[..., Any])

# Ids are 32-bit integers in every database we run on: anything outside is refused as a
# usage error here rather than overflowing in the driver.
ID = click.IntRange(1, MAX_ID)
VERSION = click.IntRange(0, MAX_ID)


def reports_errors(fn: F) -> F:
    """Turn engine errors into a message on stderr and exit code 1."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GuardRejected as exc:
            click.echo(f"blocked: {exc.trigger}", err=True)
            for f in exc.failures:
                click.echo(f"  - {f.guard}: {f.message_en}", err=True)
            sys.exit(1)
        except DefinitionError as exc:
            for p in exc.problems:
                click.echo(p, err=True)
            sys.exit(1)
        except WorkflowError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]
