"""Check scenario files: `python -m app.domain.scenarios FILE_OR_DIR...`; exits 1 when any has an error."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from .report import check_files


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m app.domain.scenarios FILE_OR_DIR...", file=sys.stderr)
        return 2
    files: list[Path] = []
    for arg in args:
        path = Path(arg)
        files.extend(sorted(path.glob("*.md")) if path.is_dir() else [path])
    lines, ok = check_files(files)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
