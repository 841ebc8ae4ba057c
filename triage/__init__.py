"""The triage suggestion engine (pure Python): Emergency Severity Index decision points as
rule tables a clinician can review."""

from triage.engine import (
    ENGINE_VERSION,
    RESOURCE_TYPES,
    SYMPTOM_CODES,
    SYMPTOMS,
    Reason,
    Suggestion,
    TriageInput,
    Vitals,
    danger_zone_reasons,
    suggest,
)

__all__ = [
    "ENGINE_VERSION",
    "RESOURCE_TYPES",
    "SYMPTOMS",
    "SYMPTOM_CODES",
    "Reason",
    "Suggestion",
    "TriageInput",
    "Vitals",
    "danger_zone_reasons",
    "suggest",
]
