"""Addresses of the online application (/file/...) and My cases (/my/...), both under
i18n_patterns. The names ``file`` and ``my-cases`` are kept for the site navigation."""

from django.urls import path

from filing.views import apply, my

file_patterns = [
    path("", apply.file_start, name="file"),
    path("new/", apply.draft_new, name="file-new"),
    path("<uuid:draft_id>/", apply.draft_resume, name="file-resume"),
    path("<uuid:draft_id>/documents/", apply.draft_documents, name="file-documents"),
    path(
        "<uuid:draft_id>/documents/<uuid:document_id>/remove/",
        apply.draft_document_remove,
        name="file-document-remove",
    ),
    path("<uuid:draft_id>/review/", apply.draft_review, name="file-review"),
    path("<uuid:draft_id>/sign/", apply.draft_sign, name="file-sign"),
    path("<uuid:draft_id>/done/", apply.draft_done, name="file-done"),
    path("<uuid:draft_id>/delete/", apply.draft_delete, name="file-delete"),
    path("<uuid:draft_id>/<slug:step>/", apply.draft_step, name="file-step"),
]

my_patterns = [
    path("", my.my_cases, name="my-cases"),
    path("<str:number>/", my.my_case, name="my-case"),
    path("<str:number>/letters/<int:letter_id>/", my.my_case_letter, name="my-case-letter"),
    path("<str:number>/documents/<int:document_id>/", my.my_case_document, name="my-case-document"),
    path("<str:number>/documents/", my.my_case_add_documents, name="my-case-add-documents"),
    path("<str:number>/withdraw/", my.my_case_withdraw, name="my-case-withdraw"),
]
