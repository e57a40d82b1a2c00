"""Sphinx configuration for djstripe's documentation."""

import re
from pathlib import Path

_init = (Path(__file__).resolve().parent.parent / "djstripe" / "__init__.py").read_text()

project = "djstripe"
author = "djstripe contributors"
copyright = "djstripe contributors"
release = re.search(r'^__version__ = "([^"]+)"', _init, re.MULTILINE).group(1)
version = ".".join(release.split(".")[:2])

extensions = []
templates_path = []
exclude_patterns = ["_build"]
root_doc = "index"

html_theme = "alabaster"
html_static_path = []
