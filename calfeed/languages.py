"""Language codes: one rule, shared by the content check and the router.

A code is a language (two or three letters), optionally a script (four letters) and a region (two
letters or three digits), separated by hyphens: `en`, `pt-BR`, `zh-Hant-TW`, `es-419`. Editors may
write any case (`pt-br`, `ZH-HANT-TW`); calfeed keeps one form, the case BCP 47 recommends (language
lowercase, script titlecase, region uppercase), and that form is what every URL, `lang` attribute and
feed carries. Longer tags (variants, extensions, private use) are not accepted: no page needs them.
"""

from __future__ import annotations

import re

PATTERN = r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-[A-Z]{2}|-[0-9]{3})?"  # the normalised form, as in URLs
_ANY_CASE = re.compile(r"([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|[0-9]{3}))?", re.IGNORECASE)


def normalise(code: str) -> str | None:
    """`code` in calfeed's one form ("pt-br" → "pt-BR", "zh-hant-tw" → "zh-Hant-TW"), or None when it
    is not a language code by the rule above."""
    found = _ANY_CASE.fullmatch(code.strip().replace("_", "-"))
    if found is None:
        return None
    language, script, region = found.groups()
    return "-".join(
        part for part in (language.lower(), script.title() if script else "", region.upper() if region else "") if part
    )
