"""Sphinx configuration for djstripe's documentation."""

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
_init = (DOCS.parent / "djstripe" / "__init__.py").read_text()

# Local extensions: djstripe_models documents the models from the code.
sys.path.insert(0, str(DOCS / "_ext"))

project = "djstripe"
author = "djstripe contributors"
copyright = "djstripe contributors"
release = re.search(r'^__version__ = "([^"]+)"', _init, re.MULTILINE).group(1)
version = ".".join(release.split(".")[:2])

extensions = ["djstripe_models"]
templates_path = []
exclude_patterns = ["_build"]
root_doc = "index"

html_theme = "alabaster"
html_static_path = []
