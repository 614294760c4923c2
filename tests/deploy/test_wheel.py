"""The package as users install it (`pip install .`, `pipx install .`, `uv tool install .`):
a wheel built from a copy of the source tree carries the templates, static files and
migrations, and, installed into a fresh virtual environment once that copy is deleted,
`inspector` serves its home page with every stylesheet and script it links."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.deploy.serving import linked_assets, serving
from tests.servers.http_harness import free_port

# Top-level folders the build maps into the package (pyproject.toml), and where they land.
SHIPPED_FROM_TOP_LEVEL = ("templates", "static")
PACKAGE = "inspector"
INSTALL_TIMEOUT_SECONDS = 240
TOKEN = "wheel-test-token"


@dataclass(frozen=True)
class BuiltWheel:
    path: Path
    # What the wheel must hold, as paths inside it, listed from the source it was built from.
    must_ship: frozenset[str]


def copy_source_tree(target: Path) -> None:
    """The files a fresh clone of this working tree would have (ignored files left out)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not there
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def files_to_ship(source: Path) -> frozenset[str]:
    wanted = {
        f"{PACKAGE}/{path.relative_to(source).as_posix()}"
        for folder in SHIPPED_FROM_TOP_LEVEL
        for path in (source / folder).rglob("*")
        if path.is_file()
    }
    migrations = source / PACKAGE / "migrations"
    wanted |= {path.relative_to(source).as_posix() for path in migrations.glob("*.py")}
    return frozenset(wanted)


def missing_from(wheel: Path, must_ship: frozenset[str]) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return sorted(must_ship - set(archive.namelist()))


def run(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a build or install step; its whole output is the failure message."""
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS
    )
    assert done.returncode == 0, f"{command!r} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> BuiltWheel:
    """Built by pip, as `pip install .` builds it (the backend comes from the registry into
    an isolated build environment); the source copy is deleted afterwards."""
    source = tmp_path_factory.mktemp("source")
    dist = tmp_path_factory.mktemp("dist")
    copy_source_tree(source)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)])
    must_ship = files_to_ship(source)
    shutil.rmtree(source)
    (wheel,) = dist.glob("*.whl")
    return BuiltWheel(wheel, must_ship)


@pytest.fixture(scope="module")
def installed(built_wheel: BuiltWheel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the wheel and its dependencies (pinned by the
    lock file, taken from the registry or pip's cache); its directory."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    run(
        [
            *(sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")),
            *("install", "--quiet", "--no-compile", "-c", str(REPO_ROOT / "requirements.lock")),
            str(built_wheel.path),
        ]
    )
    return venv


@pytest.fixture
def outside_the_source_tree(tmp_path: Path) -> dict[str, str]:
    """An environment that points nowhere near the repository, local mode on SQLite."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("INSPECTOR_", "PYTHON", "VIRTUAL_ENV", "DJANGO_"))
        and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    env["INSPECTOR_DATA_DIR"] = str(tmp_path / "data")
    env["INSPECTOR_TOKEN"] = TOKEN
    return env


def test_wheel_carries_templates_static_files_and_migrations(built_wheel: BuiltWheel) -> None:
    assert any(name.endswith("/base.html") for name in built_wheel.must_ship)
    assert any(name.endswith(".css") for name in built_wheel.must_ship)
    assert missing_from(built_wheel.path, built_wheel.must_ship) == []


def test_wheel_check_fails_a_package_without_its_templates(
    built_wheel: BuiltWheel, tmp_path: Path
) -> None:
    stripped = tmp_path / built_wheel.path.name
    with zipfile.ZipFile(built_wheel.path) as full, zipfile.ZipFile(stripped, "w") as partial:
        for item in full.infolist():
            if not item.filename.startswith(f"{PACKAGE}/templates/"):
                partial.writestr(item, full.read(item))
    missing = missing_from(stripped, built_wheel.must_ship)
    assert f"{PACKAGE}/templates/inspector/base.html" in missing
    assert all(name.startswith(f"{PACKAGE}/templates/") for name in missing)


def test_installed_inspector_serves_its_home_page_css_and_js(
    installed: Path, outside_the_source_tree: dict[str, str], tmp_path: Path
) -> None:
    where = run(
        [str(installed / "bin" / "python"), "-c", "import inspector; print(inspector.__file__)"],
        cwd=tmp_path,
        env=outside_the_source_tree,
    )
    assert Path(where.strip()).is_relative_to(installed)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with (
        serving(
            [str(installed / "bin" / "inspector"), "--port", str(port)],
            env=outside_the_source_tree,
            cwd=tmp_path,
            ready_url=f"{base_url}/static/inspector/inspector.css",
            log_path=tmp_path / "inspector.log",
        ),
        httpx.Client(base_url=base_url, follow_redirects=True) as browser,
    ):
        home = browser.get(f"/?token={TOKEN}")
        assert home.status_code == 200, home.text
        assert "MCP Inspector" in home.text
        assets = linked_assets(home.text)
        assert {"/static/inspector/inspector.css", "/static/inspector/js/flash.js"} <= set(assets)
        assert any(url.startswith("/static/django_htmx/") for url in assets)
        for url in assets:
            asset = browser.get(url)
            assert asset.status_code == 200, url
            assert asset.headers["content-type"].startswith(("text/css", "text/javascript")), url
            assert asset.content, url
            ours = REPO_ROOT / "static" / url.removeprefix("/static/")
            if ours.is_file():
                assert asset.content == ours.read_bytes(), url
        # The session page's scripts and anything else only other pages link: every file
        # of the repository's static/ is served as it is there.
        for ours in sorted((REPO_ROOT / "static").rglob("*")):
            if ours.is_file():
                url = f"/static/{ours.relative_to(REPO_ROOT / 'static').as_posix()}"
                served = browser.get(url)
                assert served.status_code == 200, url
                assert served.content == ours.read_bytes(), url
