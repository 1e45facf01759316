"""Registry screening (免申即享) and policy simulation for officers: jobs run in a background process.

Starting a job returns at once: a detached worker process reads the registry, writes the results and reports
its progress in the database. The job's page shows that progress (reloading itself without JavaScript, or
polled by static/registry.js), then the totals, the outreach lists and, for a variant, the budget side by side.
"""

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..assessments import audit
from ..db import get_db
from ..errors import RulebookError
from ..evaluation import evaluate
from ..i18n import page_language
from ..messages import pick, text
from ..registry import jobs, store, variants
from ..registry.compiler import CompiledRulebook, CompileError
from ..registry.crosscheck import typed_profile
from ..registry.output import FORMATS
from ..registry.tables import RegistryError, read_company
from ..registry.validate import validate
from ..render import result_json
from ..schemas import render_errors
from .budget_chart import budget_chart

bp = Blueprint("officer_registry", __name__, url_prefix="/officer/registry")
FILES = {"screen": ("results", "outreach"), "simulate": ("changes",)}
EXAMPLE_VARIANT = """name: rd-rate-15
title:
  zh: 研发补助比例 20% 调整为 15%
  en: R&D subsidy at 15 % instead of 20 %
changes:
  - clause: rd_subsidy
    rate: 15%
"""


def _stage_labels() -> dict:
    return {"read": _("读取登记库"), "validate": _("校验数据"), "evaluate": _("逐条款测算"),
            "check": _("规则引擎复核"), "write": _("写出结果"), "done": _("已完成"), None: _("排队中")}


@bp.context_processor
def _helpers():
    labels = _stage_labels()
    return {
        "stage_label": lambda stage: labels.get(stage, stage),
        "stage_labels": {k: v for k, v in labels.items() if k},
        "job_status": lambda status: {"queued": _("排队中"), "running": _("运行中"), "done": _("已完成"),
                                      "failed": _("失败")}.get(status, status),
        "file_label": lambda name: {"results": _("全部结果"), "outreach": _("免申即享名单"),
                                    "changes": _("逐户变化")}.get(name, name),
        "clause_status": lambda status: text(f"status_{status}", page_language()),
    }


def _engine():
    return current_app.extensions["subsidy.engine"]


def _index(variant_text=EXAMPLE_VARIANT, problems=(), status=200, error=None):
    db = get_db()
    return render_template("officer/registry.html", registries=jobs.registries(current_app.config["REGISTRY_DIR"]),
                           variants=store.variants(db), jobs=store.jobs(db), variant_text=variant_text,
                           problems=list(problems), error=error), status


@bp.get("/")
@login_required
def index():
    return _index()


def _start(kind: str, registry: str, variant_id=None):
    if registry not in jobs.registries(current_app.config["REGISTRY_DIR"]):
        return None
    db = get_db()
    job = store.create_job(db, kind, current_user.username, registry, variant_id)
    audit(db, current_user.username, f"registry_{kind}", after={"job": job["token"], "registry": registry,
                                                                "variant": variant_id})
    jobs.start(current_app.config, job["token"], current_app.config["REGISTRY_CHECK"], page_language())
    return redirect(url_for("officer_registry.job", token=job["token"]), code=303)


@bp.post("/screen")
@login_required
def screen():
    """Start screening a registry in the background and go to its page."""
    return _start("screen", request.form.get("registry", "")) or _index(status=400, error="registry")


@bp.post("/simulate")
@login_required
def simulate():
    """Check a variant (pasted, or a stored draft), keep it as a draft, and start the simulation."""
    db = get_db()
    text = request.form.get("variant", "")
    if request.form.get("variant_id", "").isdigit():
        row = store.variant_row(db, int(request.form["variant_id"]))
        if row is None:
            abort(404)
        text = row["source"]
    try:
        variant = variants.load_variant(text, _engine().rulebook, "variant.yaml")
        CompiledRulebook(variant.rulebook)
    except (RulebookError, CompileError) as error:
        return _index(text, error.problems, 400)
    saved = store.save_variant(db, variant, current_user.username)
    return _start("simulate", request.form.get("registry", ""), saved["id"]) or _index(text, (), 400, "registry")


def _job_or_404(token):
    found = store.job(get_db(), token)
    if found is None:
        abort(404)
    return found


@bp.get("/jobs/<token>")
@login_required
def job(token):
    """The job's progress (the page reloads itself while it runs), then its results."""
    found = _job_or_404(token)
    names = {c.id: pick(c.title, page_language()) for c in _engine().rulebook.clauses}
    chart = None
    if found["status"] == "done" and found["kind"] == "simulate":
        chart = budget_chart(found["summary"]["clauses"], names, page_language(),
                             (_label("base"), _label("variant")))
    variant = store.variant_row(get_db(), found["variant_id"]) if found["variant_id"] else None
    return render_template("officer/registry_job.html", job=found, names=names, chart=chart, variant=variant,
                           files=_files(found))


def _label(which):
    return _("现行政策") if which == "base" else _("调整方案")


def _files(found) -> list[tuple[str, str]]:
    folder = Path(current_app.config["REGISTRY_JOBS_DIR"]) / found["token"]
    return [(name, fmt) for name in FILES[found["kind"]] for fmt in FORMATS if (folder / f"{name}.{fmt}").exists()]


@bp.get("/jobs/<token>/status")
@login_required
def status(token):
    """The job's progress as JSON, for static/registry.js."""
    found = _job_or_404(token)
    return {"status": found["status"], "stage": found["stage"], "progress": found["progress"]}


@bp.get("/jobs/<token>/files/<name>.<fmt>")
@login_required
def download(token, name, fmt):
    """A result file the job wrote (CSV and XLSX were written through exports.py, formula-safe)."""
    found = _job_or_404(token)
    if (name, fmt) not in _files(found):
        abort(404)
    audit(get_db(), current_user.username, "registry_export", after={"job": token, "file": f"{name}.{fmt}"})
    path = Path(current_app.config["REGISTRY_JOBS_DIR"]) / token / f"{name}.{fmt}"
    return send_file(path, as_attachment=True, download_name=f"{found['kind']}-{token[:8]}-{name}.{fmt}")


@bp.get("/jobs/<token>/firm/<code>")
@login_required
def firm(token, code):
    """One company of a job's registry, clause by clause: why, under the baseline and (for a simulation) the variant."""
    found = _job_or_404(token)
    lang = page_language()
    try:
        typed = validate(read_company(jobs.registry_path(current_app.config["REGISTRY_DIR"], found["registry"]), code))
    except (RegistryError, jobs.JobError):
        abort(404)
    if typed.n == 0:
        abort(404)
    if typed.errors:
        return render_template("officer/registry_firm.html", job=found, errors=render_errors(typed.errors[0], lang),
                               base=None, changed=None, code=code), 422
    profile = typed_profile(typed, 0)
    base = result_json(evaluate(profile, _engine()), lang)
    changed = None
    if found["variant_id"]:
        row = store.variant_row(get_db(), found["variant_id"])
        variant = variants.load_variant(row["source"], _engine().rulebook, f"{row['name']}.yaml")
        changed = result_json(evaluate(profile, variants.engine_for(variant)), lang)
    return render_template("officer/registry_firm.html", job=found, errors=None, base=base, changed=changed,
                           code=code, company_name=profile["company"]["name"])
