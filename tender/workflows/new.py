"""`tender new`'s twin: scaffold a new tender's definition, bids file and report narrative.

`new(name, root)` writes `criteria/<name>.yaml` (every section of the definition, every
optional key shown with its unit and default), `bids/<name>/bids.csv` (the header only)
and `criteria/<name>.narrative.md` (every heading the report reads). Facts the tool cannot
know are obvious placeholders, `[TO COMPLETE: ...]`, never plausible inventions; numbers
the definition needs before it loads (weights, the scale) are neutral and marked TO DECIDE.

Nothing is ever overwritten: every target that exists already is named and nothing is
written. The files are plain ASCII with "\\n" line endings, written as bytes (no newline
translation on Windows) atomically through the write gate; if a later write fails, the
files this run created are removed again, so a second attempt is not refused by half a
scaffold.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from ..errors import Problem, TenderError, TenderInputError
from ..files import Gate, OutputRefused, kind_of, os_errors, shown_name, shown_path, write_atomic
from ..model import ID_PATTERN, SUPPLIER_COLUMNS

PLACEHOLDER = "[TO COMPLETE"
PRICE_COLUMN = "price"
REQUIREMENT_COLUMN = "requirement_r1"
# the supplier columns are optional; under pa2023 the letters need address, email and identifier
BIDS_HEADER = ("bidder_id", "bidder", PRICE_COLUMN, REQUIREMENT_COLUMN, *SUPPLIER_COLUMNS)

# Names Windows keeps for devices, in any case and with any extension: `criteria/con.yaml`
# cannot be created there, so a tender named `con` could not be shared with a Windows user.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
SLUG = re.compile(ID_PATTERN)
EXPECTED_NAME = (
    "a tender name of 1-40 letters, digits, '-', '_' and '.', starting with a letter or "
    "digit (lower-case recommended), such as cleaning-2025"
)

NARRATIVE_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Background papers",
        "[TO COMPLETE: the unpublished papers the report relied on, one per bullet, or: None.]",
    ),
    ("Priorities", "- [TO COMPLETE: a corporate priority this contract serves, one per bullet]"),
    (
        "Purpose",
        "[TO COMPLETE: why the contract is being let, what it covers and what this report asks "
        "the decision-maker to approve.]",
    ),
    (
        "Background",
        "[TO COMPLETE: how the service is provided now, the previous contract and why it is "
        "being procured.]",
    ),
    (
        "Quality",
        "[TO COMPLETE: what the quality assessment concentrated on, and why. The criteria, "
        "weights and marks come from the evaluation; do not repeat them here.]",
    ),
    (
        "Clarification",
        "[TO COMPLETE: used when bids are near-tied: who was interviewed, when, what was "
        "clarified and whether any mark changed.]",
    ),
    (
        "Recommended bidder",
        "[TO COMPLETE: what the report may say about the recommended bidder, from its bid.]",
    ),
    (
        "Options",
        "[TO COMPLETE: the options considered (award to the recommended bidder, award to "
        "another, do not award), one paragraph each, with why each is or is not recommended.]",
    ),
    ("Preferred option", "[TO COMPLETE: the preferred option and the reasons for it.]"),
    ("Financial", "[TO COMPLETE: the budget, the contract's cost or income, and any shortfall.]"),
    ("Consultation", "[TO COMPLETE: who was consulted and what they said.]"),
    ("Next steps", "[TO COMPLETE: what happens once the decision is made, with dates.]"),
)
IMPLICATIONS: tuple[str, ...] = (
    "Impact on corporate priorities",
    "Risk management",
    "Financial",
    "Staffing",
    "Legal",
    "Privacy and data protection",
    "Equalities",
    "Environmental and sustainable development",
    "Procurement",
)


def new(name: str, root: str | Path = ".") -> list[Path]:
    """Scaffold tender `name` in the project folder `root`; the paths written, in order.

    Raises:
        TenderInputError: `name` is not a safe tender name.
        OutputRefused: a target exists already, or the write gate refuses it (a link, a
            folder linked out of `root`); each is named and nothing is written.
        TenderError: `root` is not a folder.
        FileSystemError: the operating system refused a write; nothing is left behind.
    """
    check_name(name)
    root = Path(root)
    if not root.is_dir():
        raise TenderError(f"{shown_name(str(root))}: found no folder; expected the project folder")
    files = scaffold_files(name, root)
    existing = [
        Problem(
            shown_path(path, root),
            "",
            _what_exists(path),
            "a new file: tender new never overwrites (choose another name, or move it away)",
        )
        for path in files
        if os.path.lexists(path)
    ]
    if existing:
        raise OutputRefused(existing)
    Gate(inputs=(), root=root).check(files)
    written: list[Path] = []
    made = [folder for folder in _folders(files) if not os.path.lexists(folder)]
    try:
        with os_errors(root, "write the new tender's files"):
            for path, data in files.items():
                write_atomic(path, data)
                written.append(path)
    except BaseException:
        _remove(written, made)
        raise
    return written


def check_name(name: str) -> None:
    """Refuse a tender name that is unsafe as a file name on any system.

    The alphabet is the definition's id alphabet (`model.ID_PATTERN`); a trailing dot (which
    Windows drops), a Windows device name (con, nul, com1, ...) and a name ending in .yaml
    are refused too.

    Raises:
        TenderInputError: naming what was found and what a name must be.
    """
    found: str | None = None
    expected = EXPECTED_NAME
    if not SLUG.fullmatch(name):  # not match(): "$" would let a final newline through
        found = repr(name)
    elif name.endswith("."):
        found, expected = f"{name!r}, ending in '.'", f"{expected} (Windows drops a final dot)"
    elif name.split(".")[0].lower() in WINDOWS_RESERVED:
        found = f"{name!r}, a name Windows keeps for a device"
        expected = f"{expected} (Windows cannot create files named con, nul, com1, lpt1, ...)"
    elif name.lower().endswith((".yaml", ".yml")):
        stem = name.rsplit(".", 1)[0]
        found, expected = f"{name!r}, a file name", f"the tender's name alone, such as {stem!r}"
    if found is not None:
        raise TenderInputError([Problem("NAME", "", shown_name(found), expected)])


def name_advice(name: str) -> list[str]:
    """Advice on a valid but unwise name (upper case), for the command to print."""
    if name != name.lower():
        return [
            f"{name!r} has capitals: lower-case names are recommended, because Windows and "
            f"macOS treat {name!r} and {name.lower()!r} as the same name"
        ]
    return []


def scaffold_files(name: str, root: Path) -> dict[Path, bytes]:
    """Each file `new` writes and its bytes (UTF-8, "\\n" line endings), in order."""
    criteria = root / "criteria"
    return {
        criteria / f"{name}.yaml": _encoded(definition_text(name)),
        root / "bids" / name / "bids.csv": _encoded(",".join(BIDS_HEADER) + "\n"),
        criteria / f"{name}.narrative.md": _encoded(narrative_text()),
    }


def _encoded(text: str) -> bytes:
    return text.encode("utf-8")


def _what_exists(path: Path) -> str:
    status = os.lstat(path)
    return kind_of(status.st_mode) or "an existing file"


def _folders(files: dict[Path, bytes]) -> list[Path]:
    """The folders the files go in, deepest first (the order to remove them in)."""
    folders = {parent for path in files for parent in path.parents}
    return sorted(folders, key=lambda p: len(p.parts), reverse=True)


def _remove(written: list[Path], made: list[Path]) -> None:
    """Undo a failed scaffold: the files it wrote, then the folders it made, if empty."""
    for path in written:
        with contextlib.suppress(OSError):
            os.unlink(path)
    for folder in made:
        with contextlib.suppress(OSError):  # a folder something else has filled stays
            os.rmdir(folder)


def narrative_text() -> str:
    """The narrative file: every heading the report reads, each with a placeholder."""
    parts = [
        "# [TO COMPLETE: title of the tender]: report narrative",
        "",
        'The officer\'s own words for the award recommendation report. Each "##" heading is a',
        "section the report looks up by name; paragraphs are separated by blank lines and lines",
        'starting "- " are bullet points. Replace every [TO COMPLETE: ...] with your own words;',
        "the report prints whatever is here. Scores, the recommendation, the panel, the method",
        "and Table 1 are not written here: the report takes them from the evaluation. Under",
        '"## Implications", each "###" item ends with a "Sign-off:" line naming who signed it off.',
    ]
    for heading, body in NARRATIVE_SECTIONS:
        parts += ["", f"## {heading}", "", body]
    parts += ["", "## Implications"]
    for item in IMPLICATIONS:
        parts += [
            "",
            f"### {item}",
            "",
            f"[TO COMPLETE: {item}: the recommendation's implications, or: None identified.]",
            "",
            "Sign-off: [TO COMPLETE: the role that signs off this implication]",
        ]
    return "\n".join(parts) + "\n"


def definition_text(name: str) -> str:
    """The definition: every section, every optional key with its unit and default."""
    return DEFINITION.replace("@NAME@", name)


DEFINITION = """\
# [TO COMPLETE: one line on what is being bought, for whom]
# Scaffolded by `tender new @NAME@`. Replace every "[TO COMPLETE: ...]", settle every value
# marked TO DECIDE, and delete these notes. A key left empty takes the default stated
# beside it; a key shown only as a comment is an option: remove the "# " to use it.
# Every section is described in README.md, "The tender definition";
# criteria/pest-control-2016.yaml is a complete, real example.
schema_version: 1

tender:
  reference: "[TO COMPLETE: the tender's reference, as published]"
  title: "[TO COMPLETE: the contract's title, as published]"
  authority: "[TO COMPLETE: the contracting authority's name]"
  currency: GBP                # ISO 4217 code of every price; default GBP
  regime: local_rules          # TO DECIDE: pa2023 (Procurement Act 2023), pcr2015 (Public
                               # Contracts Regulations 2015) or local_rules (the authority's
                               # own contract procedure rules); sets the bidder letters; default
                               # local_rules
  service:                     # the service, as in "appoint X as <service> provider";
                               # default: the title

contract:                      # used in the recommendation's wording; each default: not stated
  start:                       # date the contract starts, YYYY-MM-DD
  initial_years:               # whole years of the initial term
  extension_years:             # whole years of optional extension (0 or more)
  estimated_value:             # whole-life value, in the currency above (digits only)

weights:                       # TO DECIDE: percentages; price + quality = 100
  price: 50
  quality: 50                  # the quality criteria's weights add up to this

price:
  criterion: Price             # the price criterion's name in documents; default Price
  column: price                # the bids-file column holding each price; default price
                               # (plain digits in the currency above, blank for no price)
  formula:
    name: lowest_price         # TO DECIDE: lowest_price, linear_deduction, interpolation,
                               # budget_relative, highest_offer (income contracts) or log;
                               # see README.md, "Price formulas"
    # k: 1                     # linear_deduction only: share of the price weight lost per
                               # 100% above the lowest price (a number above 0); default 1
    # budget: "[TO COMPLETE]"  # budget_relative only, required: the budget, in the currency
                               # above; a price at or above it scores 0
    # zero_at_multiple: 2      # log only: the multiple of the lowest price that scores 0
                               # (a number above 1); default 2
  unscored_reason: unable to score due to limited information  # said of a bid with no
                               # price, which scores 0; default as shown
  # model:                     # how each bid's evaluated price is reached; default: one
  #   name: column             # number per bid in the bids-file column above. Or
  #   name: schedule           # a schedule of rates, priced in data.prices:
  #   basis: rates             # rates (sum of rate x volume x years) or adjustment (one
  #                            # percentage per bid, line id "adjustment", on the
  #                            # published rates: -5.0 on a total T gives T x 0.95)
  #   years: 1                 # years the volumes are counted over; default 1
  #   lines:                   # one per priced line
  #     - id: L1
  #       description: "[TO COMPLETE: what is priced]"
  #       unit: visit          # what one rate buys: visit, hour, item
  #       volume: 100          # the tender's indicative quantity a year
  #       published_rate: 50   # adjustment only: the authority's published rate
  #   missing_line:            # stated in the tender: a line a bid leaves unpriced
  #     rule: non_compliant    # non_compliant, highest_other (the highest rate the other
  #                            # compliant bids offered) or stated; default non_compliant
  #     rate: 0                # stated only: the rate a missing line counts for
  #   name: components         # or parts combined by a fixed expression:
  #   expression: sum          # sum; income_share (parts guarantee, share in %, threshold);
  #                            # whole_life (parts purchase, running a year)
  #   parts:
  #     - {id: guarantee, description: "[TO COMPLETE]"}
  #   scenario:                # income_share only: the turnover a year assumed
  #     turnover: 100000       # in the currency above
  #     assumption: "[TO COMPLETE: where the figure comes from; it is not a forecast]"
  #   discount_rate: 3.5       # whole_life only: r in %, e.g. the Treasury's 3.5
  #   years: 5                 # whole_life only: running costs for years 1 to n
  # income_share:              # an income share beside the price scored, stated in the
  #   bidder_id: A             # report's financial appendix and never scored
  #   guarantee: 12000         # a year, in the currency above
  #   share_percent: 25        # % of gross income above the threshold
  #   threshold: 100000        # a year
  #   scenario: {turnover: 67600, assumption: "[TO COMPLETE]"}

quality:
  scale:                       # TO DECIDE: the marks evaluators may give
    minimum: 0                 # lowest mark; default 0
    maximum: 5                 # highest mark (required)
    step: 1                    # in marks: the step between allowed marks; default 1
                               # (whole marks); empty: any value in the range
    descriptors:               # what each mark means, shown to evaluators; default: none
      0: "[TO COMPLETE: what a mark of 0 means]"
      1: "[TO COMPLETE: what a mark of 1 means]"
      2: "[TO COMPLETE: what a mark of 2 means]"
      3: "[TO COMPLETE: what a mark of 3 means]"
      4: "[TO COMPLETE: what a mark of 4 means]"
      5: "[TO COMPLETE: what a mark of 5 means]"
  moderation:
    spread_flag:               # in marks: a spread of evaluators' marks this wide is flagged
                               # DISCUSS; default 30% of the scale's range, rounded, at least
                               # 1 (2 on a 0-5 scale, 3 on 0-10)
    require_justification: true  # every mark needs the evaluator's justification; default true
  minimum_score:               # in quality points (the quality weighted score, out of the
                               # quality weight): a bid below it is not ranked; default: none
  mark_non_compliant: false    # also give evaluators bids that already fail a pass/fail
                               # requirement; default false (they are listed as excluded)
  criteria:                    # TO DECIDE: weights in points of the total 100, adding up to
                               # weights.quality
    - id: Q1                   # letters, digits, '-', '_' or '.'; unique
      title: "[TO COMPLETE: title of quality criterion 1]"
      weight: 25
      guidance: "[TO COMPLETE: what evaluators look for under this criterion]"  # shown on
                               # the marking template; default: none
      minimum_mark:            # in marks on the scale: a lower mark excludes the bid; default:
                               # none
      sub_criteria: []         # criteria marked in its place, their weights adding up to
                               # this one's (each with id, title, weight, guidance and
                               # minimum_mark); default: none
      # sub_criteria:
      #   - id: Q1a
      #     title: "[TO COMPLETE: title of sub-criterion Q1a]"
      #     weight: 15
      #   - id: Q1b
      #     title: "[TO COMPLETE: title of sub-criterion Q1b]"
      #     weight: 10
    - id: Q2
      title: "[TO COMPLETE: title of quality criterion 2]"
      weight: 25
      guidance: "[TO COMPLETE: what evaluators look for under this criterion]"

requirements:                  # pass/fail, each read from a column of the bids file; a bid
                               # failing one is listed with the reason but not ranked;
                               # default: none ([])
  - id: R1
    description: "[TO COMPLETE: the pass/fail requirement, as stated in the tender]"
    column: requirement_r1     # the bids-file column holding each bid's answer
    pass_values: ["yes"]       # answers that pass, any case; default ["yes"]

near_tie:
  margin: 2.0                  # in points of the total score (out of 100): a bid this close
                               # to the leader is flagged for a clarification interview;
                               # default 2.0
  evaluator_range: true        # also flag bids whose totals overlap across the range of
                               # evaluators' marks; default true
  published: false             # true only if the invitation to tender published the margin;
                               # documents then call it the tender's rule; default false
  corridor:                    # the UfAB corridor; default: none
  # corridor:
  #   percent: 5               # in % of the leader's total (above 0, at most 10)
  #   decide_by: higher_quality  # higher_quality or better_price, announced in the tender

ranking:
  tie_break: []                # TO DECIDE: the stated rules for an exact tie, in order, from
                               # higher_quality and better_price; default: none (an exact tie
                               # is flagged for the panel to decide)

panel:                         # the evaluators: one marking template each
  - id: E1                     # letters, digits, '-', '_' or '.'; unique
    role: "[TO COMPLETE: role of evaluator 1]"
    name:                      # default: withheld (the role is always shown)
    organisation:              # default: none
  - id: E2
    role: "[TO COMPLETE: role of evaluator 2]"
  - id: E3
    role: "[TO COMPLETE: role of evaluator 3]"

data:                          # paths relative to this file
  bids: ../bids/@NAME@/bids.csv
  marks: ../bids/@NAME@/marks.csv          # written by tender collect
  moderated: ../bids/@NAME@/moderated.csv  # written by tender moderate
  clarifications:              # the interview record, such as
                               # ../bids/@NAME@/clarifications.csv; default: none
  abnormally_low_decisions:    # decisions on abnormal prices, such as
                               # ../bids/@NAME@/abnormal-price-decisions.csv; default: none
  near_tie_decisions:          # decisions not to interview a near-tied bidder, with the
                               # reason (bidder_id, decision, reason, decided_on); default: none
  prices:                      # a price model's prices file (bidder_id, line_id, rate), such as
                               # ../bids/@NAME@/prices.csv; default: none
  conflict_decisions:          # the chair's decision on each declared conflict of interest
                               # (evaluator_id, bidder_id, decision: marks stand or marks
                               # excluded, reason, decided_on YYYY-MM-DD); default: none
  provenance:                  # a sentence on how the inputs came about, stated in the
                               # report's inputs appendix; default: none

lots: []                       # a procurement divided into lots (the Procurement Act 2023
                               # s.18 asks authorities to consider lots); each lot is
                               # evaluated and ranked on its own, from its own data; a lot
                               # may state its own weights, price, quality, requirements
                               # and near_tie, as above, and inherits those it leaves out;
                               # default: none
# lots:
#   - id: "1"                  # letters, digits, '-', '_' or '.'; unique
#     title: "[TO COMPLETE: what lot 1 covers]"
#     estimated_value:         # the lot's own whole-life value (digits only); the register
#                              # and the open data show it; default: not set
#     data:                    # the lot's own files, as under data above
#       bids: ../bids/@NAME@/lot-1/bids.csv
#       marks: ../bids/@NAME@/lot-1/marks.csv
#       moderated: ../bids/@NAME@/lot-1/moderated.csv
award:                         # how lots are awarded, as the invitation to tender states;
                               # only with lots; default: no cap, each lot to its
                               # first-ranked bidder
# award:
#   max_lots_per_bidder: 1     # the most lots one bidder may be awarded; default: no cap
#   allocation: lot_order      # lot_order (each lot in turn, to its highest-ranked bidder
#                              # not yet at the cap) or best_total (the highest sum of the
#                              # winners' total scores); default lot_order

publication:                   # how bidders are named in public documents (the committee
                               # report, the OCDS release package), and what tender publish
                               # needs; each default: not set
  anonymise_unsuccessful: false  # name only the recommended bidder; default false
  label: "Company {bidder_id}"   # the others' name then; must contain {bidder_id};
                                 # default as shown
  ocid_prefix:                 # the publisher's OCDS prefix (ocds- and six letters or
                               # digits); required by tender publish
  uri:                         # https:// address the release package will be published at;
                               # required by tender publish
  license:                     # https:// address of the data's licence; default: none
  published_on:                # YYYY-MM-DD the package is published; default
                               # letters.award_notice, else letters.sent, else
                               # report.meeting_date
  publisher:                   # who publishes the data; the buyer carries its identifier
                               # when it is the authority
    name:                      # default: tender.authority
    scheme:                    # org-id.guide list code, such as GB-LAE
    uid:                       # the publisher's id in that list
    uri:                       # https:// address of the publisher
  category:                    # goods, services or works
  # The contracts register (Local Government Transparency Code 2015); a fact left unset
  # shows as [NOT SET: key] in contracts-register.csv. The supplier's address, company
  # number and SME or VCSE status come from optional bids-file columns: address,
  # legal_name, identifier_scheme and identifier_id (such as GB-COH and 01234567), sme and
  # vcse (yes or no).
  department:                  # the department responsible
  description:                 # what the contract is for, in a sentence or two
  vat_not_recoverable:         # VAT that cannot be recovered, in the currency above
  review_date:                 # YYYY-MM-DD the contract is next reviewed
  procedure:                   # published_tender or invitation_to_quote

report:                        # the committee report's header; each default: not set (the
                               # report then shows [NOT SET: report.<key>])
  committee:                   # the committee the report goes to
  meeting_date:                # YYYY-MM-DD
  final_decision_at_meeting:   # true or false
  decision_maker:              # the final decision-maker
  lead_head_of_service:        # the lead head of service
  lead_officer:                # lead officer and report author
  classification: Public       # shown in the header and every footer; default Public
  wards:                       # wards affected
  timetable: []                # meetings on the way to the decision, in order; default: none
  # timetable:
  #   - body: "[TO COMPLETE: the meeting]"
  #     held: YYYY-MM-DD
  narrative:                   # the officer's words, relative to this file; default
                               # @NAME@.narrative.md beside this file

letters:                       # the bidder letters; each default: not set
  sent:                        # YYYY-MM-DD the letters are sent (pcr2015: starts the
                               # standstill); letters are refused until it is set
  award_notice:                # YYYY-MM-DD the contract award notice is published (pa2023:
                               # the eight working days' standstill runs from it)
  signatory:                   # who signs the letters
  signatory_role:
  contact:                     # whom bidders contact with questions
  criteria_at:                 # where the full award criteria can be read, e.g. "the
                               # invitation to tender, part 3"; pa2023 letters need it
  illustrative:                # true when the dates above are an example's, not the
                               # authority's: the report does not state them; default false

abnormally_low:                # screens for abnormal prices (PCR 2015 reg 69, PA 2023 s.34)
  enabled:                     # true or false; default: on, but off under highest_offer
                               # (an income contract's high offer is the aim)
  basis: mean                  # mean or median of the other compliant bids; default mean
  percent: 20.0                # in %: a price this far below the basis (above it, for
                               # highest_offer) needs the bidder's explanation; default 20
  scottish: false              # also apply the Scottish test; default false
"""
