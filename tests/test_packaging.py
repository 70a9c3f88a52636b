"""ccsite as a council's IT installs it: `pip install .` (not the editable install of a
clone), a wheel holding the package. A site made with `ccsite init` uses the theme, the
starter and the editor from the installed package, never from a checkout beside it."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# folder in the repository -> where the wheel keeps it
SHIPPED = {"templates": "ccsite/templates", "ccsite/starter": "ccsite/starter",
           "ccsite/editor/static": "ccsite/editor/static"}


def tracked_files(folder: str) -> set[str]:
    """The files git keeps in a folder of the repository, relative to it."""
    listed = subprocess.run(["git", "ls-files", "-z", folder], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    return {Path(name).relative_to(folder).as_posix() for name in listed if name}


def test_the_wheel_holds_every_template_starter_file_and_editor_file(tmp_path):
    """Each file of the theme (digest.txt, the newsletter's text, was left out: `ccsite
    digest` failed with TemplateNotFound on a site made by `ccsite init`)."""
    source = tmp_path / "source"  # (a copy: setuptools builds in the folder it is given)
    for name in tracked_files("."):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("ccsite-*.whl"))
    held = set(zipfile.ZipFile(wheel).namelist())
    for folder, inside in SHIPPED.items():
        files = tracked_files(folder)
        assert files, folder
        missing = sorted(name for name in files if f"{inside}/{name}" not in held)
        assert not missing, f"left out of the wheel from {folder}/: {missing}"
