"""Words the server writes for people, in their language (French, the city's own, or English).

One message catalogue: a dict per language (:mod:`.fr`, :mod:`.en`) keyed by message id, each
text a :meth:`str.format` template. Plain dicts rather than gettext: two languages, no
translators' tooling to feed, and a test checks that both dicts hold the same ids with the
same placeholders, which gettext would only find at run time.
"""

from marketplace.i18n.catalogue import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    MESSAGE_IDS,
    Language,
    Message,
    id_of_english,
    language_of,
    render,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "MESSAGE_IDS",
    "Language",
    "Message",
    "id_of_english",
    "language_of",
    "render",
]
