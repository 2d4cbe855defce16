"""Files the command line reads and writes: bounded reads, whole writes.

Every file a command writes (``--csv``, ``--out``, ``--plot``, ...) is
written by :func:`atomic_write`: to a temporary file in the same folder,
renamed into place only once it is complete, so a failed or interrupted
write never leaves a truncated file behind, and an existing file is either
the old one or the new one, never half of each. Each file written is noted
(:func:`written`), so that a command failing after writing one says which.

An output may not be one of the command's inputs (``--config in.toml --csv
in.toml`` would overwrite the scenario it read): each input and output
option notes its path in click's context, and whichever comes second is
refused (:func:`note_input`, :func:`note_output`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

import click

from powerplan.limits import MAX_CONFIG_BYTES

#: Longest file name (one path component) most file systems take, in bytes.
MAX_NAME_BYTES = 255

#: Files written by the current command, in order (cleared by cli.main for each command).
_WRITTEN: list[Path] = []
#: Keys in click's context meta of the paths given to input and output options.
_INPUTS, _OUTPUTS = "powerplan.inputs", "powerplan.outputs"


def written() -> list[Path]:
    """The files the current command has written so far."""
    return list(_WRITTEN)


def forget_written() -> None:
    """Start a new command: no file written yet."""
    _WRITTEN.clear()


def _cannot_write(path: Path, option: str, error: OSError) -> click.BadParameter:
    return click.BadParameter(f"cannot write {path}: {error.strerror or error}",
                              param_hint=f"'{option}'")


def _mode_for(target: Path) -> int:
    """The permissions a new file would get (0o666 less the umask), or those ``target``
    already has: mkstemp's temporary file is private to its owner."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(path: Path, option: str):
    """Write ``path`` whole or not at all: yields a temporary path in the same folder
    to write to, renamed to ``path`` when the block ends without an error (and removed
    when it raises). A file that cannot be written is bad input, named by ``option``.

    ``path`` is followed if it is a symbolic link, so the file it points to is replaced.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_write(folder / "a.txt", "--out") as temporary:
    ...     _ = temporary.write_text("complete")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('complete', ['a.txt'])
    """
    target = Path(os.path.realpath(path))
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:60]}.",
                                        suffix=".part")
    except OSError as error:
        raise _cannot_write(path, option, error) from None
    os.close(handle)
    temporary = Path(name)
    try:
        try:
            yield temporary
            with temporary.open("rb+") as written_file:  # on disk before it takes the name
                os.fsync(written_file.fileno())
            os.chmod(temporary, _mode_for(target))
            os.replace(temporary, target)
        except OSError as error:
            raise _cannot_write(path, option, error) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    _WRITTEN.append(Path(path))


def check_name(path: Path) -> str | None:
    """Why ``path`` cannot name a file to write (a trailing slash, a name too long),
    or None."""
    text = os.fspath(path)
    if text.endswith(("/", os.sep)):
        return f"cannot write {text}: a name ending in / is a folder"
    if len(os.fsencode(Path(text).name)) > MAX_NAME_BYTES:
        return (f"cannot write a file whose name is over {MAX_NAME_BYTES} bytes; got "
                f"{len(os.fsencode(Path(text).name)):,}")
    return None


def _same(one: Path, other: Path) -> bool:
    """Whether two paths name the same file (by resolved path, or by inode when both
    exist: a hard link is the same file)."""
    try:
        if Path(os.path.realpath(one)) == Path(os.path.realpath(other)):
            return True
        return one.exists() and other.exists() and os.path.samefile(one, other)
    except OSError:
        return False


def _refuse_same(ctx, path: Path, option: str, key: str, says: str) -> None:
    for other, other_option in ctx.meta.get(key, []):
        if _same(path, other):
            raise click.BadParameter(f"{path} is also {other_option}'s file: {says}",
                                     param_hint=f"'{option}'")


def note_input(ctx, path: Path, option: str) -> None:
    """Record ``path`` as an input of the command (refused if an output already names it)."""
    if ctx is None:
        return
    _refuse_same(ctx, path, option, _OUTPUTS, "a file read cannot also be written")
    ctx.meta.setdefault(_INPUTS, []).append((path, option))


def note_output(ctx, path: Path, option: str) -> None:
    """Record ``path`` as an output of the command (refused if an input or another
    output already names it)."""
    if ctx is None:
        return
    _refuse_same(ctx, path, option, _INPUTS, "writing it would overwrite an input")
    _refuse_same(ctx, path, option, _OUTPUTS, "give each output its own file")
    ctx.meta.setdefault(_OUTPUTS, []).append((path, option))


def read_bounded(path: Path, bad, limit: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``bad(message)`` makes the
    error for anything else (a folder, a FIFO, a device, a file too large to be one a
    person wrote, a file that cannot be read)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise bad("is not a regular file (a folder, device, pipe or socket)")
        if info.st_size > limit:
            raise bad(f"is {info.st_size:,} bytes; at most {limit:,} are read")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise bad(f"cannot be read: {error.strerror or error}") from None
    if len(data) > limit:  # it grew while being read
        raise bad(f"is more than {limit:,} bytes; at most {limit:,} are read")
    return data
