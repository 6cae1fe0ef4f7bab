"""LibreOffice for the tests that convert files through it, as a person would save them (.ci/run installs
Debian's libreoffice-calc-nogui and libreoffice-writer-nogui). Each test module starts it with a profile of
its own (-env:UserInstallation), so that parallel runs never share, and lock, one profile. A machine
without soffice fails these tests: they are never skipped."""

import shutil
import subprocess
from pathlib import Path

import pytest

MISSING = (
    "LibreOffice (soffice) is not installed: run .ci/run, which installs Debian's libreoffice-calc-nogui "
    "and libreoffice-writer-nogui (or apt-get install -y libreoffice-calc-nogui libreoffice-writer-nogui)."
)
TIMEOUT_SECONDS = 180  # a conversion takes 2-3 s; the first one with a new profile sets the profile up


class Office:
    def __init__(self, program, profile: Path):
        self.program = program
        self.profile = profile

    def convert(self, source: Path, to: str, folder: Path) -> Path:
        """`source` converted to `to` (xlsx, ods, xls, txt, pdf; or with a filter, txt:Text) in `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [
                self.program,
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--convert-to",
                to,
                "--outdir",
                str(folder),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        result = folder / f"{source.stem}.{to.partition(':')[0]}"
        assert result.is_file(), f"soffice did not convert {source.name} to {to}: {done.stdout}{done.stderr}"
        return result


def start(tmp_path_factory) -> Office:
    """For a module-scoped fixture: LibreOffice with a fresh profile, or the test fails saying how to install it."""
    program = shutil.which("soffice")
    if program is None:
        pytest.fail(MISSING, pytrace=False)
    return Office(program, tmp_path_factory.mktemp("soffice-profile"))
