"""The English catalogue: the UI switches language, and the committed .po/.mo stay complete and in sync.

Msgids are the Chinese UI text, so a string added to a template or view without an English translation
would silently show Chinese in the English UI. These tests make that fail: every entry must be translated
and not fuzzy, the compiled .mo (committed, because fresh installs have no gettext tools) must match the
.po, the dynamically built vocabulary labels must be in the catalogue, and, where gettext is installed,
re-running ``makemessages`` on a copy of the source must not turn up any new untranslated msgid.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

import miaopu
from miaopu.apps.core import vocab_msgids

PACKAGE = Path(miaopu.__file__).resolve().parent
LC_MESSAGES = PACKAGE / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
#: The makemessages ignore patterns the catalogue is built with (test code is not UI text).
IGNORE = ["*/tests/*", "tests/*"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-+ #0]*\d*(?:\.\d+)?[sdf]|%%")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        """The .mo catalogue key (context and msgid joined by EOT)."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader (polib is not a dependency): msgctxt, plurals, flags, continuation lines."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):  # obsolete entry: not part of the catalogue
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:  # a comment starts the next entry
                entries.append(current)
                current = None
            if current is None:
                current = Entry()
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, getattr(current, name) + value)
            continue
        value = ast.literal_eval(rest)
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            entries.append(current)
            current = None
        if current is None:
            current = Entry()
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword != "msgstr" else 0
            current.msgstr[index] = value
            target = ("msgstr", index)
        else:
            setattr(current, keyword, value)
            target = (keyword, 0)
    if current is not None:
        entries.append(current)
    return entries


def _entries() -> list[Entry]:
    return [e for e in parse_po(PO_PATH) if e.msgid]


def _untranslated_or_fuzzy(entries: list[Entry]) -> list[str]:
    bad = []
    for e in entries:
        forms = 2 if e.msgid_plural else 1  # English: nplurals=2
        if "fuzzy" in e.flags or len(e.msgstr) < forms or not all(e.msgstr.values()):
            bad.append(e.msgid)
    return bad


# --- the UI in English -----------------------------------------------------------------------------


def test_cadre_list_switches_to_english(client_for):
    client = client_for("orgdept")
    chinese = client.get("/cadres/").content.decode()
    assert "干部名单" in chinese and "Cadre list" not in chinese

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cadres/"})
    assert response.status_code == 302

    page = client.get("/cadres/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="en">' in html
    assert "<title>Cadre list" in html or ">Cadre list<" in html
    assert "干部名单" not in html
    # Labels of the domain vocabularies are translated too (built at run time, kept by vocab_msgids).
    assert ">Female</option>" in html and ">女</option>" not in html
    assert ">Selected graduate</option>" in html


def test_english_cookie_translates_unit_levels(client_for):
    client = client_for("orgdept")
    client.cookies["django_language"] = "en"
    html = client.get("/units/").content.decode()
    assert "Town/sub-district" in html
    assert "镇街</span>" not in html


# --- the catalogue ---------------------------------------------------------------------------------


def test_every_entry_is_translated_and_not_fuzzy():
    entries = _entries()
    assert len(entries) > 1000
    bad = _untranslated_or_fuzzy(entries)
    assert not bad, f"untranslated or fuzzy in {PO_PATH.name}: {bad[:20]}"


def test_translations_keep_placeholders():
    """A lost or misspelt ``%(name)s`` raises KeyError or drops a figure at run time."""
    mismatched = []
    for e in _entries():
        singular = sorted(PLACEHOLDER.findall(e.msgid))
        if not e.msgid_plural:
            if sorted(PLACEHOLDER.findall(e.msgstr[0])) != singular:
                mismatched.append((e.msgid, e.msgstr[0]))
            continue
        plural = sorted(PLACEHOLDER.findall(e.msgid_plural))
        for index, text in e.msgstr.items():
            found = set(PLACEHOLDER.findall(text))
            # English "one" may leave out the count; every other form keeps the plural msgid's placeholders.
            if not found <= set(singular) | set(plural) or (index > 0 and sorted(found) != sorted(set(plural))):
                mismatched.append((e.msgid_plural, text))
    assert not mismatched


def test_compiled_catalogue_matches_po():
    with MO_PATH.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    expected: dict[object, str] = {}
    for e in _entries():
        if e.msgid_plural:
            for index, text in e.msgstr.items():
                expected[(e.key, index)] = text
        else:
            expected[e.key] = e.msgstr[0]
    catalog = {k: v for k, v in compiled._catalog.items() if k != ""}  # "" is the header
    stale = sorted(str(k) for k in expected.keys() - catalog.keys())
    extra = sorted(str(k) for k in catalog.keys() - expected.keys())
    assert not stale and not extra, f"recompile {MO_PATH.name}: missing {stale[:10]}, extra {extra[:10]}"
    differing = [k for k, v in expected.items() if catalog[k] != v]
    assert not differing, f"recompile {MO_PATH.name}: {differing[:10]}"
    assert compiled.gettext("干部名单") == "Cadre list"
    assert compiled.pgettext("pagination", "首页") != compiled.gettext("首页")


def test_vocabulary_labels_are_in_the_catalogue():
    labels = {label for values in vocab_msgids.dynamic_labels().values() for label in values}
    assert "村社区" in labels and "一级巡视员" in labels
    missing_here = labels - set(vocab_msgids.MSGIDS)
    assert not missing_here, f"run `python -m miaopu.apps.core.vocab_msgids`, then makemessages: {missing_here}"
    translated = {e.msgid for e in _entries() if e.msgctxt is None and all(e.msgstr.values())}
    assert not labels - translated


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext tools not installed")
def test_source_has_no_msgid_missing_from_catalogue(tmp_path, monkeypatch):
    """Re-run makemessages on a copy of the source: a new or changed UI string must already be translated."""
    source = tmp_path / "miaopu"
    shutil.copytree(
        PACKAGE,
        source,
        ignore=lambda d, names: [n for n in names if n in ("__pycache__", "static") or n.endswith((".mo", ".pyc"))],
    )
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[source / "locale"]):
        call_command("makemessages", locale=["en"], no_obsolete=True, ignore_patterns=list(IGNORE), verbosity=0)
    regenerated = [e for e in parse_po(source / "locale" / "en" / "LC_MESSAGES" / "django.po") if e.msgid]
    bad = _untranslated_or_fuzzy(regenerated)
    assert not bad, f"new UI strings without an English translation (run makemessages and translate): {bad[:20]}"
