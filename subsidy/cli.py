"""Command-line entry points: `flask --app app evaluate | batch | batch-template | rules check`."""

import json
import sys
from decimal import Decimal

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from . import batch as batching
from .errors import ProfileError, RulebookError
from .evaluation import evaluate
from .exports import CsvWriter
from .flat import template_columns
from .messages import normalise_language, pick
from .money import format_percent, format_yuan
from .registry import commands as registry_commands
from .render import result_json
from .rulebook import load_rulebook
from .schemas import load_profile, render_errors

rules = AppGroup("rules", help="Check and list the rulebook.")
LANG = click.option("--lang", default="zh", show_default=True, help="Language of messages: zh or en.")


def _engine():
    return current_app.extensions["subsidy.engine"]


def _dump(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


@click.command("evaluate")
@with_appcontext
@click.argument("source", type=click.File("r", encoding="utf-8"))
@LANG
def evaluate_command(source, lang):
    """Evaluate one profile (a JSON file, or - for standard input) and print the result JSON.

    Exits 2 with the errors, by field, when the profile is invalid.
    """
    lang = normalise_language(lang)
    try:
        data = json.load(source, parse_float=Decimal)
    except ValueError as error:
        click.echo(_dump({"errors": {"_file": [f"not valid JSON: {error}"]}}), err=True)
        sys.exit(2)
    try:
        profile = load_profile(data)
    except ProfileError as error:
        click.echo(_dump({"errors": render_errors(error.errors, lang)}), err=True)
        sys.exit(2)
    click.echo(_dump(result_json(evaluate(profile, _engine()), lang)))


@click.command("batch")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@click.option("--input-format", type=click.Choice(["jsonl", "csv"]), help="Default: from the file name.")
@click.option("--output-format", type=click.Choice(["jsonl", "csv"]), help="Default: from the file name.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per CPU).")
@LANG
def batch_command(source, target, input_format, output_format, jobs, lang):
    """Evaluate every profile in SOURCE (JSON Lines or CSV) and write one result per record to TARGET.

    Bad records are reported in TARGET as errors and on the terminal; the rest go on.
    """
    lang = normalise_language(lang)
    in_fmt = input_format or batching.format_of(source)
    out_fmt = output_format or batching.format_of(target, default=in_fmt)
    engine = _engine()
    total = batching.count_records(source, in_fmt)
    good = bad = 0
    with open(source, encoding="utf-8-sig", newline="") as handle, \
            open(target, "w", encoding="utf-8", newline="") as out:
        writer = batching.Writer(out, out_fmt, engine.rulebook.clause_ids)
        rows = batching.read_rows(handle, in_fmt)
        # A CSV result holds statuses and amounts only: the words of the full result are not worth making.
        outcomes = batching.evaluate_all(rows, engine, lang, full=out_fmt != "csv",
                                         jobs=jobs or batching.default_jobs())
        with click.progressbar(outcomes, length=total, label="Evaluating", file=sys.stderr) as progress:
            for line, data, outcome in progress:
                writer.write(line, data, outcome)
                if "errors" in outcome:
                    bad += 1
                else:
                    good += 1
    click.echo(f"{good} evaluated, {bad} with errors → {target}", err=True)


@click.command("batch-template")
@click.argument("target", type=click.File("w", encoding="utf-8"), default="-")
def batch_template_command(target):
    """Write the CSV column layout for `batch` (an empty template with its header row)."""
    CsvWriter(target, template_columns())


@rules.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Rules folder (default: the app's).")
@LANG
def rules_check_command(directory, lang):
    """Validate the rulebook and print the catalogue; exit 1 listing every problem."""
    lang = normalise_language(lang)
    try:
        rulebook = load_rulebook(directory or current_app.config["RULES_DIR"])
    except RulebookError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    policy = rulebook.policy
    click.echo(f"{policy['id']} {policy['version']} ({policy['date']}): {pick(policy['title'], lang)}")
    for clause in rulebook.clauses:
        click.echo(f"  {clause.id:<30} {clause.clause:<3} {pick(clause.title, lang)}")
        if clause.amount:
            rate = f"{format_percent(clause.amount.rate)} of {clause.amount.base}, " if clause.amount.rate else ""
            for tier in clause.amount.tiers:
                amount = (f"cap {format_yuan(tier.cap_fen)}" if tier.cap_fen is not None
                          else f"{format_yuan(tier.per_unit_fen)} per {clause.per}")
                click.echo(f"      {rate}{amount} [{clause.basis}] — {pick(tier.name, lang)}")
        else:
            click.echo(f"      referral: {pick(clause.refers_to, lang)}")
    click.echo(f"{len(rulebook.clauses)} clauses, all valid.")


def register(app):
    """Add the commands to the app's `flask` command line."""
    for command in (evaluate_command, batch_command, batch_template_command, rules):
        app.cli.add_command(command)
    registry_commands.register(app)
