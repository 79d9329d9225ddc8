"""Error reports that carry no health information.

Django's error report (the page shown with DEBUG on, and the e-mail sent to ADMINS when an
operator sets them) includes what the person posted and each frame's local variables: on this
portal, a patient's details. This filter hides all of them, keeping only the traceback's shape.
"""

from django.views.debug import SafeExceptionReporterFilter

HIDDEN = "[hidden: may hold health information]"


class NoHealthInformationFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, HIDDEN)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, HIDDEN) for name in tb_frame.f_locals]
