"""Admin views: thin wrappers that validate a form, call app.services.accounts and commit once."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from app import mail
from app.admin.forms import (
    AddTraineeForm,
    CohortForm,
    ConfirmForm,
    MoveTraineeForm,
    RosterApplyForm,
    RosterUploadForm,
    UserCreateForm,
    UserEditForm,
)
from app.extensions import db
from app.models import Cohort, Role, User
from app.policy import Action, get_or_404, require
from app.services import accounts, roster
from app.services.accounts import AccountError
from app.services.roster import RosterFileError

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _form_error(form, error: AccountError) -> None:
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


@bp.get("/")
@require(Action.ADMINISTER)
def index():
    per_role, cohort_count = accounts.counts()
    return render_template("admin/index.html", counts=per_role, cohort_count=cohort_count, roles=list(Role))


@bp.get("/users")
@require(Action.ADMINISTER)
def users():
    role = request.args.get("role")
    return render_template("admin/users.html", users=accounts.people(role), role=role, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@require(Action.ADMINISTER)
def user_new():
    form = UserCreateForm()
    form.cohort.choices = [SelectChoice(0, "No cohort")] + [
        SelectChoice(c.id, c.name) for c in accounts.all_cohorts()
    ]
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data, form.password.data, {Role(r) for r in form.roles.data}, form.name.data
            )
            if form.cohort.data:
                accounts.add_trainee(get_or_404(Cohort, form.cohort.data, "cohort"), user)
        except AccountError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"Account created for {user.email}.", "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require(Action.ADMINISTER)
def user_edit(user_id: int):
    user = get_or_404(User, user_id, "account")
    form = UserEditForm(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
    if form.validate_on_submit():
        roles = {Role(r) for r in form.roles.data}
        try:
            accounts.update_account(user, form.name.data, roles, form.active.data, form.new_password.data)
        except AccountError as error:
            form.roles.errors.append(str(error))
            return _user_page(user, form), 400
        db.session.commit()
        flash(f"Saved {user.email}.", "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return _user_page(user, form)


def _move_form() -> MoveTraineeForm:
    form = MoveTraineeForm()
    form.cohort.choices = [SelectChoice(0, "No cohort")] + [
        SelectChoice(c.id, c.name) for c in accounts.all_cohorts()
    ]
    return form


def _user_page(user: User, form: UserEditForm) -> str:
    cohorts = {"trainee": accounts.cohorts_of_trainee(user), "trainer": accounts.cohorts_of_trainer(user)}
    move_form = None
    if Role.TRAINEE in user.roles:
        move_form = _move_form()
        current = cohorts["trainee"]
        move_form.cohort.data = current[0].id if len(current) == 1 else 0
    return render_template("admin/user_edit.html", form=form, user=user, cohorts=cohorts, move_form=move_form)


@bp.post("/users/<int:user_id>/cohort")
@require(Action.ADMINISTER)
def user_move(user_id: int):
    """Move a trainee to one cohort in one step: they leave the others."""
    user = get_or_404(User, user_id, "account")
    form = _move_form()
    if not form.validate_on_submit() or form.cohort.data is None:  # a missing choice moves nobody
        flash("Choose one of the cohorts listed to move the trainee to.", "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    target = get_or_404(Cohort, form.cohort.data, "cohort") if form.cohort.data else None
    try:
        left = accounts.move_trainee(user, target)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    db.session.commit()
    was = f" (left {', '.join(c.name for c in left)})" if left else ""
    flash(
        f"{user.name} is now in {target.name}{was}." if target else f"{user.name} is now in no cohort{was}.",
        "success",
    )
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/import", methods=["GET", "POST"])
@require(Action.ADMINISTER)
def user_import():
    """Bulk add, step one: upload a CSV and see every row checked (nothing is written)."""
    form = RosterUploadForm()
    report, apply_form = None, None
    if form.validate_on_submit():
        data = form.file.data.read(roster.MAX_BYTES + 1)
        try:
            report = roster.check(data)
        except RosterFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            if report.ok:
                apply_form = RosterApplyForm(formdata=None, roster=report.text)
    return _import_page(form, report, apply_form)


def _import_page(
    form: RosterUploadForm, report: roster.RosterReport | None, apply_form: RosterApplyForm | None
):
    return render_template(
        "admin/user_import.html",
        form=form,
        report=report,
        apply_form=apply_form,
        max_rows=roster.MAX_ROWS,
        max_size=roster.size_limit(),
    )


@bp.post("/users/import/apply")
@require(Action.ADMINISTER)
def user_import_apply():
    """Bulk add, step two: add everyone from the checked file, or nobody if anything changed since."""
    form = RosterApplyForm()
    if not form.validate_on_submit():
        flash("Upload the file and check it first.", "error")
        return redirect(url_for("admin.user_import"))
    try:
        report = roster.apply(form.roster.data.encode("utf-8"))
    except RosterFileError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.user_import"))
    except IntegrityError:  # another admin added one of these e-mails between the check and this flush
        db.session.rollback()
        flash(
            "Some of these accounts were added by someone else a moment ago; nobody was added. Check the file "
            "again.",
            "error",
        )
        return redirect(url_for("admin.user_import"))
    if not report.applied:
        db.session.rollback()
        return _import_page(RosterUploadForm(formdata=None), report, None), 409
    db.session.commit()
    how = (
        'each uses "Forgot password?" on the sign-in page, or you set one on their account page'
        if mail.configured()
        else "set one on each account page (this academy sends no e-mail yet)"
    )
    flash(
        f"Added {len(report.rows)} {'person' if len(report.rows) == 1 else 'people'}. "
        f"They have no password yet: {how}.",
        "success",
    )
    return redirect(url_for("admin.users"))


@bp.get("/cohorts")
@require(Action.ADMINISTER)
def cohorts():
    return render_template("admin/cohorts.html", cohorts=accounts.all_cohorts())


def _cohort_form(cohort: Cohort | None = None) -> CohortForm:
    form = CohortForm(obj=cohort)
    form.trainers.choices = [
        SelectChoice(u.id, f"{u.name} ({u.email})") for u in accounts.people_with_role(Role.TRAINER)
    ]
    if cohort is not None and request.method == "GET":
        form.trainers.data = [t.id for t in cohort.trainers]
    return form


@bp.route("/cohorts/new", methods=["GET", "POST"])
@require(Action.ADMINISTER)
def cohort_new():
    form = _cohort_form()
    if form.validate_on_submit():
        try:
            cohort = accounts.create_cohort(form.name.data, accounts.people_by_ids(form.trainers.data or []))
        except AccountError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(f"Cohort {cohort.name} created.", "success")
            return redirect(url_for("admin.cohort_edit", cohort_id=cohort.id))
    return render_template("admin/cohort_new.html", form=form)


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@require(Action.ADMINISTER)
def cohort_edit(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id, "cohort")
    form = _cohort_form(cohort)
    if form.validate_on_submit():
        try:
            accounts.save_cohort(cohort, form.name.data, accounts.people_by_ids(form.trainers.data or []))
        except AccountError as error:
            _form_error(form, error)
        else:
            db.session.commit()
            flash("Cohort saved.", "success")
            return redirect(url_for("admin.cohort_edit", cohort_id=cohort.id))
    add_form = AddTraineeForm()
    members = {t.id for t in cohort.trainees}
    add_form.trainee.choices = [
        SelectChoice(u.id, f"{u.name} ({u.email})")
        for u in accounts.people_with_role(Role.TRAINEE)
        if u.id not in members
    ]
    return render_template(
        "admin/cohort_edit.html", form=form, add_form=add_form, remove_form=ConfirmForm(), cohort=cohort
    )


@bp.post("/cohorts/<int:cohort_id>/trainees")
@require(Action.ADMINISTER)
def cohort_add_trainee(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id, "cohort")
    form = AddTraineeForm()
    form.trainee.choices = [SelectChoice(u.id, u.email) for u in accounts.people_with_role(Role.TRAINEE)]
    if not form.validate_on_submit():
        flash("Pick a trainee to add.", "error")
        return redirect(url_for("admin.cohort_edit", cohort_id=cohort.id))
    trainee = get_or_404(User, form.trainee.data, "account")
    accounts.add_trainee(cohort, trainee)
    db.session.commit()
    flash(f"{trainee.name} added to {cohort.name}.", "success")
    return redirect(url_for("admin.cohort_edit", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/trainees/<int:user_id>/remove")
@require(Action.ADMINISTER)
def cohort_remove_trainee(cohort_id: int, user_id: int):
    cohort = get_or_404(Cohort, cohort_id, "cohort")
    trainee = get_or_404(User, user_id, "account")
    if ConfirmForm().validate_on_submit():
        accounts.remove_trainee(cohort, trainee)
        db.session.commit()
        flash(f"{trainee.name} removed from {cohort.name}.", "success")
    return redirect(url_for("admin.cohort_edit", cohort_id=cohort.id))
