"""The interface catalogs are complete: every message in the templates is translated, placeholders kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from calfeed.render import i18n

ROOT = Path(__file__).parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def template_messages() -> set[str]:
    """Every message the templates pass to gettext, as `pybabel extract` finds them."""
    found = extract_from_dir(
        str(ROOT / "templates"),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}},
    )
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_every_template_message_is_translated(lang):
    with (i18n.CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=lang)
    missing = []
    for message_id in sorted(template_messages()):
        message = catalog.get(message_id)
        forms = (message.string,) if message is not None and isinstance(message.string, str) else ()
        if message is not None and isinstance(message.string, tuple):
            forms = message.string  # a plural message: every form of the language must be there
        if message is None or not forms or not all(forms) or message.fuzzy:
            missing.append(message_id)
        else:
            for form in forms:
                assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(message_id)), (message_id, form)
    assert missing == [], f"untranslated in {lang}: {missing} (see docs/pages.md, 'Workflow for translators')"


def test_catalogs_compile_in_memory():
    assert i18n.translations("es").ugettext("Upcoming events") == "Próximos eventos"
    assert i18n.translations("fr").ugettext("Events in %(year)s") == "Événements en %(year)s"
    assert i18n.translations("en").ugettext("Upcoming events") == "Upcoming events"
    assert i18n.translations("de").ugettext("Upcoming events") == "Upcoming events"  # no catalog: English
