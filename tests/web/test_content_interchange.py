"""flask content export (markdown/gift/qti) and import, and sync refusing to overwrite in-app edits."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import QuestionVersion
from app.services import content_sync
from tests.content_fixtures import FIXTURES, fixture_roots

GIFT = FIXTURES / "gift"


def test_sync_export_sync_changes_nothing(app, bank, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # files go back to the paths they were synced from (here the fixture folders, under --out)
    base = tmp_path / "tests" / "fixtures"
    assert (base / "content" / "questions" / "sample.md").exists()
    assert (base / "scenarios" / "fx-split-shipment.md").exists()
    roots = fixture_roots(base / "content", base / "scenarios")
    report = content_sync.sync([roots.content, roots.scenarios], roots, datetime.now(UTC))
    assert report.question_versions_added == 0 and report.questions_unchanged == 6
    assert report.scenario_versions_added == 0 and report.scenarios_unchanged == 1


def test_gift_and_qti_exports_write_every_question(app, bank, tmp_path):
    runner = app.test_cli_runner()
    gift = runner.invoke(args=["content", "export", "--format", "gift", "--out", str(tmp_path / "g")])
    assert gift.exit_code == 0 and "6 questions" in gift.output
    text = (tmp_path / "g" / "questions.gift").read_text()
    assert "::fx-credit-release::" in text and "{#90:0.1####9 of 10 lines" in text
    qti = runner.invoke(args=["content", "export", "--format", "qti", "--out", str(tmp_path / "q")])
    assert qti.exit_code == 0
    assert (tmp_path / "q" / "imsmanifest.xml").exists()
    assert len(list((tmp_path / "q").rglob("*.xml"))) == 7


def test_import_reports_per_question_and_creates_a_draft(app, world, tmp_path):
    source = next(GIFT.glob("*.gift"))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["content", "import", str(source), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    last = dry.output.strip().splitlines()[-1]
    assert last.endswith("skipped") and "imported," in last and "Dry run" in dry.output
    real = runner.invoke(args=["content", "import", str(source), "--author", world.author.email])
    assert real.exit_code == 0 and "Draft " in real.output


def test_import_of_an_unreadable_file_fails(app, world, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "import", str(tmp_path / "missing.gift")])
    assert result.exit_code == 1 and "cannot read" in result.output


def test_an_import_too_large_is_refused_before_it_is_read(app, world, tmp_path):
    big = tmp_path / "huge.gift"
    with big.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    result = app.test_cli_runner().invoke(args=["content", "import", str(big)])
    assert result.exit_code == 1
    assert "huge.gift is 50.0 MB; an import takes at most 1 MB: split the file" in result.output


def test_an_import_from_a_stream_stops_reading_at_the_limit(app, world, tmp_path):
    """A pipe or device says its size is 0, so the size check passes: the read itself is bounded."""
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["content", "import", "/dev/zero"])
    assert result.exit_code == 1 and "zero holds more than 1 MB" in result.output
    assert time.perf_counter() - started < 30  # reading /dev/zero to its end never finishes


def test_an_import_that_would_overflow_a_draft_is_refused(app, world, tmp_path):
    many = tmp_path / "many.gift"
    many.write_text(
        "".join(
            f"::q{n}:: Which carrier code is on the routing guide for lane {n}? "
            f"{{=UPSN ~FDEG ~ODFL ~RDWY}}\n\n"
            for n in range(3000)
        )
    )
    result = app.test_cli_runner().invoke(
        args=["content", "import", str(many), "--author", world.author.email]
    )
    assert result.exit_code == 1 and "a draft holds at most 200,000: split the file" in result.output


def test_sync_refuses_to_overwrite_an_in_app_edit_unless_forced(app, bank, tmp_path):
    version = db.session.scalar(select(QuestionVersion).where(QuestionVersion.source_line > 0).limit(1))
    version.source_path = "authoring/draft-1.md"  # as if last published from the authoring workspace
    db.session.commit()
    slug = version.question.slug
    shutil.copytree(FIXTURES / "content", tmp_path / "content")
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "content" / "questions" / "sample.md"
    text = path.read_text()
    section = text[text.index("{#" + slug + "}") :]
    explanation = section[section.index("Explanation:") :].splitlines()[0]
    path.write_text(text.replace(explanation, explanation + " Edited in the file."))
    roots = fixture_roots(tmp_path / "content", tmp_path / "scenarios")
    count = db.session.scalar(select(func.count()).select_from(QuestionVersion))
    try:
        content_sync.sync([roots.content], roots, datetime.now(UTC))
        raise AssertionError("sync should have refused")
    except content_sync.SyncConflict as conflict:
        assert any(slug in str(p) and "authoring workspace" in str(p) for p in conflict.problems)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(QuestionVersion)) == count
    content_sync.sync([roots.content], roots, datetime.now(UTC), force=True)
    assert db.session.scalar(select(func.count()).select_from(QuestionVersion)) == count + 1
