"""`flask --app app registry synth | screen | simulate`: the registry tools on the command line."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..db import get_db
from ..errors import RulebookError
from ..messages import normalise_language, pick
from ..money import format_yuan
from . import cells, outreach, pipeline, store, synth, variants
from .compiler import CompiledRulebook
from .crosscheck import DEFAULT_SAMPLE, DifferenceError
from .output import OutputError
from .tables import RegistryError

registry = AppGroup("registry", help="Synthetic registries for screening and simulation.")


def _engine():
    return current_app.extensions["subsidy.engine"]


def _check_size(value: str) -> int | None:
    if value == "all":
        return None
    if not value.isdigit():
        raise click.BadParameter("a number of rows, or all")
    return int(value)


CHECK = click.option("--check", default=str(DEFAULT_SAMPLE), show_default=True,
                     help="Rows re-evaluated through durable-rules: a number, or all.")


class _Bar:
    """A terminal progress bar fed with (stage, fraction of the whole run)."""

    def __init__(self, bar):
        self.bar, self.shown = bar, 0

    def __call__(self, stage: str, fraction: float):
        target = int(fraction * 1000)
        if target > self.shown:
            self.bar.label = f"{stage:<9}"
            self.bar.update(target - self.shown)
            self.shown = target


def _fail(error: Exception, code: int):
    click.echo(str(error), err=True)
    sys.exit(code)


@registry.command("synth")
@click.option("--firms", type=click.IntRange(1, 5_000_000), required=True, help="How many firms.")
@click.option("--out", "folder", type=click.Path(file_okay=False), default=None,
              help="Folder to write (default: instance/registries/synthetic-N).")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@click.option("--seed", type=int, default=synth.SEED, show_default=True)
@with_appcontext
def synth_command(firms, folder, fmt, seed):
    """Write a synthetic registry of FIRMS firms (nothing in it is real; see subsidy/registry/synth.py)."""
    folder = folder or str(Path(current_app.config["REGISTRY_DIR"]) / f"synthetic-{firms}")
    tables = synth.synthesize(firms, _engine().rulebook, seed)
    synth.write(tables, folder, fmt)
    sizes = ", ".join(f"{name} {table.num_rows:,}" for name, table in tables.items())
    click.echo(f"{folder}: {sizes}")


@click.command("screen")
@click.argument("source", type=click.Path(exists=True))
@click.option("--out", "target", type=click.Path(), required=True,
              help="Results: .parquet, .csv or .xlsx (XLSX only below its row limit).")
@click.option("--outreach", "outreach_target", type=click.Path(dir_okay=False), default=None,
              help="Also write the 免申即享 list: eligible firms with no filing for the clause.")
@click.option("--engine", "engine_name", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True)
@click.option("--master", default=None, help="Spark master URL (default: local[2] on this machine).")
@click.option("--seed", type=int, default=None, help="Seed of the cross-check sample (default: random).")
@CHECK
@click.option("--lang", default="zh", show_default=True)
@with_appcontext
def screen_command(source, target, outreach_target, engine_name, master, seed, check, lang):
    """Screen every company of the registry SOURCE (a folder of tables, or one batch-layout file)."""
    lang = normalise_language(lang)
    engine = _engine()
    try:
        CompiledRulebook(engine.rulebook)
        filed = outreach.filed_clauses(get_db())
        with click.progressbar(length=1000, label="read     ", file=sys.stderr) as bar:
            summary = pipeline.run_screen(source, target, engine.rulebook, engine, check=_check_size(check),
                                          lang=lang, filed=filed, outreach_target=outreach_target,
                                          progress=_Bar(bar), engine_name=engine_name, master=master, seed=seed)
    except (RegistryError, OutputError, cells.ColumnTypeError, RulebookError) as error:
        _fail(error, 2)
    except DifferenceError as error:
        _fail(error, 3)
    _print_screen(summary, engine.rulebook, lang, target)


def _print_screen(summary: dict, rulebook, lang: str, target: str):
    click.echo(f"{summary['companies']:,} companies: {summary['ok']:,} screened, {summary['errors']:,} with errors, "
               f"{summary['orphans']:,} list rows with no company → {target}")
    for line in summary.get("error_lines", [])[:10]:
        click.echo(f"  line {line['line']}: {line['errors']}")
    for line in summary.get("orphan_lines", [])[:10]:
        click.echo(f"  {line}")
    click.echo(f"cross-checked with durable-rules: {summary['checked']:,} rows (seed {summary['seed']}), "
               "0 differences")
    if "clauses" not in summary:
        return
    listed = summary.get("outreach", {})
    click.echo(f"{'clause':<30} {'basis':<8} {'eligible':>10} {'budget':>22} {'no filing':>10}")
    for row in summary["clauses"]:
        clause = rulebook.by_id[row["clause"]]
        click.echo(f"{row['clause']:<30} {row['basis']:<8} {row['companies']:>10,} "
                   f"{format_yuan(row['amount_fen']):>22} {listed.get(row['clause'], 0):>10,}  "
                   f"{pick(clause.title, lang)}")
    click.echo(f"total exact {format_yuan(summary['total_exact_fen'])}, up to {format_yuan(summary['total_up_to_fen'])}"
               f"; {summary['seconds']:.2f} s {summary['timings']}")


@click.command("simulate")
@click.argument("source", type=click.Path(exists=True))
@click.option("--variant", "variant_file", type=click.Path(exists=True, dir_okay=False), required=True,
              help="The variant: a YAML overlay of rates, caps, thresholds and flat amounts.")
@click.option("--out", "target", type=click.Path(dir_okay=False), default=None,
              help="Per-company totals under both, and the change (.parquet, .csv or .xlsx).")
@click.option("--report", "report_target", type=click.Path(dir_okay=False), default=None,
              help="The comparison as JSON.")
@CHECK
@click.option("--lang", default="zh", show_default=True)
@with_appcontext
def simulate_command(source, variant_file, target, report_target, check, lang):
    """Budget a policy variant against the baseline over the registry SOURCE; store the variant as a draft."""
    lang = normalise_language(lang)
    engine = _engine()
    try:
        variant = variants.load_variant(Path(variant_file).read_text(encoding="utf-8"), engine.rulebook,
                                        Path(variant_file).name)
        CompiledRulebook(variant.rulebook)
        store.save_variant(get_db(), variant, "cli")
        with click.progressbar(length=1000, label="read     ", file=sys.stderr) as bar:
            report = pipeline.run_simulate(source, engine.rulebook, engine, variant, variants.engine_for(variant),
                                           check=_check_size(check), target=target, progress=_Bar(bar),
                                           report_target=report_target)
    except (RegistryError, OutputError, cells.ColumnTypeError, RulebookError) as error:
        _fail(error, 2)
    except DifferenceError as error:
        _fail(error, 3)
    except UnicodeDecodeError as error:
        _fail(ValueError(f"{variant_file}: not UTF-8 text ({error.reason})"), 2)
    _print_simulation(report, engine.rulebook, lang)


def _print_simulation(report: dict, rulebook, lang: str):
    click.echo(f"{report['policy']['base']} → {report['policy']['variant']}: {pick(report['variant']['title'], lang)}")
    click.echo(f"{report['ok']:,} companies screened, {report['errors']:,} with errors; cross-checked "
               f"{report['checked']:,} rows with durable-rules, 0 differences")
    click.echo(f"{'clause':<30} {'basis':<8} {'eligible':>9} {'→':>9} {'budget':>20} {'→ variant':>20} {'change':>20}")
    for row in report["clauses"]:
        click.echo(f"{row['clause']:<30} {row['basis']:<8} {row['base_companies']:>9,} {row['variant_companies']:>9,} "
                   f"{format_yuan(row['base_fen']):>20} {format_yuan(row['variant_fen']):>20} "
                   f"{format_yuan(row['delta_fen']):>20}")
    totals = report["totals"]
    click.echo(f"exact: {format_yuan(totals['base_exact_fen'])} → {format_yuan(totals['variant_exact_fen'])}; "
               f"up to: {format_yuan(totals['base_up_to_fen'])} → {format_yuan(totals['variant_up_to_fen'])}")
    click.echo(f"{report['gainers']:,} gain {format_yuan(report['gained_fen'])}, {report['losers']:,} lose "
               f"{format_yuan(report['lost_fen'])}")
    for mover in report["top_losers"][:5] + report["top_gainers"][:5]:
        click.echo(f"  {mover['credit_code']} {mover['name']}: {format_yuan(mover['base_fen'])} → "
                   f"{format_yuan(mover['variant_fen'])} ({format_yuan(mover['delta_fen'])})")


def register(app):
    """Add the registry commands to the app's `flask` command line."""
    for command in (registry, screen_command, simulate_command):
        app.cli.add_command(command)
