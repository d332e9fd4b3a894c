#!/bin/sh
# python-env.sh - the Python tools the tests use, in a venv of their own.
#
# Creates build/venv with Debian's python3 (python3-venv) and installs
# tests/requirements.txt into it; does nothing when the venv already holds
# exactly those requirements. Prints the venv's python path last.
# scripts/test.sh runs it; tests that need Python find the interpreter in
# BALBOARD_PYTHON (set by ctest from the CMake cache variable of that name).
set -eu
cd "$(dirname "$0")/.."
venv=build/venv
requirements=tests/requirements.txt
stamp="$venv/requirements.installed"

mkdir -p build
if [ ! -x "$venv/bin/python" ]; then
    /usr/bin/python3 -m venv "$venv"
fi
if ! cmp -s "$requirements" "$stamp" 2> /dev/null; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check \
        -r "$requirements"
    cp "$requirements" "$stamp"
fi
echo "$(pwd)/$venv/bin/python"
