"""The only way a letter may pull in a file: from the letters app's own static folder.

WeasyPrint asks its URL fetcher for every stylesheet, image and font a document names. The default
fetcher would read any ``file://`` path and any web address, so a letter built from a person's text
could, if that text ever escaped, read server files or call out. This fetcher answers only
``file://`` URLs whose resolved path (symbolic links followed) stays inside one folder, and refuses
everything else: other paths, ``http(s)://``, ``data:``, ``ftp:``. A refusal stops the render
(``fail_on_errors``) rather than quietly printing a letter without its stylesheet.
"""

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = (Path(__file__).resolve().parent / "static" / "letters").resolve()

CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class FetchRefused(ValueError):
    """A URL the letter engine will not read."""


def resolve_static(url: str, root: Path = STATIC_ROOT) -> Path:
    """The file inside ``root`` that ``url`` names, or FetchRefused."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in {"", "localhost"}:
        raise FetchRefused(f"only the letters' own static files may be read, not {url[:200]!r}")
    raw_path = unquote(parts.path)
    if "\x00" in raw_path:
        raise FetchRefused("a file name may not contain NUL")
    path = Path(raw_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise FetchRefused(f"{url[:200]!r} is not a file in {root}")
    return path


class StaticOnlyFetcher(URLFetcher):
    """Serve files under ``root`` only; optionally only from a snapshot taken before rendering.

    ``files`` maps resolved paths to their bytes. When given, those bytes are served instead of
    reading the disk again, so the PDF is made from exactly the files whose hash the letter's
    ``template_version`` records. ``requested`` lists every URL asked for, refused ones too.
    """

    def __init__(self, root: Path = STATIC_ROOT, files: Mapping[Path, bytes] | None = None):
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self.root = root.resolve()
        self.files = files
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        path = resolve_static(url, self.root)
        if self.files is not None:
            if path not in self.files:
                raise FetchRefused(f"{path.name} is not one of the files this letter is made from")
            body = self.files[path]
        else:
            body = path.read_bytes()
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": content_type})
