"""OpenAPI naming helpers (referenced from ``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]``).

Several fields share one vocabulary (全日制学历 and 在职学历 are both ``Education``); the
schema should name the enum after the vocabulary, once. drf-spectacular matches an
override by the (code, label) pairs, so these return exactly the choices the model
fields use, in the language of the schema being generated.
"""

from __future__ import annotations

from miaopu.apps.core.choices import vocab_choices
from miaopu.domain.vocab import CadreStatus, Degree, Education, PostCategory, Source


def education_choices() -> list[tuple[str, str]]:
    return vocab_choices(Education)


def degree_choices() -> list[tuple[str, str]]:
    return vocab_choices(Degree)


def post_category_choices() -> list[tuple[str, str]]:
    return vocab_choices(PostCategory)


def cadre_source_choices() -> list[tuple[str, str]]:
    """干部来源 (another app's ``source`` field, e.g. an assessment's or a pool entry's, has other choices)."""
    return vocab_choices(Source)


def cadre_status_choices() -> list[tuple[str, str]]:
    """干部状态 (在职/调出/退休): named once the fieldwork ledger's own ``status`` joined the schema."""
    return vocab_choices(CadreStatus)
