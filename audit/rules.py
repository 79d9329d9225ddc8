"""Which pages read or change health information, and how each is written in the audit log.

Keyed by the URL name Django resolved (``request.resolver_match.view_name``). A GET of a page is
a read (VIEW, or DOWNLOAD for a file); a POST is a change, except where a POST only shows
something (the letter preview). The access-matrix test fails if a page that takes a case number
or case id has no rule here, so a new page cannot be left out of the log silently.
"""

from dataclasses import dataclass

from audit.models import Action


@dataclass(frozen=True)
class Rule:
    object_kind: str
    id_kwarg: str = ""
    read: Action = Action.VIEW
    write: Action = Action.CHANGE
    # A POST that succeeds answers with a redirect (post/redirect/get); one that only shows
    # something (a preview) answers 200.
    post_shows: bool = False

    def action(self, method: str) -> Action:
        if method in ("GET", "HEAD", "OPTIONS"):
            return self.read
        return self.read if self.post_shows else self.write


_FILE = Rule("document", "document_id", read=Action.DOWNLOAD)
_LETTER = Rule("letter", "letter_id", read=Action.DOWNLOAD)
_DRAFT = Rule("draft", "draft_id")

RULES: dict[str, Rule] = {
    # The staff admin (complaints/admin/).
    "admin:complaints_case_changelist": Rule("case list"),
    "admin:complaints_case_add": Rule("case"),
    "admin:complaints_case_change": Rule("case", "object_id"),
    "admin:complaints_case_history": Rule("case", "object_id"),
    "admin:complaints_case_delete": Rule("case", "object_id"),
    "admin:complaints_case_move": Rule("case", "case_id"),
    "admin:complaints_case_preview": Rule("letter preview", "case_id", post_shows=True),
    "admin:complaints_case_extend": Rule("clock", "clock_id"),
    "admin:complaints_case_document": Rule("document", "document_id", read=Action.DOWNLOAD),
    "admin:complaints_case_letter": Rule("letter", "letter_id", read=Action.DOWNLOAD),
    "admin:complaints_case_late_filing": Rule("case", "case_id"),
    "admin:complaints_case_upload": Rule("document", "case_id"),
    "admin:complaints_case_dashboard": Rule("dashboard"),
    # Findings of portal IMRs on their way to publication (imr/admin.py): the original is health information.
    "admin:imr_findingsreview_changelist": Rule("findings review list"),
    "admin:imr_findingsreview_change": Rule("findings review", "object_id"),
    # Reading the audit log is itself recorded.
    "admin:audit_auditevent_changelist": Rule("audit log"),
    "admin:audit_auditevent_change": Rule("audit event", "object_id"),
    "admin:audit_auditevent_export": Rule("audit log", read=Action.EXPORT),
    # The plan portal (planportal/).
    "plan-portal": Rule("case list"),
    "plan-case": Rule("case", "number"),
    "plan-respond": Rule("plan response", "number"),
    "plan-reversed": Rule("case", "number"),
    "plan-carried-out": Rule("case", "number"),
    "plan-document": _FILE,
    "plan-letter": _LETTER,
    # The independent review organizations' portal (review/).
    "review-queue": Rule("case list"),
    "review-case": Rule("case", "number"),
    "review-attest": Rule("conflict-of-interest attestation", "number"),
    "review-decline": Rule("conflict-of-interest attestation", "number"),
    "review-document": _FILE,
    "review-packet": Rule("case packet", "packet_id", read=Action.DOWNLOAD),
    "review-determination": Rule("determination", "number"),
    "review-assign": Rule("review assignment", "number"),
    # My cases and the online form (filing/).
    "my-cases": Rule("case list"),
    "my-case": Rule("case", "number"),
    "my-case-letter": _LETTER,
    "my-case-document": _FILE,
    "my-case-add-documents": Rule("document", "number"),
    "my-case-withdraw": Rule("case", "number"),
    "file-resume": _DRAFT,
    "file-step": _DRAFT,
    "file-documents": _DRAFT,
    "file-document-remove": Rule("draft document", "document_id"),
    "file-review": _DRAFT,
    "file-sign": _DRAFT,
    "file-done": _DRAFT,
    "file-delete": _DRAFT,
}

# Where a redirect to sign in goes: such an answer means "not let in", never "served".
SIGN_IN_ROUTES = frozenset(
    {
        "admin:login",
        "admin:staff-enrol",
        "admin:staff-verify",
        "plan-login",
        "plan-enrol",
        "plan-verify",
        "review-login",
        "review-enrol",
        "review-verify",
        "accounts:sign-in",
    }
)


def rule_for(view_name: str | None) -> Rule | None:
    return RULES.get(view_name or "")
