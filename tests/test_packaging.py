"""The built wheel carries everything the app needs at run time."""

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "LICENSE", "README.rst", "djstripe"]
# setuptools 77 reads the PEP 639 license fields and builds wheels by itself.
MIN_SETUPTOOLS = 77


def _missing_build_tool():
    if importlib.util.find_spec("pip") is None:
        return "pip is not installed"
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return "setuptools is not installed"
    if int(version.split(".")[0]) < MIN_SETUPTOOLS:
        return f"setuptools {version} is older than {MIN_SETUPTOOLS}"
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build a wheel from a copy of the sources, offline, and open it."""
    reason = _missing_build_tool()
    if reason:
        pytest.skip(f"cannot build a wheel offline: {reason}")
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--disable-pip-version-check", "-w", str(out), str(source)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    (path,) = out.glob("djstripe-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def _dist_info(archive):
    return next(n.split("/")[0] for n in archive.namelist() if ".dist-info/" in n)


@pytest.mark.parametrize(
    "name",
    [
        "djstripe/__init__.py",
        "djstripe/migrations/__init__.py",
        "djstripe/templates/djstripe/_stripe_js.html",
        "djstripe/static/djstripe/djstripe.css",
    ],
)
def test_wheel_contains_package_files(wheel, name):
    assert name in wheel.namelist()


def test_wheel_contains_license(wheel):
    # PEP 639 puts it under licenses/; older setuptools put it at the top.
    dist_info = _dist_info(wheel)
    names = wheel.namelist()
    assert f"{dist_info}/licenses/LICENSE" in names or f"{dist_info}/LICENSE" in names


def test_wheel_holds_only_the_app(wheel):
    top_level = {n.split("/")[0] for n in wheel.namelist()}
    assert top_level == {"djstripe", _dist_info(wheel)}


def test_wheel_metadata(wheel):
    text = wheel.read(f"{_dist_info(wheel)}/METADATA").decode()
    headers = [line for line in text.splitlines() if ": " in line]
    assert "Name: djstripe" in headers
    assert "Version: 0.1.0" in headers
    assert "Requires-Python: >=3.10" in headers
    assert "Requires-Dist: Django<6.0,>=4.2" in headers
    assert "Requires-Dist: stripe<17,>=16" in headers
