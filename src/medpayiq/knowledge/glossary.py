"""The glossary of CMS short-descriptor abbreviations, and plain-English explanations built from it.

CMS squeezes every CPT/HCPCS descriptor into 28 characters ("Njx interlaminar lmbr/sac"), so a
biller reading the fee schedule meets hundreds of abbreviations. This module keeps them in one
maintained table and reads a descriptor back into words:

    >>> explain("Njx interlaminar lmbr/sac").text
    'An injection between the laminae (interlaminar) in the lumbar or sacral spine.'

The explanation says only what the descriptor says. Facts the descriptor leaves out (62323
includes imaging guidance, 62322 does not) belong to a policy pack, whose wording replaces this
explanation on the code page. Tokens the glossary does not know are kept as written, and the
result says which they were, so a reader can tell a full reading from a partial one.

Pure: no I/O. To extend the glossary, add to `ABBREVIATIONS` (one token, lower case) or to
`PHRASES` (a pattern over the lower-cased descriptor, tried first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ABBREVIATIONS", "PHRASES", "Explanation", "Term", "expand_token", "explain"]

# Spinal and body regions: a pair written "a/b" reads "in the a or b spine" when both are here.
SPINE_REGIONS: dict[str, str] = {
    "crv": "cervical",
    "cerv": "cervical",
    "c": "cervical",
    "thrc": "thoracic",
    "thor": "thoracic",
    "t": "thoracic",
    "lmbr": "lumbar",
    "lumb": "lumbar",
    "lum": "lumbar",
    "l": "lumbar",
    "sac": "sacral",
    "s": "sacral",
}

# Multi-word readings, tried on the lower-cased descriptor before single tokens. The value
# replaces the whole match; keep them specific (they win over the token table).
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\boffice o/p new\b", "office or other outpatient visit for a new patient"),
    (r"\boffice o/p est\b", "office or other outpatient visit for an established patient"),
    (r"\bnjx interlaminar\b", "injection between the laminae (interlaminar)"),
    (r"\binj(?:ection)? interlaminar\b", "injection between the laminae (interlaminar)"),
    (r"\baa&/strd\b", "of anesthetic agent and/or steroid"),
    (r"\btfrm epi\b", "through the foramen into the epidural space (transforaminal)"),
    (r"\btfrml epi\b", "through the foramen into the epidural space (transforaminal)"),
    (r"\bparavert f jnt\b", "into the paravertebral facet joint"),
    (r"\bo/p\b", "outpatient"),
    (r"\bi/p\b", "inpatient"),
    (r"\bw/o\b", "without"),
    (r"\bw/(?=\S)", "with "),
    (r"\bw/(?=\s|$)", "with"),
    (r"\b&/", " and/or "),
    (r"\bx-ray\b", "X-ray"),
    (r"\bfluoroguide\b", "fluoroscopic guidance"),
    (r"\bspi pnxr\b", "spinal puncture"),
    (r"\bfscl pln blk\b", "fascial plane block"),
    (r"\bgent&per\b", "genitalia and perineum"),
    (r"\bi&d\b", "incision and drainage"),
    (r"\bb9\+marg\b", "benign lesion plus margins"),
    (r"\bmal\+mrg\b", "malignant lesion plus margins"),
    (r"\be/m\b", "evaluation and management"),
    (r"\bh/n\b", "head and neck"),
    (r"\b1yr/>", "age 1 year or older"),
    (r"(?<=\S)/<(?=\s|$)", " or less"),
    (r"(?<=\S)/>(?=\s|$)", " or more"),
    (r"\b1 lev\b", "at one level"),
    (r"\b(\d+) lev\b", r"at \1 levels"),
    (r"(?<=/[a-z]) 1$", ", single level"),
    (r"(?<=/[a-z]) ea$", ", each additional level"),
    (r"\bsf (\d+) min\b", r"(straightforward medical decision making, or \1 minutes or more)"),
    (r"\blow (\d+) min\b", r"(low medical decision making, or \1 minutes or more)"),
    (r"\bmod (\d+) min\b", r"(moderate medical decision making, or \1 minutes or more)"),
    (r"\bhi (\d+) min\b", r"(high medical decision making, or \1 minutes or more)"),
)

# One token (lower case, as it appears between spaces or slashes) -> its reading.
ABBREVIATIONS: dict[str, str] = {
    "&": "and",
    "+": "plus",
    "1st": "first",
    "2nd": "second",
    "3d": "three-dimensional",
    "aa": "anesthetic agent",
    "abd": "abdominal",
    "abltj": "ablation",
    "abscs": "abscess",
    "acet": "acetonide",
    "addl": "additional",
    "adj": "adjacent",
    "admn": "administration",
    "admin": "administration",
    "agrft": "allograft",
    "alys": "analysis",
    "amnt": "amount",
    "amp": "amputation",
    "anes": "anesthesia for",
    "angio": "angiography",
    "ant": "anterior",
    "antb": "antibody",
    "appl": "application",
    "arthrd": "arthrodesis (fusion)",
    "arthrs": "arthroscopy",
    "arthrscpc": "arthroscopic",
    "asmt": "assessment",
    "assmt": "assessment",
    "aud": "audiologic",
    "aux": "auxiliary",
    "b1": "bone",
    "bi": "bilateral",
    "bilat": "bilateral",
    "bld": "blood",
    "blk": "block",
    "bpg": "bypass graft",
    "brst": "breast",
    "bx": "biopsy",
    "byp": "bypass",
    "ca": "cancer",
    "cath": "catheter",
    "ccm": "chronic care management",
    "chemo": "chemotherapy",
    "cltx": "culture",
    "clsd": "closed",
    "clav": "clavicle",
    "clin": "clinical",
    "coll": "collection of",
    "comp": "comprehensive",
    "compl": "complete",
    "cplx": "complex",
    "consltj": "consultation",
    "cntrst": "contrast",
    "crnec": "craniectomy",
    "crnot": "craniotomy",
    "csf": "cerebrospinal fluid",
    "ct": "CT",
    "cv": "cardiovascular",
    "cytopath": "cytopathology",
    "dcmprn": "decompression",
    "dev": "device",
    "dgtz": "digitization",
    "diag": "diagnostic",
    "dislc": "dislocation",
    "dncs": "dynamic",
    "doc": "documented",
    "docd": "documented",
    "drg": "drug",
    "dx": "diagnostic",
    "ea": "each",
    "echo": "echocardiography",
    "ecg": "electrocardiogram",
    "egd": "upper GI endoscopy (esophagogastroduodenoscopy)",
    "elec": "electronic",
    "eltrd": "electrode",
    "elvtn": "elevation",
    "emg": "electromyography",
    "endo": "endoscopic",
    "epdrl": "epidural",
    "esoph": "esophagus",
    "esrd": "end-stage renal disease",
    "est": "established patient",
    "eval": "evaluation",
    "evasc": "endovascular",
    "evl": "evaluation",
    "evsc": "endovascular",
    "exc": "excision",
    "exam": "examination",
    "ext": "external",
    "f": "facet",
    "fb": "foreign body",
    "fcl": "facial",
    "fem": "femoral",
    "fix": "fixation",
    "fluor": "fluoroscopy",
    "fx": "fracture",
    "gen": "generator",
    "gi": "gastrointestinal",
    "grf": "graft",
    "grft": "graft",
    "hep": "hepatitis",
    "hlth": "health",
    "hmtm": "hematoma",
    "hosp": "hospital",
    "hr": "hour",
    "hrt": "heart",
    "hx": "history",
    "ia": "intra-arterial",
    "icr": "intracranial",
    "im": "intramuscular",
    "img": "imaging guidance",
    "impl": "implant",
    "implt": "implant",
    "incal": "including",
    "init": "initial",
    "inj": "injection",
    "inject": "injection",
    "ins": "insertion",
    "insj": "insertion",
    "integ": "integumentary",
    "interrog": "interrogation",
    "intraop": "intraoperative",
    "invas": "invasive",
    "iv": "intravenous",
    "ip": "inpatient",
    "obs": "observation",
    "sf": "straightforward",
    "jnt": "joint",
    "jt": "joint",
    "lap": "laparoscopic",
    "laparo": "laparoscopic",
    "les": "lesion",
    "lig": "ligation",
    "lmtd": "limited",
    "loclzj": "localization",
    "lwr": "lower",
    "maj": "major",
    "mcrscp": "microscopic",
    "med": "medication",
    "mgmt": "management",
    "min": "minutes",
    "mins": "minutes",
    "mlt": "multiple",
    "mnpj": "manipulation",
    "mntr": "monitoring",
    "mo": "month",
    "mod": "moderate",
    "modf": "modified",
    "mri": "MRI",
    "mult": "multiple",
    "musc": "muscle",
    "myocrd": "myocardial",
    "ndl": "needle",
    "ndsc": "endoscopic",
    "nerv": "nerve",
    "njx": "injection",
    "nck": "neck",
    "nfs": "infusion",
    "nos": "not otherwise specified",
    "nrv": "nerve",
    "nsl": "nasal",
    "ntroral": "intraoral",
    "ntrorl": "intraoral",
    "nuc": "nuclear medicine",
    "onc": "oncology",
    "oph": "ophthalmic",
    "opn": "open",
    "ost": "osteotomy",
    "perc": "percutaneous",
    "perm": "permanent",
    "perq": "percutaneous",
    "ped": "pediatric",
    "phys": "physician",
    "plmt": "placement",
    "plstc": "plastic",
    "pm": "pacemaker",
    "pnxr": "puncture",
    "pos": "position",
    "post": "posterior",
    "preop": "preoperative",
    "prev": "preventive",
    "proc": "procedure",
    "prosth": "prosthesis",
    "prq": "percutaneous",
    "prst8": "prostate",
    "prtl": "partial",
    "pst": "posterior",
    "pt": "patient",
    "pts": "patients",
    "ptrunk": "posterior trunk",
    "pulm": "pulmonary",
    "px": "procedures on",
    "qhp": "qualified health care professional",
    "quan": "quantitative",
    "quant": "quantitative",
    "rad": "radical",
    "rcnstj": "reconstruction",
    "rcnstv": "reconstructive",
    "rem": "remote",
    "rep": "repair",
    "rescj": "resection",
    "resp": "respiratory",
    "revj": "revision",
    "revsc": "revascularization",
    "rmv": "removal",
    "rmvl": "removal",
    "rpr": "repair",
    "rplcmt": "replacement",
    "rtrphrng": "retropharyngeal",
    "rx": "drug",
    "scr": "screening",
    "scrn": "screening",
    "sft": "soft",
    "sgm": "segment",
    "sins": "sinus",
    "skl": "skull",
    "skn": "skin",
    "sm": "small",
    "smpl": "simple",
    "spi": "spinal",
    "sq": "subcutaneous",
    "srg": "surgery",
    "strd": "steroid",
    "subq": "subcutaneous",
    "surg": "surgery",
    "svc": "service",
    "sys": "system",
    "tcat": "transcatheter",
    "tfrm": "transforaminal",
    "tfrml": "transforaminal",
    "ther": "therapeutic",
    "thxpy": "therapy",
    "tis": "tissue",
    "tiss": "tissue",
    "tot": "total",
    "trach": "trachea",
    "trnspl": "transplant",
    "trnsvns": "transvenous",
    "tst": "test",
    "tum": "tumor",
    "tx": "treatment",
    "uni": "unilateral",
    "unil": "unilateral",
    "upr": "upper",
    "us": "ultrasound guidance",
    "vac": "vaccine",
    "vacc": "vaccine",
    "vag": "vaginal",
    "vert": "vertebral",
    "vitreortnl": "vitreoretinal",
    "vn": "vein",
    "vrt": "vertebral",
    "vsl": "vessel",
    "vst": "visit",
    "vws": "views",
    "wks": "weeks",
    "wo": "without",
    "xtr": "extremity",
    "yr": "year",
    "yrs": "years",
}
# Grown from the tokens the glossary could not read in RVU26C's short descriptors, most
# frequent first; only readings whose meaning in a CMS descriptor is not in doubt.
ABBREVIATIONS.update(
    {
        "dbrdmt": "debridement",
        "xtrnl": "external",
        "gent": "genitalia",
        "art": "artery",
        "dna": "DNA",
        "rna": "RNA",
        "hiv": "HIV",
        "hcv": "hepatitis C virus",
        "hpv": "HPV",
        "rbc": "red blood cell",
        "wbc": "white blood cell",
        "hgb": "hemoglobin",
        "bp": "blood pressure",
        "eeg": "EEG (brain wave test)",
        "hla": "HLA",
        "pet": "PET",
        "tmj": "temporomandibular joint",
        "sup": "superficial",
        "hcl": "hydrochloride",
        "max": "maximum",
        "ag": "antigen",
        "sc": "subcutaneous",
        "dir": "direct",
        "vad": "ventricular assist device",
        "mal": "malignant",
        "mr": "MR",
        "rev": "revision",
        "cst": "cast",
        "sho": "shoulder",
        "imp": "implant",
        "std": "standard",
        "oth": "other",
        "phy": "physician",
        "noc": "not otherwise classified",
        "rsk": "risk",
        "mon": "monitoring",
        "seq": "sequencing",
        "av": "arteriovenous",
        "bk": "below knee",
        "bhv": "behavior",
        "id": "identification",
        "vol": "volume",
        "ed": "emergency department",
        "enc": "encounter",
        "tc99m": "technetium Tc-99m",
        "lng": "lung",
        "ulc": "ulcer",
        "dup": "duplex",
        "ig": "immune globulin",
        "90d": "90 days",
        "30d": "30 days",
        "cap": "capsule",
        "mdm": "medical decision making",
        "em": "evaluation and management",
        "hum": "humerus",
        "rf": "radiofrequency",
        "wnd": "wound",
        "bdy": "body",
        "dig": "digital",
        "req": "requiring",
        "fam": "family",
        "sol": "solution",
        "n-invas": "noninvasive",
        "agt": "agent",
        "ab": "antibody",
        "gdn": "guidance",
        "lvl": "level",
        "fna": "fine needle aspiration",
        "inc": "incision",
        "op": "operative",
        "bef": "before",
        "vid": "video",
        "grp": "group",
        "dm": "diabetes mellitus",
        "b9": "benign",
        "neg": "negative",
        "chd": "child",
        "srv": "service",
        "adm": "administration",
        "bmi": "body mass index",
        "ing": "inguinal",
        "lv": "left ventricle",
        "flu": "influenza",
        "flx": "flexor",
        "seg": "segment",
        "o2": "oxygen",
        "aly": "analysis",
        "fac": "facility",
        "prb": "probe",
        "dc": "discharge",
        "pat": "patient",
        "vis": "visual",
        "pln": "plane",
        "fld": "fluid",
        "hf": "heart failure",
        "rt": "right",
        "lt": "left",
        "iop": "intraocular pressure",
        "hrn": "hernia",
        "ob": "obstetric",
        "mdd": "major depressive disorder",
        "flp": "flap",
        "def": "defect",
        "del": "deletion",
        "rsv": "RSV",
        "pap": "Pap",
        "rnl": "renal",
        "kne": "knee",
        "lam": "laminectomy",
        "lsr": "laser",
        "don": "donor",
        "hrs": "hours",
        "lg": "large",
        "exp": "exploration",
        "cta": "CT angiography",
        "sed": "sedation",
        "sod": "sodium",
        "ven": "venous",
        "rpl": "replace",
        "xtn": "extension",
        "dst": "distal",
        "bil": "bilateral",
        "atr": "atrial",
        "lat": "lateral",
        "pel": "pelvis",
        "tib": "tibia",
        "fib": "fibula",
        "ltc": "long-term care",
        "mgt": "management",
        "dxa": "DXA (bone density scan)",
        "fu": "follow-up",
        "non-comp": "non-complex",
        "add-on": "add-on",
        "follow-up": "follow-up",
        "audio-only": "audio-only",
        "audio-video": "audio-video",
        "x-rays": "X-rays",
        "hd": "hemodialysis",
        "cll": "chronic lymphocytic leukemia",
        ">": "more than",
        "<": "less than",
        ">=": "at least",
        "<=": "at most",
    }
)
ABBREVIATIONS.update({k: f"{v} spine" for k, v in SPINE_REGIONS.items() if len(k) > 1})

# Words that start a descriptor as a noun ("Njx ..." -> "An injection ...").
_NOUN_STARTS = frozenset(
    {
        "injection", "removal", "repair", "biopsy", "excision", "insertion", "evaluation",
        "examination", "treatment", "drainage", "incision", "replacement", "revision", "fusion",
        "puncture", "ablation", "application", "destruction", "placement", "x-ray", "ct", "mri",
        "ultrasound", "assessment", "screening", "collection", "office",
        "consultation", "analysis", "amputation", "reconstruction", "decompression",
    }
)  # fmt: skip

_TOKEN = re.compile(r"[^\s]+")
_UNIT = re.compile(
    r"^(\d+(\.\d+)?|\.\d+)?(mg|ml|mcg|cm|mm|g|kg|u|iu|min|mins|m|d|hr|hrs|mo|yr|yrs|sq)$"
)
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")

# Ordinary short words kept as they are.
_PLAIN = frozenset(
    {
        "of",
        "for",
        "on",
        "in",
        "and",
        "or",
        "the",
        "to",
        "by",
        "with",
        "at",
        "per",
        "any",
        "one",
        "two",
        "all",
        "new",
        "low",
        "high",
        "not",
        "only",
        "each",
        "up",
        "day",
        "arm",
        "leg",
        "eye",
        "ear",
        "hip",
        "toe",
        "jaw",
        "dye",
        "bone",
        "skin",
        "cyst",
        "drug",
        "test",
    }
)


@dataclass(frozen=True)
class Term:
    """An abbreviation found in a descriptor and how the glossary reads it."""

    abbreviation: str
    meaning: str


@dataclass(frozen=True)
class Explanation:
    """A descriptor read into words. `unknown` lists tokens the glossary did not expand (kept
    as written); `terms` the abbreviations it did, for a "terms used" list on the page."""

    descriptor: str
    text: str
    terms: tuple[Term, ...]
    unknown: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.unknown


def expand_token(token: str) -> str | None:
    """The reading of one lower-case token, or None when the glossary does not know it."""
    return ABBREVIATIONS.get(token.lower())


def _spine_pair(token: str) -> str | None:
    """ "lmbr/sac" -> "in the lumbar or sacral spine"; None unless every part is a region."""
    parts = token.lower().split("/")
    if len(parts) < 2 or not all(p in SPINE_REGIONS for p in parts):
        return None
    names = [SPINE_REGIONS[p] for p in parts]
    return f"in the {' or '.join(names)} spine"


def _read_token(token: str, terms: list[Term], unknown: list[str]) -> str:
    bare = token.strip(",;.()")
    if not bare:
        return token
    if (pair := _spine_pair(bare)) is not None:
        terms.append(Term(bare, pair))
        return pair
    if (meaning := expand_token(bare)) is not None:
        if meaning.lower() != bare.lower():
            terms.append(Term(bare, meaning))
        return meaning
    if "/" in bare and all(p for p in bare.split("/")):
        # "Drain/inj" -> "drainage or injection": read each side, join with "or".
        sides = [_read_token(p, terms, unknown) for p in bare.split("/")]
        return " or ".join(sides)
    if _UNIT.match(bare.lower()):
        return bare  # a quantity ("10 mg", "1ml", "15min") reads as written
    if "&" in bare and all(expand_token(p) or p.lower() in _PLAIN for p in bare.split("&") if p):
        sides = [_read_token(p, terms, unknown) for p in bare.split("&") if p]
        return " and ".join(sides)
    if bare.lower() in _PLAIN or (bare.isalpha() and len(bare) > 3):
        return bare.lower() if not bare.isupper() else bare  # an ordinary word ("epidural")
    if not bare.isdigit():
        unknown.append(bare)
    return bare


def _apply_phrases(text: str, terms: list[Term], readings: list[str]) -> str:
    """Replace each phrase by a placeholder token so its reading is not read again."""

    def keep(match: re.Match[str], reading: str) -> str:
        shown = match.expand(reading).strip()
        terms.append(Term(match.group(0).strip(), shown))
        readings.append(shown)
        return f" \x00{len(readings) - 1}\x00 "

    for pattern, reading in PHRASES:
        text = re.sub(pattern, lambda m, r=reading: keep(m, r), text)  # type: ignore[misc]
    return text


def _article(text: str) -> str:
    first = text.split(" ", 1)[0].lower()
    if first not in _NOUN_STARTS:
        return text[:1].upper() + text[1:]
    article = "An" if first[0] in "aeiou" or first in {"x-ray", "mri"} else "A"
    return f"{article} {text}"


def explain(descriptor: str) -> Explanation:
    """Read a CMS short descriptor into a plain-English sentence, from the glossary alone."""
    terms: list[Term] = []
    unknown: list[str] = []
    readings: list[str] = []
    text = _apply_phrases(" ".join(descriptor.lower().split()), terms, readings)
    words: list[str] = []
    for token in _TOKEN.findall(text):
        placeholder = _PLACEHOLDER.fullmatch(token)
        words.append(
            readings[int(placeholder.group(1))]
            if placeholder
            else _read_token(token, terms, unknown)
        )
    sentence = re.sub(r"\s+", " ", " ".join(w for w in words if w)).strip()
    sentence = re.sub(r"\s+([,)])", r"\1", sentence)
    if not sentence:
        return Explanation(descriptor, "", (), ())
    unique: dict[str, Term] = {}
    for term in terms:
        unique.setdefault(term.abbreviation, term)
    return Explanation(
        descriptor, _article(sentence) + ".", tuple(unique.values()), tuple(dict.fromkeys(unknown))
    )
