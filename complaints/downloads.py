"""Serving a stored file (a document or a letter) to someone already checked by a selector."""

from django.http import FileResponse

from complaints.uploads.names import download_name as safe_download_name


def protected_file_response(*, file_field, download_name: str, content_type: str) -> FileResponse:
    """Send the file as an attachment that no browser or proxy keeps or second-guesses. The name
    loses control and bidirectional characters, and its extension is made that of
    ``content_type`` (the type the content was found to be, not the one the name claimed)."""
    response = FileResponse(
        file_field.open("rb"),
        as_attachment=True,
        filename=safe_download_name(download_name, content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
