"""The open vignette set (vignettes_*.toml in this folder), read into engine inputs."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from triage import TriageInput, Vitals

HERE = Path(__file__).parent
AGE_UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}
VITAL_KEYS = {
    "hr": "heart_rate",
    "rr": "respiratory_rate",
    "spo2": "spo2",
    "o2": "oxygen_l_min",
    "sbp": "systolic",
    "dbp": "diastolic",
    "temp": "temperature_c",
    "pain": "pain",
    "avpu": "avpu",
    "gcs": "gcs",
    "glucose": "glucose_mg_dl",
}
# Age bands for reporting agreement (oldest age in days, inclusive).
AGE_BANDS = (
    (28, "0-28 days"),
    (364, "29 days to 1 year"),
    (3 * 365 - 1, "1 to 3 years"),
    (8 * 365 - 1, "3 to 8 years"),
    (18 * 365 - 1, "8 to 18 years"),
    (65 * 365 - 1, "18 to 65 years"),
    (None, "65 years and over"),
)


@dataclass(frozen=True)
class Vignette:
    id: str
    age: str
    input: TriageInput
    expected: int
    basis: str

    @property
    def age_band(self) -> str:
        days = self.input.age_days
        return next(label for oldest, label in AGE_BANDS if oldest is None or days <= oldest)


def age_days(age: str) -> int:
    return int(age[:-1]) * AGE_UNITS[age[-1]]


def load() -> tuple[Vignette, ...]:
    cases = []
    for path in sorted(HERE.glob("vignettes_*.toml")):
        with path.open("rb") as handle:
            cases.extend(_vignette(case) for case in tomllib.load(handle)["case"])
    return tuple(cases)


def _vignette(case: dict) -> Vignette:
    vitals = case.get("vitals")
    inp = TriageInput(
        age_days=age_days(case["age"]),
        sex=case["sex"],
        chief_complaint=case.get("complaint", ""),
        symptoms=frozenset(case.get("symptoms", ())),
        findings=frozenset(case.get("findings", ())),
        pain_score=case.get("pain"),
        pregnant=case.get("pregnant"),
        pregnancy_weeks=case.get("weeks"),
        medications=case.get("medications", ""),
        conditions=case.get("conditions", ""),
        onset=case.get("onset", ""),
        vitals=Vitals(**{VITAL_KEYS[k]: v for k, v in vitals.items()}) if vitals else None,
    )
    return Vignette(case["id"], case["age"], inp, case["expected"], case["basis"])
