"""Pinyin search keys for unit names, so `wufeng` and `wf` both find 五丰社区."""

from pypinyin import Style, lazy_pinyin

# Column sizes of Unit.pinyin and Unit.pinyin_initials.
_FULL_MAX = 400
_INITIALS_MAX = 100


def _ascii_key(parts: list[str]) -> str:
    # Non-Chinese characters pass through pypinyin unchanged; keep only letters and digits so a
    # key never contains spaces, brackets or the full-width punctuation some names carry.
    return "".join(ch for ch in "".join(parts).lower() if ch.isascii() and ch.isalnum())


def pinyin_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials) in lower case without separators.

    "五丰社区" → ("wufengshequ", "wfsq"). ü is written "v" (lv), as pinyin keyboards type it.
    Search matches either key by prefix, so "wufeng" and "wf" both find the unit.
    """
    parts = lazy_pinyin(name, style=Style.NORMAL, v_to_u=False)
    # One conversion serves both keys (imports convert tens of thousands of names): a part that
    # occurs verbatim in the name is text pypinyin passed through (digits, Latin letters), which
    # stays whole in the initials; every other part is a syllable and contributes its first letter.
    initials_parts = [part if part in name else part[:1] for part in parts]
    full = _ascii_key(parts)
    initials = _ascii_key(initials_parts)
    return full[:_FULL_MAX], initials[:_INITIALS_MAX]
