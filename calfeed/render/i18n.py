"""Interface text in the page's language: gettext catalogs, read with Babel.

The catalogs are the ``.po`` files in ``calfeed/translations/<lang>/LC_MESSAGES/messages.po``
(one per interface language, kept in git as text that translators and reviewers can read).
They are compiled in memory the first time a language is asked for, so there is no ``.mo``
file to forget to rebuild. A language without a catalog gets the English source strings.

Templates translate with Jinja's ``i18n`` extension (``{% trans %}``, ``_()``): the callables
installed by `install` look up the catalog of the page being rendered in its context, so one
Jinja environment serves every language. docs/pages.md describes the pybabel workflow.
"""

from __future__ import annotations

import io
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

CATALOGS = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"

# How each interface language formats dates: English as written by an international
# organisation ("5–8 October 2021"), other languages as their own CLDR locale.
DATE_LOCALES = {"en": "en_GB"}


@lru_cache(maxsize=32)
def translations(lang: str) -> NullTranslations:
    """Return the interface catalog of `lang`, compiled from its .po file; English source strings if none."""
    po = CATALOGS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@lru_cache(maxsize=32)
def date_locale(lang: str) -> Locale:
    """The Babel locale that formats dates for `lang`; English (British order) when Babel does not know it."""
    try:
        return Locale.parse(DATE_LOCALES.get(lang, lang).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


@lru_cache(maxsize=64)
def language_name(lang: str) -> str:
    """The name of `lang` in itself, capitalised for a menu: "English", "Español", "Français"."""
    name = own_name(lang)
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=64)  # Babel loads and merges the locale's data on every call
def own_name(lang: str) -> str:
    """The name of `lang` in itself as written mid-sentence: "English", "español", "français"."""
    try:
        return Locale.parse(lang.replace("-", "_")).get_display_name(lang.replace("-", "_")) or lang
    except (UnknownLocaleError, ValueError):
        return lang


def _catalog(context: Context) -> NullTranslations:
    """The catalog of the page being rendered: its `translations`, else its localizer's, else English."""
    found = context.get("translations")
    if found is None:
        localizer = context.get("t")
        found = getattr(localizer, "translations", None)
    return found if found is not None else translations("en")


def install(environment: Environment) -> None:
    """Add Jinja's i18n extension to `environment`, translating with each page's own catalog."""
    environment.add_extension("jinja2.ext.i18n")

    @pass_context
    def gettext(context: Context, message: str) -> str:
        return _catalog(context).ugettext(message)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        return _catalog(context).ungettext(singular, plural, n)

    @pass_context
    def pgettext(context: Context, ctxt: str, message: str) -> str:
        return _catalog(context).upgettext(ctxt, message)

    @pass_context
    def npgettext(context: Context, ctxt: str, singular: str, plural: str, n: int) -> str:
        return _catalog(context).unpgettext(ctxt, singular, plural, n)

    callables: dict[str, Any] = {"pgettext": pgettext, "npgettext": npgettext}
    environment.install_gettext_callables(gettext, ngettext, newstyle=True, **callables)  # type: ignore[attr-defined]
    environment.globals.update(gettext=_translate, _=_translate)


_TRANSLATED: weakref.WeakKeyDictionary[NullTranslations, dict[tuple[str, bool], str]] = weakref.WeakKeyDictionary()


@pass_context
def _translate(context: Context, message: str, **variables: Any) -> str:
    """``_()`` and ``gettext()`` in templates: what Jinja's newstyle gettext returns (the message in the page's
    catalog, as Markup when autoescaping, formatted with `variables`), remembered per catalog for a message
    without variables. A page asks for some thirty messages, each through several layers of Jinja calls."""
    catalog = _catalog(context)
    autoescape = bool(context.eval_ctx.autoescape)
    if variables:
        found = catalog.ugettext(message)
        return (Markup(found) if autoescape else found) % variables
    known = _TRANSLATED.get(catalog)
    if known is None:
        known = _TRANSLATED[catalog] = {}
    translated = known.get((message, autoescape))
    if translated is None:
        found = catalog.ugettext(message)
        translated = known[(message, autoescape)] = (Markup(found) if autoescape else found) % {}
    return translated
