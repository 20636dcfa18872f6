"""Helpers shared by the example's scripts: where to write files, and how to hand outputs back to Kiln."""
import json
import os

# Under `kiln test` (KILN_TEST is set) files go to the throwaway home instead, so a test never adds to build/registry.
BUILD = os.path.join(os.environ["KILN_HOME"], "build") if os.environ.get("KILN_TEST") else "build"


def outputs(**values):
    """Writes the task's outputs where Kiln asks for them (KILN_OUTPUTS)."""
    with open(os.environ["KILN_OUTPUTS"], "w", encoding="utf-8") as handle:
        json.dump(values, handle)


def build_path(name):
    """A path under build/ (created on demand), unique per run so runs never overwrite each other."""
    folder = os.path.join(BUILD, os.environ.get("KILN_RUN_ID", "manual"))
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)
