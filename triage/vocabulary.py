"""Codes and English labels the app shows: symptoms, nurse findings, resource types.

Labels are marked with `_`, a no-op, so that Django's makemessages extracts them while this
package stays free of Django; the app translates a label when it renders it (gettext(label)).
Labels kept from the previous engine are worded exactly as before, so their existing Spanish
translations in locale/es still apply.
"""


def _(message: str) -> str:
    """Mark a label for translation (extracted by makemessages; translated by the app)."""
    return message


AVPU = ("A", "V", "P", "U")  # alert, responds to voice, responds to pain, unresponsive
SEXES = frozenset({"female", "male", "other", "unknown"})
ONSETS = frozenset({"", "under_1h", "today", "1_3_days", "4_7_days", "over_week"})

# Patient-reportable checkboxes, most urgent first. Plain, calm words. The form is short on
# purpose (23 items); the free-text complaint carries everything else.
SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("chest_pain", _("Chest pain or pressure")),
    ("trouble_breathing", _("Trouble breathing")),
    ("face_droop", _("One side of the face is drooping")),
    ("arm_weakness", _("Sudden weakness in an arm or leg")),
    ("speech_difficulty", _("Sudden trouble speaking")),
    ("severe_bleeding", _("Heavy bleeding that will not stop")),
    ("fainting", _("Fainted or passed out")),
    ("seizure", _("Had a seizure")),
    ("self_harm", _("Thoughts of harming yourself")),
    ("allergic_swelling", _("Allergic reaction with swelling of the face, lips or throat")),
    ("pregnant_pain_bleeding", _("Pregnant with pain or bleeding")),
    ("confusion", _("New confusion or unusual drowsiness")),
    ("high_fever", _("High fever")),
    ("head_injury", _("Head injury")),
    ("abdominal_pain", _("Stomach or belly pain")),
    ("vomiting", _("Vomiting")),
    ("cough", _("Cough")),
    ("limb_injury", _("Injury to an arm or leg")),
    ("wound", _("A cut or wound that may need stitches")),
    ("headache", _("Headache")),
    ("urinary_pain", _("Pain when passing urine")),
    ("back_pain", _("Back pain")),
    ("medication_refill", _("Need a prescription refill")),
)

# Only someone registering FOR the patient can report these (the patient could not).
COMPANION_SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("not_breathing", _("Not breathing")),
    ("unresponsive", _("Very hard to wake or not responding")),
    ("severe_breathing", _("Struggling to breathe, cannot speak in full sentences")),
)

# Codes that were patient checkboxes before the form was shortened. Stored records use them and
# a nurse may still record them, so they stay valid codes with labels; the form no longer shows
# them (free text such as "sore throat" or "me duele el oído" reaches the same concepts).
MORE_SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("diarrhea", _("Diarrhea")),
    ("sore_throat", _("Sore throat")),
    ("rash", _("Rash")),
    ("eye_problem", _("Eye problem")),
    ("ear_pain", _("Ear pain")),
    ("dizziness", _("Dizziness")),
)

# Observed by a nurse (never shown to patients). A nurse may also record any symptom code above:
# the same code fires the same rules whoever records it.
NURSE_FINDINGS: tuple[tuple[str, str], ...] = (
    ("agonal_breathing", _("Agonal or gasping breathing, or apnoea")),
    ("airway_compromise", _("Airway at risk: stridor at rest, drooling, throat swelling")),
    ("active_seizure", _("Seizure now, or repeated seizures without recovery")),
    ("respiratory_distress", _("Working hard to breathe: retractions, accessory muscles")),
    ("pale_cool_clammy", _("Pale, cool, clammy or mottled skin")),
    ("delayed_capillary_refill", _("Capillary refill longer than 3 seconds")),
    ("altered_mental_status", _("New confusion, lethargy or disorientation")),
    ("petechial_rash", _("Non-blanching (petechial or purpuric) rash")),
    ("stiff_neck", _("Stiff neck")),
    ("deformity", _("Deformed limb or suspected dislocation")),
    ("cannot_bear_weight", _("Cannot bear weight")),
)

SYMPTOM_CODES: frozenset[str] = frozenset(
    code for code, _label in SYMPTOMS + COMPANION_SYMPTOMS + MORE_SYMPTOMS
)
FINDING_CODES: frozenset[str] = SYMPTOM_CODES | {code for code, _label in NURSE_FINDINGS}
LABELS: dict[str, str] = dict(SYMPTOMS + COMPANION_SYMPTOMS + MORE_SYMPTOMS + NURSE_FINDINGS)

# ESI counts resource TYPES: two blood tests are still one "labs". Not resources: history and
# examination, oral medication, tetanus, prescription refill, simple dressing, splint or sling,
# point-of-care tests (urine dipstick, rapid strep, fingerstick glucose, pregnancy test).
RESOURCE_TYPES: tuple[str, ...] = (
    "labs",
    "ecg",
    "imaging",
    "iv",  # IV fluids, or IV, IM or nebulised medication
    "consult",  # specialty consultation
    "procedure",  # simple procedure: laceration repair, urinary catheter, nasal packing
    "complex_procedure",  # e.g. procedural sedation for a reduction; counts as two resources
)
RESOURCE_LABELS: dict[str, str] = {
    "labs": _("Lab tests"),
    "ecg": _("ECG"),
    "imaging": _("Imaging"),
    "iv": _("IV fluids or IV/IM/nebulised medication"),
    "consult": _("Specialty consult"),
    "procedure": _("Simple procedure"),
    "complex_procedure": _("Complex procedure (counts as two)"),
}
