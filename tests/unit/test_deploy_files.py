"""The deployment files (Dockerfile, compose.yaml, deploy/) name commands and settings
that exist: a renamed command or setting breaks the deployment, so it breaks this test.
(No Docker engine runs on the development machine; the image itself is not built here.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import yaml

from inkubators.cli import main
from workflow.mail import MailSettings
from workflow.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# the command as a shell word of its own (not a path, a user or a group name)
COMMAND = re.compile(r"(?:^|(?<=[\s\"'\[;&|(]))inkubators((?:[ \t]+[a-z][a-z-]*)+)", re.M)
SETTING = re.compile(r"\bINKUBATORS_([A-Z_]+)\b")
# read by deploy/nightly.sh itself, not by the app
SCRIPT_ONLY = {"CHECKPOINT_DIR", "BACKUP_DIR"}


def _deploy_texts() -> dict[str, str]:
    paths = [ROOT / "Dockerfile", ROOT / "compose.yaml", *sorted((ROOT / "deploy").iterdir())]
    # comments are prose ("the inkubators user"), not commands
    return {p.name: re.sub(r"(^|\s)#.*$", "", p.read_text("utf-8"), flags=re.M) for p in paths}


def _resolves(words: list[str]) -> bool:
    """Whether ``inkubators WORDS…`` reaches a command (a group needs a subcommand)."""
    cmd: click.Command = main
    for word in words:
        if not isinstance(cmd, click.Group):
            return True  # the rest are the command's own arguments
        sub = cmd.get_command(click.Context(cmd), word)
        if sub is None:
            return False
        cmd = sub
    return not isinstance(cmd, click.Group)


def test_every_command_the_deployment_runs_exists() -> None:
    found = []
    for name, text in _deploy_texts().items():
        flat = text.replace('", "', " ").replace("','", " ")
        for m in COMMAND.finditer(flat):
            words = [w for w in m.group(1).split() if not w.startswith("-")]
            found.append((name, " ".join(words)))
            assert _resolves(words), f"{name}: 'inkubators {' '.join(words)}' is no command"
    assert ("compose.yaml", "serve") in found
    assert ("nightly.sh", "audit checkpoint") in found
    assert ("crontab", "remind") in found


def test_every_setting_the_deployment_sets_is_read_by_the_app() -> None:
    known = {f.upper() for f in (*Settings.model_fields, *MailSettings.model_fields)}
    for name, text in _deploy_texts().items():
        for m in SETTING.finditer(text):
            assert m.group(1) in known | SCRIPT_ONLY, (
                f"{name}: INKUBATORS_{m.group(1)} is no setting"
            )


def test_compose_runs_several_app_hosts_following_the_database() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    app = compose["services"]["app"]
    assert app["deploy"]["replicas"] >= 2
    assert app["environment"]["INKUBATORS_RULES_FOLLOW"] == "database"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert shlex.join(app["command"]).startswith("inkubators serve")
    assert compose["services"]["nightly"]["environment"]["INKUBATORS_SIGNING_KEY_FILE"]
