from django.conf import settings
from django.urls import translate_url


def help_center(request):
    """Contact facts and the same page in every language, for the header, footer and switch."""
    path = request.get_full_path()
    return {
        "help_center": settings.HELP_CENTER_CONTACT,
        "language_alternates": [
            {"code": code, "name": name, "url": translate_url(path, code)} for code, name in settings.LANGUAGES
        ],
    }
