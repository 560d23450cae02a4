"""Form fields shared by several features."""

from wtforms import SelectMultipleField, widgets
from wtforms.validators import Regexp


class CheckboxListField(SelectMultipleField):
    """A multiple choice rendered as a list of checkboxes (usable by keyboard and screen reader)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# Deliberately loose: `.test` and internal domains are valid here (email_validator refuses them).
EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an e-mail address like name@company.com.")


def seconds_since(served_at: str | None, now: float) -> float | None:
    """Seconds between a page's hidden `served_at` stamp (epoch seconds) and `now`; None if it is missing."""
    try:
        return now - float(served_at)
    except (TypeError, ValueError):
        return None
