"""Home names one next step, and its link opens the page that does it with the choice already made."""

from __future__ import annotations

import re


def test_home_shows_the_first_next_action_and_its_link_preselects_the_domain(client, world, bank, signed_in):
    signed_in(world.trainee)
    assert "Your next step" not in client.get("/home/trainee").get_data(as_text=True)  # not assessed yet
    client.get("/readiness/")  # assessed and stored: no evidence yet, so fill the thinnest domain first
    home = client.get("/home/trainee").get_data(as_text=True)
    step = re.search(r'<p class="next-step">(.*?)</p>', home, re.S).group(1)
    assert "Answer about 10 more questions in D" in step
    link = re.search(r'href="(/practice/\?domain=(D\d)#study-h)"', step)
    page = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    box = re.search(rf'<input[^>]*value="{link.group(2)}"[^>]*>', page).group(0)
    assert "checked" in box
    others = re.findall(r'<input[^>]*name="domains"[^>]*>', page)
    assert sum("checked" in b for b in others) == 1


def test_a_topics_link_preselects_the_topics_and_ignores_unknown_ones(client, world, bank, signed_in):
    signed_in(world.trainee)

    def topics_select(page: str) -> str:
        return re.search(r'<select[^>]*name="topics".*?</select>', page, re.S).group(0)

    first = re.search(
        r'<option[^>]*value="([^"]+)"', topics_select(client.get("/practice/").get_data(as_text=True))
    )
    page = client.get(f"/practice/?topics={first.group(1)},not-a-topic").get_data(as_text=True)
    chosen = [o for o in re.findall(r"<option[^>]*>", topics_select(page)) if "selected" in o]
    assert len(chosen) == 1 and f'value="{first.group(1)}"' in chosen[0]


def test_the_practice_page_forecasts_the_coming_reviews(client, world, bank, signed_in, monkeypatch):
    import random
    from datetime import UTC, datetime

    from app import clock
    from app.extensions import db
    from app.services import practice
    from tests.web.test_evidence_rules import _answer_session

    noon = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # a Monday: the next days read Tue, Wed, ...
    monkeypatch.setattr(clock, "now", lambda: noon)
    session = practice.start_study(world.trainee.id, [], [], False, 5, noon, random.Random(1))
    _answer_session(world.trainee, session, noon, right=False)  # missed: back within minutes
    db.session.commit()
    signed_in(world.trainee)
    page = client.get("/practice/").get_data(as_text=True)
    line = re.search(r"Coming reviews \(at most 60 a day\):\s*(.*?)</p>", page, re.S).group(1)
    assert [part.strip() for part in line.split(" · ")][:2] == ["today 5", "Tue 0"]


def test_a_question_missed_four_times_is_listed_with_a_link_to_its_feedback(client, world, bank, signed_in):
    import random
    from collections import Counter
    from datetime import UTC, datetime, timedelta

    from app.extensions import db
    from app.services import practice
    from tests.web.test_evidence_rules import _answer_session

    missed: Counter = Counter()
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(12):
        session = practice.start_study(
            world.trainee.id, [], [], False, 5, now + timedelta(days=n), random.Random(n)
        )
        _answer_session(world.trainee, session, now + timedelta(days=n), right=False)
        missed.update(practice.session_version(session, p).question_id for p in range(session.planned))
        if max(missed.values()) >= 4:
            break
    db.session.commit()
    signed_in(world.trainee)
    page = client.get("/practice/").get_data(as_text=True)
    assert "Questions that keep slipping" in page
    links = re.findall(
        r'<li><span class="badge">D\d</span> <a href="(/practice/sessions/\d+/items/\d+)">', page
    )
    assert len(links) == sum(count >= 4 for count in missed.values()) >= 1
    feedback = client.get(links[0]).get_data(as_text=True)
    assert 'id="verdict"' in feedback and "Not right" in feedback
