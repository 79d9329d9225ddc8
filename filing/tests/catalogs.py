"""Reading .po catalogs and the visible text of pages, for the translation tests."""

import re
from html.parser import HTMLParser


def po_entries(text: str) -> list[dict]:
    """Each entry of a .po file: flags, context, msgid, plural (bool), msgstr list, obsolete."""
    entries = []
    for block in text.split("\n\n"):
        entry = {"flags": "", "msgid": None, "msgstr": [], "obsolete": False}
        key = None
        values: dict[str, str] = {}
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                continue
            if line.startswith("#,"):
                entry["flags"] += line
                continue
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
            if match:
                key = match.group(1)
                values[key] = match.group(2)
            elif line.startswith('"') and key:
                values[key] += line[1:-1]
        if "msgid" not in values:
            continue
        entry["msgid"] = values["msgid"]
        entry["context"] = values.get("msgctxt")
        entry["plural"] = "msgid_plural" in values
        entry["msgstr"] = [value for name, value in values.items() if name.startswith("msgstr")]
        entries.append(entry)
    return entries


def catalog_problems(text: str) -> list[str]:
    """Entries that are fuzzy or have an empty translation (the header counts for fuzzy only)."""
    problems = []
    for entry in po_entries(text):
        if entry["obsolete"]:
            continue
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {entry['msgid']!r}")
        if entry["msgid"] and not all(entry["msgstr"]):
            problems.append(f"untranslated: {entry['msgid']!r}")
    return problems


class _Text(HTMLParser):
    SKIP = {"script", "style", "title"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if name in {"aria-label", "title", "alt", "placeholder"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_texts(html: str) -> set[str]:
    """The page's text pieces (and labels people hear), whitespace folded."""
    parser = _Text()
    parser.feed(html)
    pieces = {" ".join(part.split()) for part in parser.parts}
    # <title> is read too: the browser tab and the first thing a screen reader says.
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    if title:
        pieces.add(" ".join(title.group(1).split()))
    return {piece for piece in pieces if re.search(r"[A-Za-z]{2,}", piece)}


class _FormNesting(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.nested = False

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.nested = self.nested or self.depth > 0
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


def has_nested_forms(html: str) -> bool:
    """True if a <form> opens inside another (browsers then drop the inner one, and a button may
    end up outside any form)."""
    parser = _FormNesting()
    parser.feed(html)
    return parser.nested
