"""Simulated trainees for `make soak`: sign in, study, play scenarios, sit a short exam, over real HTTP.

Each trainee is one thread with its own cookie session, reading the CSRF token and the offered answers from
the page as a browser would, and pausing between requests (think time) so 100 of them fit on two cores.
Every request is recorded (what, status, start and end), and so is every acknowledged write: an answer is
acknowledged when the app redirects to its feedback page, an exam response when the app redirects onwards.
Nothing follows redirects by itself: each hop is one recorded request.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import requests

TIMEOUT = (3, 30)  # connect, read: a request can never hang a trainee past the run
EXAM_LENGTH = 20
STUDY_SIZE = 5


@dataclass
class Record:
    kind: str
    status: int  # 0: no HTTP answer at all (connection refused or reset)
    start: float  # seconds since the load started
    end: float


@dataclass
class Acknowledged:
    """Writes the app confirmed, to be found in the database afterwards."""

    answers: list[tuple[int, str]] = field(default_factory=list)  # (user_id, submission_key)
    exam_responses: list[tuple[int, int]] = field(default_factory=list)  # (exam_id, position)
    exams_submitted: list[int] = field(default_factory=list)
    decisions: list[tuple[int, int]] = field(default_factory=list)  # (attempt_id, step)


class Page(HTMLParser):
    """The parts of a page a trainee acts on: inputs, buttons, textareas and form actions."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.buttons: list[dict[str, str]] = []
        self.actions: list[str] = []
        self.textareas: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        if tag == "input":
            self.inputs.append(values)
        elif tag == "button" and values.get("name"):
            self.buttons.append(values)
        elif tag == "form" and values.get("action"):
            self.actions.append(values["action"])
        elif tag == "textarea" and values.get("name"):
            self.textareas.append(values["name"])

    def value(self, name: str) -> str | None:
        return next((i.get("value", "") for i in self.inputs if i.get("name") == name), None)

    def options(self, name: str) -> list[dict[str, str]]:
        return [i for i in self.inputs if i.get("name") == name]


class Unexpected(Exception):
    """The app answered something a trainee cannot carry on from (an error page, a dropped connection)."""


class Trainee(threading.Thread):
    """One simulated trainee, looping over activities until the stop time."""

    def __init__(
        self,
        base: str,
        email: str,
        password: str,
        user_id: int,
        clock,
        stop_at: float,
        think: tuple[float, float],
        seed: int,
    ):
        super().__init__(name=email, daemon=True)
        self.base, self.email, self.password, self.user_id = base, email, password, user_id
        self.clock, self.stop_at, self.think_range = clock, stop_at, think
        self.rng = random.Random(seed)
        self.records: list[Record] = []
        self.acked = Acknowledged()
        self.logins_at: list[float] = []
        self.exam_done = False
        self.http = requests.Session()

    # -- plumbing ------------------------------------------------------------------------------------
    def request(
        self, kind: str, method: str, path: str, data: dict | None = None
    ) -> requests.Response | None:
        if self.clock() >= self.stop_at:
            raise TimeoutError
        start = self.clock()
        try:
            response = self.http.request(
                method, self.base + path, data=data, timeout=TIMEOUT, allow_redirects=False
            )
        except requests.RequestException:
            self.records.append(Record(kind, 0, start, self.clock()))
            return None
        self.records.append(Record(kind, response.status_code, start, self.clock()))
        return response

    def expect(self, response: requests.Response | None, *statuses: int) -> requests.Response:
        if response is None or response.status_code not in statuses:
            raise Unexpected
        return response

    def get(self, kind: str, path: str) -> Page:
        response = self.expect(self.request(kind, "GET", path), 200, 302)
        if response.status_code == 302:  # elsewhere (an exam that closed) or signed out: give up this step
            if self.location(response).startswith("/login"):
                self.http.cookies.clear()
            raise Unexpected
        return Page(response.text)

    def think(self, share: float = 1.0) -> None:
        """Pause as a person reading and deciding would (`share` of the usual pause for a quick glance)."""
        pause = share * self.rng.uniform(*self.think_range)
        time.sleep(max(0.0, min(pause, self.stop_at - self.clock())))

    @staticmethod
    def location(response: requests.Response) -> str:
        return urlsplit(response.headers.get("Location", "")).path

    # -- activities ----------------------------------------------------------------------------------
    def sign_in(self) -> None:
        self.http.cookies.clear()
        page = self.get("login_page", "/login")
        self.logins_at.append(self.clock())
        response = self.request(
            "login_post",
            "POST",
            "/login",
            {"email": self.email, "password": self.password, "csrf_token": page.value("csrf_token")},
        )
        self.expect(response, 302)

    def sign_out(self) -> None:
        page = self.get("home", "/home/trainee")
        self.expect(self.request("logout", "POST", "/logout", {"csrf_token": page.value("csrf_token")}), 302)

    def study(self) -> None:
        page = self.get("practice_index", "/practice/")
        response = self.expect(
            self.request(
                "study_start",
                "POST",
                "/practice/study",
                {"csrf_token": page.value("csrf_token"), "size": str(STUDY_SIZE)},
            ),
            302,
        )
        match = re.search(r"/practice/sessions/(\d+)/items/0$", self.location(response))
        if not match:
            raise Unexpected
        session_id = int(match.group(1))
        for position in range(STUDY_SIZE):
            path = f"/practice/sessions/{session_id}/items/{position}"
            page = self.get("practice_item", path)
            form = {
                "csrf_token": page.value("csrf_token"),
                "served_at": page.value("served_at") or "",
                "confidence": self.rng.choice(["low", "medium", "high"]),
            }
            form.update(self.answer_fields(page))
            self.think()
            self.post_answer(path, form, f"study:{session_id}:{position}")
            self.get("practice_feedback", path)
            self.think(0.3)

    def post_answer(self, path: str, form: dict, key: str) -> None:
        """POST one answer; pressed again once after an error, as a person would. Acknowledged = redirected
        back to the item (its feedback)."""
        for _ in range(2):
            response = self.request("answer_post", "POST", path, form)
            if response is not None and response.status_code == 302 and self.location(response) == path:
                self.acked.answers.append((self.user_id, key))
                return
            self.think()
        raise Unexpected

    def answer_fields(self, page: Page) -> dict:
        options = page.options("chosen")
        if not options:
            return {"value": str(round(self.rng.uniform(0, 200), 1))}
        keys = [o["value"] for o in options]
        if options[0].get("type") == "checkbox":
            return {"chosen": self.rng.sample(keys, self.rng.randint(1, min(2, len(keys))))}
        return {"chosen": self.rng.choice(keys)}

    def scenario(self) -> None:
        page = self.get("scenario_index", "/scenarios/")
        starts = [a for a in page.actions if re.fullmatch(r"/scenarios/[^/]+/start", a)]
        if not starts:
            raise Unexpected
        response = self.expect(
            self.request(
                "scenario_start", "POST", self.rng.choice(starts), {"csrf_token": page.value("csrf_token")}
            ),
            302,
        )
        match = re.search(r"/scenarios/attempts/(\d+)$", self.location(response))
        if not match:
            raise Unexpected
        attempt_id = int(match.group(1))
        for _ in range(40):  # a scenario has far fewer decisions; the bound only guards the loop
            page = self.get("scenario_play", f"/scenarios/attempts/{attempt_id}")
            refs = [b["value"] for b in page.buttons if b.get("name") == "ref"]
            if not refs:
                raise Unexpected
            step = int(page.value("step") or 0)
            form = {
                "csrf_token": page.value("csrf_token"),
                "step": str(step),
                "served_at": page.value("served_at") or "",
                "ref": self.rng.choice(refs),
            }
            if "text" in page.textareas:
                form["text"] = "Checked the order against the contract; escalated the price difference."
            self.think()
            response = self.expect(
                self.request("scenario_decide", "POST", f"/scenarios/attempts/{attempt_id}/decide", form), 302
            )
            self.acked.decisions.append((attempt_id, step))
            if self.location(response).endswith("/debrief"):
                self.get("scenario_debrief", self.location(response))
                return

    def exam(self) -> None:
        self.exam_done = True
        page = self.get("exam_index", "/exams/")
        response = self.expect(
            self.request(
                "exam_start",
                "POST",
                "/exams/",
                {"csrf_token": page.value("csrf_token"), "length": str(EXAM_LENGTH)},
            ),
            302,
        )
        match = re.search(r"/exams/(\d+)/items/0$", self.location(response))
        if not match:
            raise Unexpected
        exam_id = int(match.group(1))
        for position in range(EXAM_LENGTH):
            self.think(0.4)  # a 20-item exam at the study pace would outlast the run
            path = f"/exams/{exam_id}/items/{position}"
            page = self.get("exam_item", path)
            form = {
                "csrf_token": page.value("csrf_token"),
                "served_at": page.value("served_at") or "",
                "confidence": "medium",
                "goto": "submit" if position == EXAM_LENGTH - 1 else "next",
            }
            form.update(self.answer_fields(page))
            response = self.expect(self.request("exam_answer", "POST", path, form), 302)
            self.acked.exam_responses.append((exam_id, position))
        confirm = self.get("exam_confirm", self.location(response))
        self.think(0.3)
        response = self.expect(
            self.request(
                "exam_submit", "POST", f"/exams/{exam_id}/submit", {"csrf_token": confirm.value("csrf_token")}
            ),
            302,
        )
        self.acked.exams_submitted.append(exam_id)
        self.get("exam_results", self.location(response))

    def run(self) -> None:
        try:
            self.live()
        except TimeoutError:
            pass
        finally:
            self.http.close()

    def live(self) -> None:
        time.sleep(self.rng.uniform(0, 2 * self.think_range[1]))  # arrivals spread out, not one burst
        while self.clock() < self.stop_at:
            try:
                if not self.http.cookies:
                    self.sign_in()
                roll = self.rng.random()
                if roll < 0.2 and not self.exam_done:
                    self.exam()
                elif roll < 0.55:
                    self.scenario()
                else:
                    self.study()
                if self.rng.random() < 0.3:  # people come back later: sign out, sign in again
                    self.sign_out()
                    self.http.cookies.clear()
            except Unexpected:
                self.think()
                self.think()
