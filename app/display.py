"""How numbers, words and shuffled content read on a page: the template filters and globals."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user
from markupsafe import Markup

from app.domain.readiness.mastery import shown_mastery
from app.domain.scenarios.variants import fill, format_value, label_placeholders
from app.domain.shuffle import token
from app.domain.taxonomy import DOMAIN_NAMES
from app.policy import may_open
from app.services import practice


def probability(p: float | None) -> str:
    """A probability as people read it: never a flat 0% or 100%, which the model cannot know."""
    if p is None:
        return "not shown"
    if p >= 0.995:
        return "over 99%"
    if p < 0.005:
        return "under 1%"
    return f"{100 * p:.0f}%"


def with_unit(value: float | None, unit: str | None) -> str:
    """A number with its unit as a desk writes it: $23,040 / 65.7% / 135 units / 50 days."""
    if value is None:
        return ""
    number = f"{value:,.10g}" if abs(value) >= 1000 else f"{value:.10g}"
    if not unit:
        return number
    if unit == "$":
        return f"${number}"
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


VARIABLE_LABELS = {"csat": "customer satisfaction", "hours": "hours", "cost": "extra cost", "risk": "risk"}


def variable_label(name: str) -> str:
    """A state variable as a person reads it: hold_status -> hold status, csat -> customer satisfaction."""
    return VARIABLE_LABELS.get(name, name.replace("_", " "))


def value_label(value: object) -> str:
    """A state value as a person reads it: partial-release -> partial release; numbers as they are."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ").replace("-", " ")


def plural(count: float, word: str) -> str:
    """'1 point', '3 points', '2.5 points': a count with its noun as people write it."""
    shown = f"{count:g}" if isinstance(count, float) else str(count)
    return f"{shown} {word}" if count == 1 else f"{shown} {word}s"


def main_nav() -> Markup:
    """The main navigation's links for the signed-in person on this page (templates/_nav.html). They depend
    only on the person's roles, the page and where the app is mounted, so each combination is rendered once
    per worker: a dozen policy questions and URL builds less on every page."""
    key = (current_user.roles, request.endpoint, request.script_root)
    cache: dict = current_app.extensions.setdefault("main_nav", {})
    html = cache.get(key)
    if html is None:
        template = current_app.jinja_env.get_template("_nav.html")
        html = cache[key] = Markup(template.render(here=request.endpoint or ""))
    return html


def init_app(app: Flask) -> None:
    app.add_template_filter(probability)
    app.add_template_filter(plural)
    app.add_template_filter(with_unit)
    app.add_template_filter(variable_label)
    app.add_template_filter(value_label)
    app.add_template_global(DOMAIN_NAMES, "domains")  # D1-D9 and their names, on every page
    app.add_template_global(token, "choice_token")
    app.add_template_global(shown_mastery)
    app.add_template_global(may_open)
    app.add_template_global(main_nav)
    app.add_template_global(practice.shown_options)
    app.add_template_global(practice.match_prompts)
    app.add_template_global(practice.accepted_answers)
    app.add_template_global(format_value, "variant_value")
    app.add_template_filter(lambda text, variant: fill(str(text), variant or {}), "with_figures")
    app.add_template_filter(label_placeholders, "figure_labels")
