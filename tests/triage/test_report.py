"""docs/TRIAGE.md is generated: it must match what `make triage-report` writes now."""

from tests.triage import report


def test_committed_report_is_up_to_date():
    committed = report.REPORT.read_text(encoding="utf-8")
    assert committed == report.build(), "docs/TRIAGE.md is stale: run `make triage-report`"
