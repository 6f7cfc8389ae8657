"""The English catalogue is complete: no entry of `locale/en/LC_MESSAGES/django.po` is left untranslated
or marked fuzzy. A fuzzy entry is gettext's guess from a similar older string; compilemessages leaves
it out, so the page would silently fall back to Chinese, and the guess is often wrong anyway.

The check reads the .po file itself (no gettext tools needed). It cannot see strings that were never
extracted: after adding or changing a translatable string, run `makemessages -l en` (see the README)
so the new string reaches the catalogue, where this test then demands its translation.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import makemessages

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"


def catalogue_problems(po_text: str) -> list[str]:
    """`untranslated: <msgid>` / `fuzzy: <msgid>` for each live entry needing a translator.

    Entries are separated by blank lines; obsolete ones (`#~`) and the header (empty msgid) are
    ignored. A plural entry counts as untranslated when any of its forms is empty. Strings are
    compared as written in the file (escapes left as they are): only emptiness matters here."""
    problems = []
    for block in po_text.split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        fuzzy = False
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in (flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += line[1:-1]
            else:
                current, _, quoted = line.partition(" ")
                fields[current] = quoted.strip()[1:-1]
        if not fields.get("msgid"):
            continue
        if fuzzy:
            problems.append(f"fuzzy: {fields['msgid']}")
        elif any(not value for key, value in fields.items() if key.startswith("msgstr")):
            problems.append(f"untranslated: {fields['msgid']}")
    return problems


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry():
    text = CATALOGUE.read_text(encoding="utf-8")
    assert text.count('\nmsgid "') > 100, f"{CATALOGUE} looks empty or unreadable"
    assert catalogue_problems(text) == []


def test_the_check_finds_empty_fuzzy_and_half_translated_plural_entries():
    po = "\n".join(
        [
            'msgid ""',
            'msgstr ""',
            '"Language: en\\n"',
            "",
            "#: yizhan/a.py:1",
            'msgid "已保存"',
            'msgstr "Saved"',
            "",
            "#: yizhan/a.py:2",
            'msgid ""',
            '"很长的"',
            '"句子"',
            'msgstr ""',
            "",
            "#: yizhan/a.py:3",
            "#, fuzzy, python-brace-format",
            '#| msgid "缺少参数 {name}"',
            'msgid "缺少文件 {name}"',
            'msgstr "Missing parameter {name}"',
            "",
            "#, python-format",
            'msgid "共 %(n)s 条"',
            'msgid_plural "共 %(n)s 条"',
            'msgstr[0] "%(n)s entry"',
            'msgstr[1] ""',
            "",
            'msgctxt "plural"',
            'msgid "历史密码"',
            'msgstr ""',
            '"Previous "',
            '"passwords"',
            "",
            '#~ msgid "旧的"',
            '#~ msgstr ""',
            "",
        ]
    )
    assert catalogue_problems(po) == [
        "untranslated: 很长的句子",
        "fuzzy: 缺少文件 {name}",
        "untranslated: 共 %(n)s 条",
    ]


def catalogue_entries(po_text: str) -> set[tuple[str, str]]:
    """(msgctxt, msgid) of each live entry (msgctxt "" when none)."""
    entries = set()
    for block in po_text.split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.strip().splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current] += line[1:-1]
            else:
                current, _, quoted = line.partition(" ")
                fields[current] = quoted.strip()[1:-1]
        if fields.get("msgid"):
            entries.add((fields.get("msgctxt", ""), fields["msgid"]))
    return entries


class ScratchMakeMessages(makemessages.Command):
    """makemessages writing into LOCALE_PATHS[0] only: the real command sends each file's strings to
    the nearest `locale` directory it walks past (yizhan/locale), which a test must not rewrite."""

    def find_files(self, root):
        files = super().find_files(root)
        for file in files:
            file.locale_dir = self.default_locale_path
        return files


def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path, monkeypatch, settings):
    """What the first test cannot see: a string marked for translation (gettext, pgettext,
    {% translate %} …) but never extracted. Extracting afresh into a scratch catalogue, as the
    README's makemessages does, must find nothing the catalogue lacks: a new or changed string fails
    here until `makemessages -l en` has brought it in (and the first test then wants its English)."""
    root = Path(settings.BASE_DIR).parent
    monkeypatch.chdir(root)
    settings.LOCALE_PATHS = [str(tmp_path)]
    before = CATALOGUE.stat().st_mtime_ns
    call_command(
        ScratchMakeMessages(), locale=["en"], ignore_patterns=[".venv", "node_modules"], no_obsolete=True, verbosity=0
    )
    assert CATALOGUE.stat().st_mtime_ns == before  # the real catalogue untouched
    fresh = catalogue_entries((tmp_path / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    assert len(fresh) > 1000
    missing = fresh - catalogue_entries(CATALOGUE.read_text(encoding="utf-8"))
    assert sorted(missing) == []


def test_entries_are_told_apart_by_context():
    po = (
        '#: a.py:1\nmsgid "达标"\nmsgstr "Met"\n\n'
        '#: b.py:2\nmsgctxt "acceptance grade"\nmsgid "达标"\nmsgstr ""\n"Up to "\n"standard"\n'
    )
    assert catalogue_entries(po) == {("", "达标"), ("acceptance grade", "达标")}
