"""The template files shipped in ``fixtures/templates/`` (one readable YAML file per seed programme)."""

from __future__ import annotations

from pathlib import Path

from .spec import TemplateDocument, dump_yaml, load_yaml, parse_document

TEMPLATE_DIR = Path(__file__).resolve().parent / "fixtures" / "templates"
#: The order of the issue's table (seed 000 → 004), which is also the order templates are listed in.
ORDER = ["dunmiao", "xinmiao", "sixiaji-practice", "ningde-secondment", "ningde-rotation", "six-lines", "youth-camp",
         "two-way"]  # fmt: skip


def shipped_template_files() -> list[Path]:
    rank = {code: i for i, code in enumerate(ORDER)}
    return sorted(TEMPLATE_DIR.glob("*.yaml"), key=lambda p: (rank.get(p.stem, len(ORDER)), p.stem))


def rules_source(text: str, document: TemplateDocument) -> str:
    """The ``rules:`` block of a template file as written (comments kept), for the editor to start from.

    Falls back to a fresh YAML dump of the rules when the block cannot be cut out cleanly.
    """
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == "rules:")
    except StopIteration:
        return dump_yaml(document.rules)
    block = []
    for line in lines[start + 1 :]:
        if line and not line.startswith((" ", "#")):
            break
        block.append(line[2:] if line.startswith("  ") else line.lstrip())
    source = "\n".join(block).strip("\n") + "\n"
    try:
        same = load_yaml(source) == document.rules
    except ValueError:
        same = False
    return source if same else dump_yaml(document.rules)


def read_template_file(path: Path) -> tuple[TemplateDocument, str]:
    """The parsed document and the rules' source text (raises ``SpecError`` naming the file)."""
    from .spec import SpecError

    text = path.read_text(encoding="utf-8")
    try:
        document = parse_document(load_yaml(text))
    except SpecError as exc:
        raise SpecError(f"{path.name}：{exc}") from exc
    return document, rules_source(text, document)
