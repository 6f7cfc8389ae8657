"""`rules.pinyin_initials` reads each run of Chinese characters once and remembers it; the result
must be what reading the whole name with pypinyin gives (polyphonic characters read by their words)."""

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from yizhan.positions import rules


def uncached_initials(*names: str) -> str:
    """The rule as first written: the whole name through pypinyin at once, nothing remembered."""
    parts = []
    for name in names:
        if not name:
            continue
        core = name.removeprefix(rules.STATION_PREFIX)
        letters = "".join(p[0] for p in lazy_pinyin(core, style=Style.FIRST_LETTER, errors="ignore") if p)
        if letters:
            parts.append(letters.lower())
    return " ".join(dict.fromkeys(parts))[:80]


# Words whose characters read differently alone and in a word (重庆/重要, 银行/行走, 长春/长大),
# characters of the extension blocks and 〇, digits, Latin letters, separators and spaces.
PIECES = [
    *"重庆长春银行走大乐音快西岗八一路中山区职工服务中心工作站沙河口甘井子旅顺口金州普兰店瓦房店庄河长海",
    "重庆", "银行", "长春", "音乐", "快乐", "重要", "行长", "调查", "单调", "朝阳", "朝代",
    "㐀", "𠀀", "〇", "·", "•", "-", " ", "（", "）", "1", "23", "A", "b", "Ⅱ", "ー", "ǎ",
    rules.STATION_PREFIX,
]  # fmt: skip
names = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(names, min_size=1, max_size=3), st.lists(names, max_size=3))
def test_initials_equal_the_uncached_reading(first, second):
    # `first` fills the cache with runs that `second` may then meet inside other names.
    for group in (first, second, first):
        assert rules.pinyin_initials(*group) == uncached_initials(*group)


def test_polyphonic_characters_read_by_their_word():
    assert rules.pinyin_initials("工会户外劳动者服务站点·重庆路") == "cql"
    assert rules.pinyin_initials("重要路") == "zyl"
    assert rules.pinyin_initials("行长1号·银行") == uncached_initials("行长1号·银行")
    assert rules.pinyin_initials("西岗八一路", "八一") == "xgbyl by"
