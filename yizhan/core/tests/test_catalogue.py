"""The English catalogue is complete: no entry of `locale/en/LC_MESSAGES/django.po` is left untranslated
or marked fuzzy. A fuzzy entry is gettext's guess from a similar older string; compilemessages leaves
it out, so the page would silently fall back to Chinese, and the guess is often wrong anyway.

The check reads the .po file itself (no gettext tools needed). It cannot see strings that were never
extracted: after adding or changing a translatable string, run `makemessages -l en` (see the README)
so the new string reaches the catalogue, where this test then demands its translation.
"""

from pathlib import Path

from django.conf import settings

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
