"""Payment indicators, statuses and edit indicators in plain words (PPRRVU and NCCI
layouts; DOMAIN.md section 4), for the code page."""

from __future__ import annotations

STATUS_TEXT = {
    "A": "Active: paid on the fee schedule",
    "R": "Restricted coverage: paid on the fee schedule in special circumstances",
    "T": "Paid on the fee schedule only when no other service is paid the same day",
    "B": "Bundled: payment is included in another service; never paid separately",
    "C": "Carrier priced: your MAC sets the amount (no national amount)",
    "E": "Excluded from the fee schedule by regulation",
    "I": "Not valid for Medicare (another code is used)",
    "J": "Anesthesia service: paid by base and time units with the anesthesia conversion factor",
    "M": "Measurement code: reported for quality programs, not paid",
    "N": "Non-covered service",
    "P": "Bundled or excluded (no separate payment)",
    "X": "Statutory exclusion: not a physician service paid under the fee schedule",
}

GLOBAL_TEXT = {
    "000": (
        "0-day global: pre-operative care on the day of the procedure and same-day care "
        "are included; no post-operative days"
    ),
    "010": "10-day global: the day of the procedure and 10 days of follow-up care are included",
    "090": "90-day global: the day before, the day of, and 90 days of follow-up care are included",
    "MMM": "Maternity code: the usual global surgery rules do not apply",
    "XXX": "The global surgery concept does not apply",
    "YYY": "Your MAC sets the global period",
    "ZZZ": "Add-on code: part of the primary procedure's global period",
}
MULT_PROC_TEXT = {
    "0": "No multiple procedure reduction",
    "1": "Standard reduction before 1995 rules (not used now)",
    "2": (
        "Standard multiple surgery rule: the highest-paid procedure at 100%, each other "
        "at 50% (modifier 51)"
    ),
    "3": "Endoscopy family rule: the base endoscopy is counted once",
    "4": (
        "Diagnostic imaging rule: technical component 100%/50%, professional component "
        "5% off for later services"
    ),
    "5": "Therapy rule: 50% off the practice expense of later units",
    "6": "Cardiovascular imaging rule: technical component of later services 25% off",
    "7": "Ophthalmology rule: technical component of later services 20% off",
    "9": "Multiple procedure concept does not apply",
}
BILAT_TEXT = {
    "0": "Not a bilateral procedure: modifier 50 pays nothing extra (100%)",
    "1": "Bilateral: modifier 50 (or RT+LT) pays 150% of the amount",
    "2": "RVUs already cover both sides: modifier 50 pays 100%",
    "3": "Each side paid as a separate procedure: 100% per side",
    "9": "Bilateral concept does not apply",
}
ASST_TEXT = {
    "0": "Assistant at surgery paid only with documentation of medical necessity",
    "1": "Assistant at surgery never paid",
    "2": "Assistant at surgery paid (modifiers 80/81/82: 16%; AS: 13.6%)",
    "9": "Assistant at surgery concept does not apply",
}
CO_SURG_TEXT = {
    "0": "Co-surgeons not allowed",
    "1": "Co-surgeons paid with documentation (modifier 62: 62.5% each)",
    "2": "Co-surgeons allowed (modifier 62: 62.5% each)",
    "9": "Co-surgeon concept does not apply",
}
TEAM_TEXT = {
    "0": "Team surgery not allowed",
    "1": "Team surgery paid with documentation (modifier 66, priced by report)",
    "2": "Team surgery allowed (modifier 66, priced by report)",
    "9": "Team surgery concept does not apply",
}
PCTC_TEXT = {
    "0": "No professional/technical split: modifiers 26 and TC do not apply",
    "1": "Professional (26) and technical (TC) components priced from their own rows",
    "2": "Professional component only",
    "3": "Technical component only",
    "4": "Global test only",
    "5": "Incident-to service",
    "6": "Laboratory physician interpretation",
    "7": "Physical therapy in a hospital setting: not payable",
    "8": "Physician interpretation of an abnormal smear",
    "9": "Professional/technical concept does not apply",
}
MAI_TEXT = {
    "1": (
        "line edit: units above the limit on one line are denied; extra units on "
        "separate lines with 76/77/91 or anatomic modifiers may pass"
    ),
    "2": (
        "absolute date-of-service limit set by policy: units above it are denied and an "
        "appeal does not change that"
    ),
    "3": (
        "date-of-service limit from clinical data: units above it are denied but can be "
        "appealed with medical records"
    ),
}
MOD_IND_TEXT = {
    "0": "never allowed together: no modifier bypasses the edit",
    "1": (
        "allowed only with an NCCI-associated modifier (59, XE, XS, XP, XU, ...) when "
        "the record shows a distinct service"
    ),
    "9": "edit not applicable (deleted retroactively)",
}

# The modifier picker of the code page: the modifiers that change a physician fee schedule
# amount, in the order billers meet them (DOMAIN.md section 4).
MODIFIER_CHOICES: tuple[tuple[str, str], ...] = (
    ("26", "26 professional component"),
    ("TC", "TC technical component"),
    ("50", "50 bilateral procedure"),
    ("51", "51 multiple procedures"),
    ("62", "62 co-surgeons"),
    ("80", "80 assistant at surgery"),
    ("81", "81 minimum assistant at surgery"),
    ("82", "82 assistant (no qualified resident)"),
    ("AS", "AS non-physician assistant at surgery"),
    ("52", "52 reduced services"),
    ("53", "53 discontinued procedure"),
    ("54", "54 surgical care only"),
    ("55", "55 post-operative care only"),
    ("56", "56 pre-operative care only"),
    ("66", "66 team surgery"),
)

# ICD-10-CM headers that billing guides commonly offer for codes of a policy pack region, so
# the diagnosis answer can warn about them by name (the seed billing guides list these).
_HEADERS_OFTEN_OFFERED: dict[str, tuple[str, ...]] = {
    "lumbar_sacral": ("M48.06", "M54.5"),
    "cervical_thoracic": ("M50.12",),
}
