"""Solace's triage suggestion engine: ESI decision points A-D as reviewable rule tables.

Pure Python, no Django: the app imports what it needs from here. The engine only suggests;
the triage nurse always decides. See triage/README.md and docs/TRIAGE.md.
"""

from triage.engine import (
    ENGINE_VERSION,
    Reason,
    Suggestion,
    TriageInput,
    Vitals,
    danger_zone,
    suggest,
    suggestion_from_dict,
)
from triage.rules import RESOURCE_RULES, RULE_IDS, RULES, Rule
from triage.vocabulary import (
    AVPU,
    COMPANION_SYMPTOMS,
    FINDING_CODES,
    LABELS,
    MORE_SYMPTOMS,
    NURSE_FINDINGS,
    RESOURCE_LABELS,
    RESOURCE_TYPES,
    SYMPTOM_CODES,
    SYMPTOMS,
)

__all__ = [
    "AVPU",
    "COMPANION_SYMPTOMS",
    "ENGINE_VERSION",
    "FINDING_CODES",
    "LABELS",
    "MORE_SYMPTOMS",
    "NURSE_FINDINGS",
    "RESOURCE_LABELS",
    "RESOURCE_RULES",
    "RESOURCE_TYPES",
    "RULES",
    "RULE_IDS",
    "SYMPTOMS",
    "SYMPTOM_CODES",
    "Reason",
    "Rule",
    "Suggestion",
    "TriageInput",
    "Vitals",
    "danger_zone",
    "suggest",
    "suggestion_from_dict",
]
