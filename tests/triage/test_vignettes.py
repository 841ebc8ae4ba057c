"""The open vignette set: no urgent case under-triaged, and the agreement the report shows."""

import pytest

from tests.triage.vignettes import AGE_BANDS, load
from triage import suggest

CASES = load()
MINIMUM_AGREEMENT = 0.85


def test_the_set_covers_every_level_and_age_band_with_a_basis():
    assert len(CASES) >= 150
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.expected for case in CASES} == {1, 2, 3, 4, 5}
    assert {case.age_band for case in CASES} == {label for _, label in AGE_BANDS}
    assert all(case.basis for case in CASES)
    spanish = [c for c in CASES if "-es-" in c.id or c.id.endswith("-es")]  # naming convention
    assert len(spanish) >= 15
    assert any(case.input.vitals is None for case in CASES)  # phone intake only
    assert any(case.input.findings for case in CASES)  # nurse findings


@pytest.mark.parametrize("case", [c for c in CASES if c.expected <= 2], ids=lambda c: c.id)
def test_no_level_1_or_2_case_is_under_triaged(case):
    result = suggest(case.input)
    assert result.level <= case.expected, [(r.rule, r.triggers) for r in result.reasons]


def test_exact_agreement():
    exact = sum(1 for case in CASES if suggest(case.input).level == case.expected)
    assert exact / len(CASES) >= MINIMUM_AGREEMENT
