"""The documentation builds without a warning, and its models page lists every field.

``tests/data/reference_fields.json`` holds, for each model of the models
reference, each field's name and class. The models page is generated from
the code, so this also checks that the models keep those fields.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
from sphinx.cmd.build import build_main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "data" / "reference_fields.json"


class SectionText(HTMLParser):
    """The text of each ``<section id=...>`` of a page (nested sections included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: dict[str, list[str]] = {}
        self.open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.open.append(dict(attrs).get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for section_id in self.open:
            if section_id:
                self.texts.setdefault(section_id, []).append(data)

    def text_of(self, section_id: str) -> str:
        return " ".join("".join(self.texts.get(section_id, [])).split())


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs_html")
    status = build_main(["-W", "-q", "-b", "html", str(ROOT / "docs"), str(out)])
    assert status == 0, "the documentation build failed or warned (see the output above)"
    return out


def reference_models() -> list[dict]:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["models"]


def test_the_reference_data_is_complete():
    models = reference_models()
    assert len(models) == 17
    assert sum(len(model["fields"]) for model in models) == 408
    assert all(model["fields"] for model in models)


def test_the_docs_build_without_warnings(built_docs: Path):
    for page in ("index", "installation", "settings", "usage", "webhooks", "models"):
        assert (built_docs / f"{page}.html").exists(), page


def test_the_models_page_lists_every_reference_field(built_docs: Path):
    parser = SectionText()
    parser.feed((built_docs / "models.html").read_text(encoding="utf-8"))
    missing = []
    for model in reference_models():
        text = parser.text_of(model["model"].lower())
        assert f"class djstripe.models.{model['model']}" in text, model["model"]
        for field in model["fields"]:
            if f"{field['name']} ({field['class']}) – " not in text:
                missing.append(f"{model['model']}.{field['name']} ({field['class']})")
    assert not missing, f"not on the models page: {missing}"


def test_help_text_markup_is_shown_as_written(built_docs: Path):
    parser = SectionText()
    parser.feed((built_docs / "models.html").read_text(encoding="utf-8"))
    plan = parser.text_of("plan")
    assert "Allowed values are `sum` for summing up all usage" in plan
