"""Who may do what, as data: one entry per endpoint of the URL map, each a ``Rule`` (or a tuple
of them when one endpoint serves several kinds of target: a draft and a sent application, a
private and a published document).

A rule reads: ``who`` get ``status`` (GET: 200, POST: the action is taken or refused for a
reason of state or input, ``ACTS``) in ``states``, and ``elsewhere`` in the other states;
``forbid`` get 403 (``forbid_elsewhere`` outside ``states``); in the ``hidden`` states the
subject does not exist yet for anybody (404); everybody else gets 404, because a stranger is
not told that a thing exists; the anonymous visitor is sent to the login page unless the
rule says otherwise. ``cells`` lists the exceptions, by role or by (role, state).

A new endpoint has no entry, and ``test_every_endpoint_has_a_rule`` says so: add its rule
here, with the one line saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from tests.security.conftest import ROLES, STATES

# --- statuses that are not plain numbers ------------------------------------------------------

ACTS = "acts"  # a POST by a permitted role: anything but 401/403/404 or a 5xx
LOGIN = "login"  # a redirect to the login page
LOCKED = "locked"  # 409, and the attempt is kept in the audit trail (results approved)

# --- roles (tests/security/conftest.py says who plays each) ------------------------------------

EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {"anon"}
COMMISSION = frozenset({"member", "recused", "chair", "secretary"})
LEADS = frozenset({"chair", "secretary", "admin"})  # lead the scoring and the results
SCREENERS = frozenset({"chair", "secretary", "specialist", "admin"})
STAFF = frozenset({"specialist", "head", "admin"})  # the ayil okmotu (and administrators)
CLERKS = frozenset({"specialist", "admin"})
WATCHERS = STAFF | {"oversight"}  # follow the commission's work without a seat
WORKING = STAFF | COMMISSION | {"oversight"}  # the competition is visible to them
VIEWERS = WORKING | {"owner"}  # may read the application under test
THEIR_STAFF = frozenset({"other_specialist", "other_head"})

# --- states -------------------------------------------------------------------------------------

ALL = frozenset(STATES)
PUBLISHED = ALL - {"commission_formed"}
BEFORE_RESULTS = frozenset({"commission_formed", "announced", "scoring"})
AFTER_AWARDS = frozenset({"winners_announced", "implementation", "closed"})
BEFORE_AWARDS = ALL - AFTER_AWARDS
APPROVED = ALL - BEFORE_RESULTS  # scores, declarations and votes are fixed
GRANT = {"states": AFTER_AWARDS, "hidden": BEFORE_AWARDS}  # a grant exists from the awards


@dataclass(frozen=True)
class Fixed:
    """A literal URL argument (a language code, an export's name), not a target's id."""

    value: str


# URL argument -> the scene's target that fills it, unless a rule says otherwise.
ARGS = MappingProxyType(
    {
        "competition_id": "competition",
        "application_id": "application",
        "attachment_id": "attachment",
        "document_id": "document",
        "token": "token",
        "source_id": "source",
        "seat_id": "seat",
        "municipality_id": "municipality",
        "slug": "slug",
        "code": Fixed("en"),
    }
)


@dataclass(frozen=True)
class Rule:
    """One line of the table; the module's docstring says how to read it."""

    why: str
    methods: tuple = ("GET",)
    who: frozenset = frozenset()
    forbid: frozenset = frozenset()
    status: int | str | None = None  # what ``who`` get: 200 for GET, ACTS for POST
    states: frozenset | None = ALL  # None: the endpoint belongs to no competition
    elsewhere: int = 404
    forbid_elsewhere: int = 403
    hidden: frozenset = frozenset()
    anon: int | str = LOGIN
    cells: dict = field(default_factory=dict)
    args: dict = field(default_factory=dict)
    only: frozenset | None = None  # walk it only in these states (a step that exists there)
    fresh: str | None = None  # the target a permitted POST consumes: made anew for each

    @property
    def target(self) -> str:
        """What the rule's URL points at, when not the default: tells a tuple's rules apart."""
        return "+".join(sorted(v for v in self.args.values() if not isinstance(v, Fixed)))

    def arg(self, name: str):
        return self.args.get(name, ARGS.get(name))

    def expect(self, method: str, role: str, state: str | None):
        if (role, state) in self.cells:
            return self.cells[(role, state)]
        if role in self.cells:
            return self.cells[role]
        if role == "anon" and role not in self.who:
            return self.anon
        if state in self.hidden:
            return 404
        inside = state is None or self.states is None or state in self.states
        if role in self.who:
            if not inside:
                return self.elsewhere
            if self.status is not None:
                return self.status
            return 200 if method == "GET" else ACTS
        if role in self.forbid:
            return 403 if inside else self.forbid_elsewhere
        return 404


GET, POST, FORM = ("GET",), ("POST",), ("GET", "POST")


def at(roles, states, status) -> dict:
    """Cells: these roles get ``status`` in these states."""
    return {(r, s): status for r in roles for s in states}


def public(why: str, **kw) -> Rule:
    return Rule(why, who=EVERYONE, states=kw.pop("states", None), **kw)


def step(trigger: str, states, who, known, why: str) -> Rule:
    """A workflow step button: ``who`` the workflow names may take it; the others who know
    the subject are refused (403); strangers learn nothing (404)."""
    return Rule(
        why,
        POST,
        who=frozenset(who),
        forbid=frozenset(known) - frozenset(who),
        only=frozenset(states),
        args={"trigger": Fixed(trigger)},
    )


# Endpoints with no access rule to check, and why.
EXCLUDED = {
    "static": "Flask's static files (CSS, JS): no data behind them",
    "favicon": "the site's icon: no data behind it",
}

M, R = "member", "recused"
OFFICE_ONLY = {"who": STAFF, "forbid": COMMISSION | {"oversight"}}  # setup: the office edits
REPORTERS = {  # the winner or the office write the report, not the head
    "who": CLERKS | {"owner"},
    "forbid": {"head"},
    "states": {"implementation"},
    "elsewhere": 409,
    "hidden": BEFORE_AWARDS,
}
OWN_DRAFT = {"who": {"owner"}, "forbid": STAFF, "args": {"application_id": "draft"}}
SENT = {"who": VIEWERS, "status": 409}  # a sent application: refused by state to its readers
PRIVATE = {
    "who": WATCHERS | {"owner"},
    "anon": 404,
    # Before the announcement the target is the commission's order: the commission reads it.
    "cells": {("owner", "commission_formed"): 404, **at(COMMISSION, ["commission_formed"], 200)},
}

# fmt: off
TABLE = {
    # --- open data and public pages: no login, no personal data --------------------------------
    "api.applications": public("open data: published competitions' applications, no persons"),
    "api.awards": public("open data: the awards once announced"),
    "api.competitions": public("open data: published competitions"),
    "api.municipalities": public("open data: the municipalities"),
    "api.reports": public("open data: accepted reports"),
    "api.openapi": public("the API's description"),
    "api.docs": public("the open-data page for people"),
    "api.competition": public("a published competition; before, none", states=PUBLISHED),
    "api.results": public("the results once the head announced them", states=AFTER_AWARDS),
    "oversight.dashboard": public("aggregates across municipalities, never a person"),
    "public.index": public("the portal's home page"),
    "public.municipality": public("a municipality's published competitions"),
    "public.competition": public("announcement, results, grants: once announced",
                                 states=PUBLISHED),
    "set_language": public("anyone may switch the language", methods=POST, status=302),
    # --- one's own account and pages --------------------------------------------------------------
    "auth.login": (
        Rule("the login page; a logged-in user is sent on", states=None,
             who=LOGGED_IN, status=302, anon=200),
        Rule("a wrong login is refused; a logged-in user is sent on", POST, states=None,
             who=LOGGED_IN, status=302, anon=400),
    ),
    "auth.logout": Rule("anyone logged in may log out", POST, who=LOGGED_IN, states=None),
    "auth.register": (
        Rule("the sign-up page; a logged-in user is sent on", states=None,
             who=LOGGED_IN, status=302, anon=200),
        Rule("an empty sign-up is refused; a logged-in user is sent on", POST, states=None,
             who=LOGGED_IN, status=302, anon=422),
    ),
    "notifications.index": Rule("one's own notifications", who=LOGGED_IN, states=None),
    "invitations.index": Rule("one's own invitations to commissions", who=LOGGED_IN,
                              states=None),
    "invitations.accept": Rule("only the invited person; every seat here is accepted", POST),
    "invitations.decline": Rule("only the invited person; every seat here is accepted", POST),
    "notifications.mark_all_read": Rule("one's own", POST, who=LOGGED_IN, states=None),
    "applications.mine": Rule("one's own applications", who=LOGGED_IN, states=None),
    "competitions.dashboard": Rule("lists what one works on", who=LOGGED_IN, states=None),
    "grants.overdue": Rule("what is due where one works: office, oversight", states=None,
                           who=WATCHERS | THEIR_STAFF),
    "municipalities.regulation": (
        Rule("the regulation: its municipality's office reads it", who=STAFF, states=None),
        Rule("the head records it; the specialist only reads it", POST, states=None,
             who={"head", "admin"}, forbid={"specialist"}),
    ),
    "setup.new": Rule("competitions are created by a municipality's office", FORM, states=None,
                      who=STAFF | THEIR_STAFF, forbid=LOGGED_IN - STAFF - THEIR_STAFF),
    # --- a competition and its setup: the office; commission and oversight look on -------------
    "competitions.detail": Rule("its office, commission and oversight", who=WORKING),
    "setup.budget": Rule("the money (locked by state once announced)", FORM, **OFFICE_ONLY),
    "setup.commission": Rule("the commission", FORM, **OFFICE_ONLY),
    "setup.commission_order": Rule("the head's order", POST, **OFFICE_ONLY),
    "setup.criteria": Rule("the criteria", FORM, **OFFICE_ONLY),
    "setup.terms": Rule("the terms", FORM, **OFFICE_ONLY),
    "setup.delete_seat": Rule("removing a seat", POST, fresh="seat", **OFFICE_ONLY),
    "setup.delete_source": Rule("removing money", POST, fresh="source", **OFFICE_ONLY),
    "paper.new": Rule("paper intake: the clerks, while the window is open", FORM,
                      who=CLERKS, forbid=WORKING - CLERKS, states={"announced"}, elsewhere=409),
    "lifecycle.competition_step": (
        step("cancel", BEFORE_RESULTS, {"head", "admin"}, WORKING, "the head cancels"),
        step("announce_winners", {"results_approved"}, {"head", "admin"}, WORKING,
             "the head decides on financing"),
        step("start_implementation", {"winners_announced"}, CLERKS, WORKING, "the office"),
        step("close", {"implementation"}, CLERKS, WORKING, "the office closes"),
        Rule("a closed competition takes no step: 409 to whoever knows it", POST,
             who=WORKING, status=409, only={"closed"}, args={"trigger": Fixed("close")}),
    ),
    # --- applications -----------------------------------------------------------------------------
    "applications.start": (
        Rule("anyone may apply to a published competition", who=LOGGED_IN,
             hidden={"commission_formed"}),
        Rule("a draft is started while the window is open; 409 after", POST, who=LOGGED_IN,
             states={"announced"}, elsewhere=409, hidden={"commission_formed"}),
    ),
    "applications.view": (
        Rule("its owner, the office, the commission, oversight", who=VIEWERS),
        Rule("a draft: its owner and the office, not the commission", who=STAFF | {"owner"},
             args={"application_id": "draft"}),
    ),
    "applications.section": (
        Rule("the owner types an online draft; the office only reads it", FORM,
             **OWN_DRAFT | {"args": {"application_id": "draft", "name": Fixed("applicant")}}),
        Rule("a sent application is not edited: its readers go to its page", FORM,
             who=VIEWERS, status=302, args={"name": Fixed("applicant")}),
    ),
    "applications.upload": (
        Rule("the owner attaches files to a draft", POST, **OWN_DRAFT),
        Rule("a sent application takes no file", POST, **SENT),
    ),
    "applications.detach": (
        Rule("the owner removes files from a draft", POST, fresh="draft_attachment",
             **OWN_DRAFT | {"args": {"application_id": "draft",
                                     "attachment_id": "draft_attachment"}}),
        Rule("a sent application loses no file", POST, **SENT),
    ),
    "applications.submit": (
        Rule("the owner sends a draft; the office may not send it for them", POST, **OWN_DRAFT),
        Rule("a sent application is not sent again; its owner is told its number", POST,
             **SENT, cells={"owner": 303}),
    ),
    "applications.withdraw": Rule("the owner alone, until the deadline; then no one", POST,
                                  who={"owner"}, forbid=VIEWERS - {"owner"},
                                  states={"announced"}, elsewhere=409),
    "applications.record_withdrawal": Rule("the office records a withdrawal asked for in "
                                           "writing, until the deadline", FORM, who=CLERKS,
                                           forbid=VIEWERS - CLERKS, states={"announced"},
                                           elsewhere=409),
    "applications.download": (
        Rule("a file: whoever may read the application", who=VIEWERS),
        Rule("a passport copy: the owner and the office only", who=STAFF | {"owner"},
             args={"attachment_id": "passport"}),
        Rule("a draft's file: the owner and the office", who=STAFF | {"owner"},
             args={"attachment_id": "draft_attachment"}),
    ),
    "lifecycle.application_step": (
        step("admit", {"announced"}, SCREENERS, VIEWERS, "screening: the screeners"),
        step("mark_scored", {"scoring"}, SCREENERS, VIEWERS, "closing its scoring"),
        step("terminate", {"results_approved", "winners_announced", "implementation"},
             {"head", "admin"}, VIEWERS, "terminating a grant: the head"),
        Rule("a completed initiative takes no step: 409 to whoever knows it", POST,
             who=VIEWERS, status=409, only={"closed"}, args={"trigger": Fixed("terminate")}),
    ),
    "screening.overview": Rule("the screening list: whoever works on it", who=WORKING),
    "screening.screen": Rule("the screeners; the application's other readers are refused", FORM,
                             who=SCREENERS, forbid=VIEWERS - SCREENERS),
    # --- the commission ---------------------------------------------------------------------------
    "scoring.workspace": Rule("a member's desk; the office and oversight go to the progress",
                              who=COMMISSION, cells=dict.fromkeys(WATCHERS, 302)),
    "scoring.conflicts": Rule("a member's own declaration (409 outside scoring)", FORM,
                              who=COMMISSION, forbid=WATCHERS),
    "scoring.sheet": (
        Rule("a member's own sheet, once the application is admitted", who=COMMISSION,
             forbid=WATCHERS, states=ALL - {"announced"}),
        Rule("as the page; a recused member may not score (409)", POST, who=COMMISSION,
             forbid=WATCHERS, states=ALL - {"announced"}, cells={(R, "scoring"): 409}),
    ),
    "scoring.progress": Rule("the leads and the watchers, not the members", who=LEADS | WATCHERS,
                             forbid={M, R}),
    "scoring.close": Rule("closing scoring: the screeners", POST, who=SCREENERS,
                          forbid=WORKING - SCREENERS),
    "scoring.results": Rule("the ranking: leads, watchers; members once approved", who=WORKING,
                            cells=at([M, R], BEFORE_RESULTS, 403)),
    "scoring.partial": Rule("a partial award: the leads, once the application is admitted",
                            POST, who=LEADS, forbid=WORKING - LEADS, states=ALL - {"announced"}),
    "scoring.apply": Rule("recording the proposal: the leads", POST, who=LEADS,
                          forbid=WORKING - LEADS),
    "scoring.meeting": (
        Rule("the meeting: leads, watchers; members once approved", who=WORKING,
             cells=at([M, R], BEFORE_RESULTS, 403)),
        Rule("recording it: the leads, during scoring", POST, who=LEADS, forbid=WORKING - LEADS,
             states={"scoring"}, elsewhere=409, cells=at(LEADS, APPROVED, LOCKED)),
    ),
    # --- grants -----------------------------------------------------------------------------------
    "grants.overview": Rule("after the awards: whoever works on it", who=WORKING,
                            states=AFTER_AWARDS),
    "grants.application": Rule("whoever may read the application", who=VIEWERS, **GRANT),
    "grants.agreement": Rule("the office prepares it", POST, who=CLERKS, forbid=VIEWERS - CLERKS,
                             **GRANT),
    "grants.agreement_draft": Rule("to print: the winner and the office", who=STAFF | {"owner"},
                                   **GRANT),
    "grants.sign": Rule("the office records the signing", POST, who=CLERKS,
                        forbid=VIEWERS - CLERKS, **GRANT),
    "grants.payment": Rule("the office pays", POST, who=CLERKS, forbid=VIEWERS - CLERKS, **GRANT),
    "grants.refund": Rule("the office records refunds", POST, who=CLERKS,
                          forbid=VIEWERS - CLERKS, **GRANT),
    "grants.reversal": Rule("the office corrects its books by a reversal", POST, who=CLERKS,
                            forbid=VIEWERS - CLERKS, **GRANT),
    "grants.report": Rule("a report, once written: whoever may read the application",
                          who=VIEWERS, states={"implementation", "closed"}, hidden=BEFORE_AWARDS),
    "grants.save_report": Rule("the winner or the office write it", POST, **REPORTERS),
    "grants.report_file": Rule("its files: as its text", POST, **REPORTERS),
    "grants.delete_report_file": Rule("its files: as its text", POST, fresh="report_file",
                                      args={"attachment_id": "report_file"}, **REPORTERS),
    "grants.download": (
        Rule("a receipt or photo: whoever may read the application", who=VIEWERS,
             args={"attachment_id": "report_file"}),
        Rule("the signed scan (signatures, ID numbers): the winner and the office",
             who=STAFF | {"owner"}, args={"attachment_id": "agreement_scan"}),
    ),
    "grants.final_report": Rule("public once closed; before, a running account for its workers",
                                who=WORKING, states=AFTER_AWARDS, anon=404,
                                # a staff link opened logged out leads to the login page
                                cells={**at(["anon"], sorted(set(AFTER_AWARDS) - {"closed"}), 302),
                                       **at(EVERYONE, ["closed"], 200)}),
    "grants.conclusion": Rule("the head (or the office) writes the conclusion before closing; "
                              "404 to the rest", POST, who=STAFF, states={"implementation"}),
    "grants.export": Rule("the office and oversight; 404 to the rest, even the commission",
                          who=WATCHERS, args={"name": Fixed("applications"), "fmt": Fixed("csv")}),
    # --- documents --------------------------------------------------------------------------------
    "documents.download": (
        Rule("an applicant's receipt: the office, oversight and that applicant; not the "
             "commission", **PRIVATE),
        Rule("a published document: everyone", who=EVERYONE,
             args={"document_id": "public_document"}),
        Rule("the chair's score sheet: not for the other members (the secretary too) while they "
             "score", who=WORKING, anon=404, cells=at([M, R, "secretary"], BEFORE_RESULTS, 404),
             args={"document_id": "score_sheet"}),
        Rule("the results protocol: published with the head's decision", who=EVERYONE,
             states=AFTER_AWARDS, cells=at(WORKING, ["results_approved"], 200),
             args={"document_id": "results_protocol"}),
    ),
    "documents.verify": Rule("anyone holding the paper may check its facts", who=EVERYONE),
    "documents.verify_pdf": Rule("the PDF behind a check: as its download", **PRIVATE),
    # --- part A of issue 22: SMS ------------------------------------------------------------------
    "sms.outbox": Rule("the SMS outbox with full phone numbers: the national operator only",
                       who={"admin"}, states=None),
    "sms.delivery": Rule("the gateway's delivery reports: by the shared token only, which no "
                         "browser holds (404 without it)", POST, states=None, anon=404),
    # --- part C of issue 22: the operator's administration, staff invitations, departure ------
    # /admin exists for the national operator only: to anyone else it is not there (404).
    "admin.municipalities": Rule("the operator's list of municipalities", who={"admin"},
                                 states=None),
    "admin.new_municipality": Rule("only the operator creates municipalities", FORM,
                                   who={"admin"}, states=None),
    "admin.edit_municipality": Rule("only the operator edits a municipality's identity", FORM,
                                    who={"admin"}, states=None),
    "admin.import_municipalities": Rule("the operator's import, with its preview", FORM,
                                        who={"admin"}, states=None),
    "admin.confirm_import": Rule("the operator confirms a preview of their own", POST,
                                 who={"admin"}, states=None),
    "admin.import_template": Rule("the import's template: the operator's page", who={"admin"},
                                  states=None, args={"fmt": Fixed("csv")}),
    "admin.staff": Rule("the operator invites a municipality's head and specialists", FORM,
                        who={"admin"}, states=None),
    "admin.end_role": Rule("the operator ends roles; no such grant here: 404 to all "
                           "(tests/web/test_staff_invitations.py walks a real one)", FORM,
                           states=None, args={"grant_id": Fixed("2147483647")}),
    "admin.deactivate": Rule("the operator closes accounts; no such user here: 404 to all "
                             "(tests/web/test_staff_invitations.py closes a real one)", FORM,
                             states=None, args={"user_id": Fixed("2147483647")}),
    "staff.municipal": Rule("the office (and the operator) invite the municipality's "
                            "specialists; other municipalities' staff get 404", FORM,
                            who=STAFF, states=None),
    "staff.revoke": Rule("who may invite may withdraw; no such invitation here: 404 to all",
                         FORM, states=None, args={"invitation_id": Fixed("2147483647")}),
    "staff.join_link": Rule("only the holder of the e-mailed token; a wrong one: 404 to all",
                            FORM, states=None, anon=404, args={"token": Fixed("not-a-token")}),
    "staff.join_code": Rule("anyone logged in may type the code of an SMS invitation", FORM,
                            who=LOGGED_IN, states=None),
    # --- part B of issue 22: one's own account, recovery, phone proof ----------------------------
    "account.profile": Rule("one's own profile: only ever the logged-in person's", FORM,
                            who=LOGGED_IN, states=None),
    "account.password": Rule("one's own password, with the current one", FORM, who=LOGGED_IN,
                             states=None),
    "account.phone": (
        Rule("no new number waits for its code: back to the profile", who=LOGGED_IN,
             states=None, status=302),
        Rule("the code for one's own new number", POST, who=LOGGED_IN, states=None),
    ),
    "account.resend_phone_code": Rule("a new code to one's own new number", POST,
                                      who=LOGGED_IN, states=None),
    "account.sessions_list": Rule("one's own sessions", who=LOGGED_IN, states=None),
    "account.end_session": Rule("ends one of one's own sessions (another's: nothing)", POST,
                                who=LOGGED_IN, states=None),
    "account.end_all_sessions": Rule("log out everywhere, after a confirmation", FORM,
                                     who=LOGGED_IN, states=None),
    "auth.confirm_phone": (
        Rule("the code for one's own phone; an account by e-mail has nothing to prove",
             who=LOGGED_IN, states=None, status=302),
        Rule("the code for one's own phone", POST, who=LOGGED_IN, states=None),
    ),
    "auth.resend_phone_code": Rule("a new code to one's own phone", POST, who=LOGGED_IN,
                                   states=None),
    "recovery.forgot": public("anyone may ask; the answer never says whether an account exists",
                              methods=FORM),
    "recovery.code": public("anyone holding a code may use it", methods=FORM),
    "recovery.link": public("a link that is not (or no longer) valid: 404 for everyone",
                            methods=FORM, status=404, args={"token": Fixed("no-such-token")}),
    "recovery.office_reset": Rule("a specialist at the counter, for a citizen by exact login; "
                                  "404 to everyone else", FORM,
                                  who={"specialist", "other_specialist"}, states=None),
}
# fmt: on

# Cells where the application is known to be wrong today: the rule above says what it should
# do; the test counts these as expected failures, and fails once one passes (strict), so the
# entry goes with the fix. Key: (endpoint, method, target (Rule.target), role, state).
# (None today: the meeting POST checked the lock before the role, members read each
# other's score sheets while scoring; both fixed with the tests that found them.)
KNOWN_BUGS: dict = {}
