"""The workbench from the command line on the demo: a user's work, mentors assigned in
bulk with each case's outcome, and a cycle's budget."""

from __future__ import annotations

from tests.integration.test_cli import Cli, cli, demo_db  # noqa: F401  (the fixtures)


def test_case_work_lists_only_the_mentors_open_cases_most_urgent_first(cli: Cli) -> None:  # noqa: F811
    everyone = cli("case", "work", "--as", "ilze")
    assert everyone.exit_code == 0, everyone.output
    rows = [line for line in everyone.stdout.splitlines() if "next:" not in line]
    assert len(rows) == 8  # 11 pilot cases, 3 with their outcome recorded
    assert all("OVERDUE" in row for row in rows)  # as of today, the 2023 pilot is long due
    days = [int(row.rsplit("OVERDUE ", 1)[1].rstrip("d")) for row in rows]
    assert days == sorted(days, reverse=True)
    assert "next: submit: no application submitted inside its call window" in everyone.stdout
    janis = cli("case", "work", "--as", "janis", "--lang", "lv")
    mine = [line for line in janis.stdout.splitlines() if "next:" not in line]
    assert 0 < len(mine) < len(rows)
    assert "Centra MARTA Liepājas nodibinājums" in janis.stdout
    assert "next: record_outcome: 1 iesniegtais pieteikums gaida lēmumu" in janis.stdout


def test_case_assign_mentor_says_each_cases_outcome(cli: Cli) -> None:  # noqa: F811
    out = cli("case", "assign-mentor", "anna", "8", "999", "--as", "ilze")
    assert out.exit_code == 1
    assert out.stdout.splitlines() == [
        "    8  assigned  Zaļo un Viedo Tehnoloģiju klasteris",
        "  999  refused: case 999 not found",
    ]
    assert "mentor: anna" in cli("case", "show", "8").stdout
    refused = cli("case", "assign-mentor", "anna", "8", "--as", "janis")
    assert refused.exit_code == 1
    assert "'assign_mentor' is not allowed for role 'mentor'" in refused.stderr


def test_budget_prints_the_pilots_figures(cli: Cli) -> None:  # noqa: F811
    out = cli("budget", "1")
    assert out.exit_code == 0, out.output
    assert "spent      EUR 4625.00 (46.25%)\n" in out.stdout
    assert "remaining  EUR 5375.00\n" in out.stdout
    assert "committed  EUR 9250.00\n" in out.stdout
    assert cli("budget", "99").stderr == "error: cycle 99 not found\n"
