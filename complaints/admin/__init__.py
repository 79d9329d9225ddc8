"""The staff admin of cases: the work queue, the case page with its moves, phone/mail/fax entry,
letter previews and the supervisors' dashboard. See docs/staff-admin.md.
"""

from django.contrib import admin

from complaints.models import Case

from .cases import CaseAdmin

admin.site.register(Case, CaseAdmin)
