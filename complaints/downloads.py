"""Serving a stored file (a document or a letter) to someone already checked by a selector."""

from django.http import FileResponse


def protected_file_response(*, file_field, download_name: str, content_type: str) -> FileResponse:
    """Send the file as an attachment that no browser or proxy keeps or second-guesses."""
    response = FileResponse(
        file_field.open("rb"), as_attachment=True, filename=download_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
