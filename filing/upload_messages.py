"""The sentences ``complaints.uploads`` and ``complaints.services.documents`` say about a refused
file, marked here so that this app's Spanish catalog carries them: enrollees see them on the
documents step and in My cases. A test checks each one is translated where it is raised."""

from django.utils.translation import gettext_noop

UPLOAD_MESSAGES = [
    gettext_noop("This file is empty. Please choose the file again."),
    gettext_noop("This file is larger than %(limit)s MB. Please send a smaller copy."),
    gettext_noop("We accept PDF, JPEG, PNG, TIFF, HEIC and Word (.docx) files. This file is not one of them."),
    gettext_noop("This PDF contains active content (such as JavaScript). Please save it as a new PDF or send a scan."),
    gettext_noop("This Word file contains macros. Please save it as a PDF or a .docx without macros."),
    gettext_noop("This case already has the most documents we can take online. Please mail the rest."),
    gettext_noop("This case's documents would pass the size limit. Please mail the rest."),
]
