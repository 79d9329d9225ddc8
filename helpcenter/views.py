"""Public information pages."""

from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    return render(request, "public/home.html")


@require_GET
def guide(request):
    return render(request, "public/guide.html")


@require_GET
def contact(request):
    return render(request, "public/contact.html")


@require_GET
def not_yet_online(request, page: str):
    """A truthful page for a part of the portal that is not open yet: it says how to get help now."""
    return render(request, "public/not_yet_online.html", {"page": page}, status=200)
