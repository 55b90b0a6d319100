"""``flask --app wsgi rules …``: validate, test, publish, list and explain merit rule packs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from api.cli.errors import reported
from api.state import db
from rules.explain import explain
from rules.pack import Pack, load_pack, load_shipped
from rules.profile import VacancyContext, read_profile
from rules.scenarios import coverage_lines, load_scenarios, run
from rules.vocab import PositionLevel
from workflow import screening

rules_cli = AppGroup("rules", help="Merit rule packs: validate, test, publish, list, explain.")


def _packs(reference: str | None) -> list[tuple[Pack, Path | None, bool]]:
    """Return (pack, scenario directory, shipped) for a pack id, a path, or every shipped pack."""
    shipped = load_shipped()
    if reference is None:
        return [(p, _scenario_dir(p), True) for p in _ordered(shipped)]
    if reference in shipped:
        pack = shipped[reference]
        return [(pack, _scenario_dir(pack), True)]
    path = Path(reference)
    if not path.exists():
        raise click.BadParameter(
            f"{reference} is neither a shipped pack ({', '.join(shipped)}) nor a path"
        )
    pack = load_pack(path, parents=shipped)
    directory = (path if path.is_dir() else path.parent) / "scenarios"
    return [(pack, directory if directory.is_dir() else None, False)]


def _ordered(packs: dict[str, Pack]) -> list[Pack]:
    """Return packs with every parent before its overlays."""
    out: list[Pack] = []
    pending = list(packs.values())
    while pending:
        for pack in list(pending):
            if pack.parent is None or pack.parent.id in {p.id for p in out}:
                out.append(pack)
                pending.remove(pack)
    return out


def _scenario_dir(pack: Pack) -> Path | None:
    directory = Path(pack.source).parent / "scenarios"
    return directory if directory.is_dir() else None


@rules_cli.command("validate")
@click.argument("path", required=False)
def validate(path: str | None) -> None:
    """Validate PATH (a pack directory or pack.yaml; default: every shipped pack)."""
    with reported():
        for pack, scenarios, _ in _packs(path):
            count = len(load_scenarios(scenarios)) if scenarios else 0
            levels = ", ".join(p.value for p in pack.levels)
            click.echo(
                f"ok  {pack.id} {pack.version}  sha256 {pack.digest}\n"
                f"    {len(pack.criteria)} criteria, levels {levels}, {count} scenarios"
            )


@rules_cli.command("test")
@click.argument("pack", required=False)
def test(pack: str | None) -> None:
    """Run the scenarios of PACK (a shipped pack id or a path; default: every shipped pack)."""
    failed = False
    with reported():
        shipped = load_shipped()
        for candidate, directory, is_shipped in _packs(pack):
            click.echo(f"{candidate.id} {candidate.version} (sha256 {candidate.digest[:16]}…)")
            if directory is None:
                click.echo("  no scenarios")
                failed |= is_shipped
                continue
            parent = shipped.get(candidate.parent.id) if candidate.parent else None
            report = run(candidate, load_scenarios(directory), parent=parent)
            for result in report.results:
                mark = "PASS" if result.ok else "FAIL"
                where = Path(result.scenario.file).name
                click.echo(f"  {mark}  {where}: {result.scenario.name}")
                for problem in result.problems:
                    click.echo(f"          {problem}")
            click.echo(f"  coverage ({len(report.coverage)} criteria, seen passing and failing):")
            for line in coverage_lines(report):
                click.echo(line)
            ratio = report.coverage_ratio
            click.echo(
                f"  {len(report.results) - len(report.failures)}/{len(report.results)} scenarios "
                f"passed, coverage {ratio:.0%}"
            )
            failed |= bool(report.failures) or (is_shipped and ratio < 1)
    if failed:
        raise SystemExit(1)


@rules_cli.command("publish")
@click.argument("pack", required=False)
@click.option(
    "--by",
    "published_by",
    default=None,
    help="Who publishes, kept with the pack, not in the ledger (default: command line).",
)
def publish(pack: str | None, published_by: str | None) -> None:
    """Publish PACK (default: every shipped pack, parents first); a published version is fixed."""
    actor = published_by or "command line"
    with reported():
        for candidate, _, _ in _packs(pack):
            stored = screening.publish_pack(
                db(), pack=candidate, published_by=actor, now=dt.datetime.now(dt.UTC)
            )
            state = "already published" if stored.already_published else "published"
            click.echo(f"{state}: {stored.pack_id} {stored.version}  sha256 {stored.digest}")


@rules_cli.command("list")
def list_packs() -> None:
    """List the published rule packs."""
    with reported():
        for stored in screening.list_published(db()):
            parent = f"  parent {stored.parent_digest[:16]}…" if stored.parent_digest else ""
            click.echo(
                f"{stored.pack_id:<20} {stored.version:<12} sha256 {stored.digest}  "
                f"{stored.published_at:%Y-%m-%d %H:%M} by {stored.published_by}{parent}"
            )


def _resolve_pack(reference: str) -> Pack:
    shipped = load_shipped()
    if reference in shipped:
        return shipped[reference]
    if len(reference) == 64 and all(c in "0123456789abcdef" for c in reference):
        return screening.load_published(db(), digest=reference)
    path = Path(reference)
    if path.exists():
        return load_pack(path, parents=shipped)
    raise click.BadParameter(
        f"{reference} is not a shipped pack ({', '.join(shipped)}), a published digest or a path",
        param_hint="--pack",
    )


def _read_json(path: str, what: str) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.BadParameter(f"cannot read {what} {path}: {exc}") from None


@rules_cli.command("explain")
@click.option(
    "--pack", "pack_ref", required=True, help="Shipped pack id, published digest or path."
)
@click.option("--position", help="Registry position: ID, CODE or TENANT/CODE.")
@click.option("--nip", help="Registry employee NIP.")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False), help="Profile JSON.")
@click.option("--level", type=click.Choice([lvl.value for lvl in PositionLevel]))
@click.option("--position-file", type=click.Path(dir_okay=False), help="Vacancy JSON.")
@click.option("--reference-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="Default: today.")
@click.option("--evaluator", type=click.Choice(["engine", "reference"]), default="engine")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", help="Text language.")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain_command(
    pack_ref: str,
    position: str | None,
    nip: str | None,
    profile_file: str | None,
    level: str | None,
    position_file: str | None,
    reference_date: dt.datetime | None,
    evaluator: str,
    lang: str,
    as_json: bool,
) -> None:
    """Explain one candidate's eligibility, from the registry or from a profile file (what-if).

    \b
    From the registry:  --pack P --position POS --nip NIP [--reference-date D]
    Any profile:        --pack P --profile file.json (--level L | --position-file vacancy.json)
    """
    registry = position is not None or nip is not None
    if registry == (profile_file is not None):
        raise click.UsageError("give either --position and --nip, or --profile")
    if registry and (position is None or nip is None):
        raise click.UsageError("--position and --nip go together")
    if profile_file is not None and (level is None) == (position_file is None):
        raise click.UsageError("with --profile give exactly one of --level and --position-file")
    with reported():
        pack = _resolve_pack(pack_ref)
        when = reference_date.date() if reference_date else dt.date.today()
        if registry:
            assert position is not None
            assert nip is not None
            context, profile = screening.registry_candidate(
                db(), position=position, nip=nip, reference_date=when
            )
        else:
            assert profile_file is not None
            raw_profile = _read_json(profile_file, "profile")
            profile, warnings = read_profile(raw_profile, where=profile_file, lenient=True)
            for warning in warnings:
                click.echo(f"warning: {warning}", err=True)
            if position_file is not None:
                raw = _read_json(position_file, "vacancy")
                if isinstance(raw, dict) and "reference_date" not in raw:
                    raw = {**raw, "reference_date": when.isoformat()}
                context = VacancyContext.from_json(raw, where=position_file)
            else:
                assert level is not None
                context = VacancyContext(PositionLevel(level), when)
        result = explain(pack, context, profile, evaluator=evaluator)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(result.render_text(lang))  # type: ignore[arg-type]
