# Sourced by scripts/run and scripts/test: what they install, and where.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
# Debian packages, for what pip cannot install (a browser, servers, Python's venv module).
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Make the project's virtual environment (.venv) the Python of the rest of the script:
# created on first use and reused afterwards (remade only if its interpreter no longer
# runs). Nothing goes into the system's Python, which Debian protects anyway (PEP 668).
use_project_venv() {
  if ! .venv/bin/python -c "" 2>/dev/null; then
    command -v python3 >/dev/null || apt_install python3
    # Debian ships the venv module's pip bootstrap in a package of its own.
    python3 -c "import ensurepip, venv" 2>/dev/null || apt_install python3-venv
    python3 -m venv --clear .venv
  fi
  export VIRTUAL_ENV="$PWD/.venv"
  export PATH="$VIRTUAL_ENV/bin:$PATH"
}

# The project and `extras` (e.g. "[test]") into .venv, editable, at the locked versions.
install_project() {
  python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".${1:-}"
}
