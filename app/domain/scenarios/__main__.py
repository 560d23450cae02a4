"""Check scenario files: `python -m app.domain.scenarios FILE_OR_DIR...`; exits 1 when any has an error.

Prints every problem as `path:line: message`, then per scenario the number of distinct complete paths
and the maximum-score path (see report.check_text). A directory means every `*.md` in it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .report import check_text


def check_files(files: Iterable[Path]) -> tuple[list[str], bool]:
    """Report lines for each file, and whether all are free of errors (warnings do not count)."""
    lines: list[str] = []
    ok = True
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            lines.append(f"{file}:1: cannot read the file: {exc}")
            ok = False
            continue
        _, problems, summary = check_text(text, str(file))
        lines.extend(str(p) for p in problems)
        lines.extend(summary)
        ok = ok and not any(p.is_error for p in problems)
    return lines, ok


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
