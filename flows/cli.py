"""The `broadsheet` command.

    broadsheet run [--sources FILE] [--source NAME]... [--out DIR]
                                             publish the sources of sources.toml into output/
    broadsheet run --raw DIR [--out DIR]     publish the files under DIR (one `files` source)
    broadsheet catalog [--out DIR]           list the releases of an output folder
    broadsheet catalog --rebuild [--out DIR] rebuild catalog.json from the releases on disk
    broadsheet serve [--out DIR]             serve an output folder over HTTP (read-only)
    broadsheet download URL --dest DIR       fetch a release, verified and resumable
    broadsheet diff OLD NEW [--out DIR]      what changed between two releases (ids or folders)
    broadsheet ingestors                     list the ingestors: built-in and from plugins

Exit status: 0 when a release was published or the input was unchanged, also when
some inputs were rejected; 1 when nothing could be published; 2 for bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.errors import BroadsheetError
from flows.ingest.sources import DEFAULT_SOURCES_FILE
from flows.settings import Limits
from flows.version import package_version

__all__ = ["main"]

EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2
_PROGRESS_MIN_DOCUMENTS = 500


def _prefect_defaults() -> None:
    """Quiet, project-local Prefect unless the user configured it (must run before importing prefect)."""
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadsheet",
        description="Turn raw news text into versioned datasets of articles, positions (who said what) "
        "and reader comments, published as Parquet and JSON Lines.",
        epilog="Run `broadsheet COMMAND --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"broadsheet {package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="publish the sources (or every file in the raw folder) as a release",
        description="Ingest the sources declared in --sources (default sources.toml; without that file, "
        "every file under raw/), extract articles, positions and comments, and publish "
        "them as a new release under --out (Parquet, JSON Lines, datapackage.json, a dataset card, and "
        "catalog.json last). Unchanged input publishes nothing new. Runs as a Prefect flow on Prefect's "
        "temporary local server unless PREFECT_API_URL points at a server.",
    )
    _add_input_options(run)
    run.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary line")
    _add_publishing_options(run)

    catalog = commands.add_parser(
        "catalog", help="list the releases of an output folder, or rebuild its catalog",
        description="Print the releases named in OUT/catalog.json, newest first, with their row counts. "
        "With --rebuild, write catalog.json anew from the releases on disk: each release's "
        "datapackage.json is read and every file checked against its size and SHA-256; releases that "
        "fail are left out and listed.",
    )
    catalog.add_argument("--out", default="output", metavar="DIR",
                         help="output folder or s3://bucket/prefix URL (default: output)")
    catalog.add_argument("--rebuild", action="store_true",
                         help="rebuild catalog.json from the releases on disk, verifying every file")
    _add_serving_commands(commands)
    diff = commands.add_parser(
        "diff", help="what changed between two releases: records added, removed and changed",
        description="Compare two releases, each given as a release id in --out's catalog or as the path of a "
        "release folder: inputs added, changed, removed and unchanged, then articles, positions and "
        "comments added, removed, changed (same id or, for an edited input, same place in it; different "
        "content) and unchanged, with their ids. The same as the changes.json a run publishes against the "
        "previous release.",
    )
    diff.add_argument("old", metavar="OLD", help="the older release: an id, or a release folder")
    diff.add_argument("new", metavar="NEW", help="the newer release: an id, or a release folder")
    diff.add_argument("--out", default="output", metavar="DIR",
                      help="output folder or s3://bucket/prefix URL whose catalog names the ids (default: output)")
    diff.add_argument("--json", action="store_true", help="print the diff as JSON (every id), as in changes.json")
    schedule = commands.add_parser(
        "schedule", help="publish on a schedule (cron or interval) as a Prefect deployment",
        description="Serve the publish flow as a Prefect deployment that runs on --cron or every --interval "
        "seconds, with the same inputs and options as `broadsheet run`. Prefect schedules need an API "
        "server: with PREFECT_API_URL set, that server is used; otherwise a local `prefect server` is "
        "started on 127.0.0.1 (state under .prefect/server/) and stopped with the schedule. Runs never "
        "overlap: one that is due while another is still publishing is cancelled. Ctrl-C or SIGTERM "
        "stops the schedule and the server it started.",
    )
    when = schedule.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR", help='cron expression, e.g. "0 * * * *" for every hour (UTC)')
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS seconds")
    schedule.add_argument("--name", default="broadsheet-schedule", metavar="NAME",
                          help="name of the deployment (default: broadsheet-schedule)")
    _add_input_options(schedule)
    commands.add_parser(
        "ingestors", help="list the ingestors that sources.toml can use",
        description="List every ingestor by name: the built-ins and those that installed packages register "
        "in the 'broadsheet.ingestors' entry-point group, with the package and the settings of each.",
    )
    return parser


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    """What to ingest and where to publish: shared by `run` and `schedule`."""
    parser.add_argument("--raw", type=Path, default=None, metavar="DIR",
                     help="ingest every file under DIR as one `files` source, instead of the sources file")
    parser.add_argument("--sources", type=Path, default=None, metavar="FILE",
                     help=f"the sources file (default: {DEFAULT_SOURCES_FILE}; without it, --raw raw)")
    parser.add_argument("--source", action="append", default=[], metavar="NAME",
                     help="ingest only the source NAME of the sources file (repeat for several)")
    parser.add_argument("--out", default="output", metavar="DIR",
                     help="output folder, or s3://bucket/prefix URL, to publish into (default: output)")
    parser.add_argument("--keep", type=int, default=None, metavar="N",
                     help="after publishing, keep only the N newest releases (default: keep all)")
    parser.add_argument("--batch-size", type=_positive, default=200, metavar="N",
                     help="documents per parse batch (default: 200)")
    parser.add_argument("--workers", type=_positive, default=None, metavar="N",
                     help="processes that parse batches in parallel (default: one per core; 1: parse in "
                     "the run's own process)")
    limits = Limits()
    parser.add_argument("--max-document-bytes", type=int, default=limits.max_document_bytes, metavar="N",
                     help=f"reject inputs larger than N bytes (default: {limits.max_document_bytes:,})")
    parser.add_argument("--max-comments", type=int, default=limits.max_comments, metavar="N",
                     help=f"reject documents with more than N comments (default: {limits.max_comments:,})")
    parser.add_argument("--max-depth", type=int, default=limits.max_depth, metavar="N",
                     help=f"reject comment threads deeper than N (default: {limits.max_depth:,})")
    parser.add_argument("--max-line-chars", type=int, default=limits.max_line_chars, metavar="N",
                     help=f"reject documents with a line longer than N characters (default: {limits.max_line_chars:,})")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def _add_publishing_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                     help="when another run is publishing into --out, wait up to SECONDS for it "
                     "(default: 0, exit at once with a message)")
    run.add_argument("--full", action="store_true",
                     help="parse every input again instead of carrying unchanged ones forward")
    run.add_argument("--no-prefect", action="store_true",
                     help="run the stages directly, without the Prefect flow (no Prefect server)")
    run.add_argument("--runner", choices=("local", "dask"), default="local",
                     help="where the flow's batch tasks run: 'local' (worker processes on this machine, "
                     "the default) or 'dask' (a Dask cluster through prefect-dask; pip install "
                     "'broadsheet[dask]')")
    run.add_argument("--dask-address", default=None, metavar="tcp://HOST:PORT",
                     help="with --runner dask: the scheduler of a running Dask cluster (default: start a "
                     "local cluster of --workers processes for the run)")


def _add_serving_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve", help="serve an output folder over HTTP, read-only",
        description="Serve OUT/catalog.json and the release files it names over HTTP (GET and HEAD only, "
        "with ETag, Last-Modified and byte ranges, so Parquet readers and `broadsheet download` can "
        "fetch parts of files). Nothing else in the folder is served. Logs one line per request.",
    )
    serve.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                       help="output folder to serve (default: output)")
    serve.add_argument("--host", default="127.0.0.1", metavar="H",
                       help="address to listen on (default: 127.0.0.1; 0.0.0.0 for every interface)")
    serve.add_argument("--port", type=int, default=8000, metavar="P",
                       help="port (default: 8000; 0: any free port)")

    download = commands.add_parser(
        "download", help="download a release, verifying every file",
        description="Read the catalog at URL (a `broadsheet serve` or any web server holding an output "
        "folder, a folder, or a file:// or s3:// URL) and download a release into DEST: each file is "
        "streamed into DEST/<path>.part, resumed with an HTTP Range request if interrupted, checked "
        "against the catalog's size and SHA-256, and only then moved into place. A file that fails the "
        "check is deleted and the command fails.",
    )
    download.add_argument("url", metavar="URL", help="where the catalog is, e.g. http://127.0.0.1:8000/")
    download.add_argument("--dest", type=Path, required=True, metavar="DIR", help="destination folder")
    download.add_argument("--release", default=None, metavar="ID", help="release id (default: the latest)")
    download.add_argument("--dataset", action="append", default=None, metavar="NAME",
                          help="dataset to download (repeatable; default: all)")
    download.add_argument("--format", choices=("parquet", "jsonl"), default=None,
                          help="download only this format (default: both)")
    download.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _print_summary(console: Console, result: dict[str, object]) -> None:
    rows = result.get("rows") or {}
    assert isinstance(rows, dict)
    if rows:
        table = Table(title=None, show_header=True, header_style="bold")
        table.add_column("dataset")
        table.add_column("rows", justify="right")
        for name, count in rows.items():
            table.add_row(str(name), f"{count:,}")
        console.print(table)
    rejects = result.get("rejects") or []
    assert isinstance(rejects, list)
    for reject in rejects[:20]:
        where = f"{reject['stage']}, {reject['error']}"
        console.print(f"[yellow]rejected[/] {reject['uri']}: {reject['message']} ({where})")
    if len(rejects) > 20:
        console.print(f"[yellow]… and {len(rejects) - 20} more rejects; see rejects.jsonl in the release[/]")
    if result.get("published") and result.get("carried"):
        console.print(f"parsed {result['parsed']:,} new or changed inputs; carried {result['carried']:,} "
                      "unchanged documents forward")
    where = f" at {result['release_path']}" if result.get("release_path") else ""
    console.print(f"[bold]{result['message']}[/]{where}")


def _run_without_prefect(args: argparse.Namespace, raw: Path, sources_file: Path | None) -> dict[str, object]:
    from flows.ingest.sources import load_sources
    from flows.pipeline.run import run_once

    limits = Limits(max_document_bytes=args.max_document_bytes, max_comments=args.max_comments,
                    max_depth=args.max_depth, max_line_chars=args.max_line_chars)
    sources = load_sources(sources_file, args.source) if sources_file is not None else None
    outcome = run_once(raw, args.out, limits=limits, keep=args.keep, batch_size=args.batch_size,
                       wait=args.wait, full=args.full, sources=sources, workers=args.workers)
    return outcome.summary()


def _inputs(args: argparse.Namespace, errors: Console) -> tuple[Path, Path | None] | int:
    """The raw folder and the sources file (None: the raw folder alone) that `args` ask for, checked
    before Prefect starts so that errors say what to fix; an exit status when they are wrong."""
    from flows.ingest.sources import load_sources

    if args.raw is not None and (args.sources is not None or args.source):
        errors.print("[red]error:[/] --raw DIR ingests one folder; --sources and --source pick sources "
                     "from a sources file: use one or the other")
        return EXIT_USAGE
    sources_file = args.sources or DEFAULT_SOURCES_FILE
    chosen = args.sources is not None or bool(args.source)
    use_sources = args.raw is None and (chosen or sources_file.exists())
    raw = args.raw or Path("raw")
    if use_sources:
        load_sources(sources_file, args.source)
        return raw, sources_file
    if not raw.is_dir():
        errors.print(f"[red]error:[/] {raw}/ does not exist or is not a folder: "
                     "create it and put .txt files there, or pass --raw DIR")
        return EXIT_NOTHING
    return raw, None


def _run(args: argparse.Namespace, console: Console, errors: Console) -> int:
    from flows.pipeline.progress import listen

    if args.no_prefect and (args.runner != "local" or args.dask_address):
        errors.print("[red]error:[/] --runner and --dask-address choose where the Prefect flow's tasks run: "
                     "leave them out with --no-prefect")
        return EXIT_USAGE
    if args.dask_address and args.runner != "dask":
        errors.print("[red]error:[/] --dask-address goes with --runner dask")
        return EXIT_USAGE
    inputs = _inputs(args, errors)
    if isinstance(inputs, int):
        return inputs
    raw, sources_file = inputs
    use_sources = sources_file is not None
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True,
                        disable=args.quiet or not console.is_terminal)
    tasks: dict[str, TaskID] = {}

    def show(stage: str, done: int, total: int) -> None:
        if total < _PROGRESS_MIN_DOCUMENTS:
            return
        if stage not in tasks:
            tasks[stage] = progress.add_task(f"{stage} documents", total=total)
        progress.update(tasks[stage], completed=done)

    listen(show)
    try:
        with progress:
            if args.no_prefect:
                result = _run_without_prefect(args, raw, sources_file)
            else:
                _prefect_defaults()
                from flows.orchestrate.server import temporary_server

                with temporary_server(Path(os.environ["PREFECT_HOME"])) as server:
                    from flows.orchestrate.flow import run_flow  # (while the server starts)

                    result = run_flow(
                        runner=args.runner, dask_address=args.dask_address,
                        api_url=server.api_url() if server is not None else None,
                        raw=str(raw), out=str(args.out), keep=args.keep, batch_size=args.batch_size,
                        max_document_bytes=args.max_document_bytes, max_comments=args.max_comments,
                        max_depth=args.max_depth, max_line_chars=args.max_line_chars, wait=args.wait,
                        full=args.full, sources=str(sources_file) if use_sources else None,
                        select=list(args.source) or None, workers=args.workers,
                    )
    finally:
        listen(None)
    _print_summary(console, result)
    if result["published"]:
        return EXIT_OK
    return EXIT_OK if str(result["message"]).startswith("input unchanged") else EXIT_NOTHING


def _schedule(args: argparse.Namespace, console: Console, errors: Console) -> int:
    inputs = _inputs(args, errors)
    if isinstance(inputs, int):
        return inputs
    raw, sources_file = inputs
    out = args.out if "://" in str(args.out) else str(Path(args.out).resolve())
    parameters = {
        "raw": str(raw.resolve()), "out": out, "keep": args.keep, "batch_size": args.batch_size,
        "max_document_bytes": args.max_document_bytes, "max_comments": args.max_comments,
        "max_depth": args.max_depth, "max_line_chars": args.max_line_chars,
        "sources": str(sources_file.resolve()) if sources_file is not None else None,
        "select": list(args.source) or None, "workers": args.workers,
    }
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")  # each run logs what it did
    _prefect_defaults()
    from flows.orchestrate.schedule import serve_schedule, stop_on_sigterm
    from flows.orchestrate.server import local_server

    when = f"cron {args.cron!r}" if args.cron else f"every {args.interval:g} s"
    with stop_on_sigterm(), contextlib.ExitStack() as stack:
        try:
            if not os.environ.get("PREFECT_API_URL"):
                home = Path(os.environ["PREFECT_HOME"]) / "server"
                console.print(f"starting a local Prefect server (state in {home}) …")
                server = stack.enter_context(local_server(home))
                os.environ["PREFECT_API_URL"] = server.api_url
            console.print(f"[bold]serving {args.name!r} ({when}) on {os.environ['PREFECT_API_URL']}; "
                          "Ctrl-C stops[/]")
            serve_schedule(parameters, cron=args.cron, interval=args.interval, name=args.name)
        except KeyboardInterrupt:
            pass
    console.print("schedule stopped")
    return EXIT_OK


def _rebuild(args: argparse.Namespace, console: Console) -> int:
    from flows.release.catalog import rebuild_catalog
    from flows.release.publish import write_releases_index
    from flows.release.storage import storage_for

    storage = storage_for(args.out)
    with storage.lock():
        rebuilt = rebuild_catalog(storage)
        write_releases_index(storage, rebuilt.catalog)
    for name, reason in rebuilt.skipped.items():
        console.print(f"[yellow]left out[/] releases/{name}: {reason}")
    if rebuilt.catalog.latest is None:
        console.print(f"[bold]no complete release under {args.out}/releases/: catalog.json names none[/]")
        return EXIT_NOTHING
    console.print(f"[bold]rebuilt catalog.json with {len(rebuilt.catalog.releases)} release(s); "
                  f"latest {rebuilt.catalog.latest}[/]")
    return EXIT_OK


def _catalog(args: argparse.Namespace, console: Console) -> int:
    from flows.release.catalog import read_catalog

    if args.rebuild:
        return _rebuild(args, console)
    catalog = read_catalog(args.out)
    if not catalog.releases:
        console.print(f"{args.out}/ holds no release yet: run `broadsheet run --out {args.out}`")
        return EXIT_NOTHING
    table = Table(show_header=True, header_style="bold")
    counted = ("documents", "articles", "positions", "comments", "actors", "rejects")
    for column in ("release", "created", *counted):
        table.add_column(column, justify="left" if column in ("release", "created") else "right")
    for release in catalog.releases:
        marker = " (latest)" if release.id == catalog.latest else ""
        counts = [f"{release.datasets[n].rows:,}" if n in release.datasets else "-"
                  for n in counted]
        table.add_row(release.id + marker, f"{release.created_at:%Y-%m-%d %H:%M}", *counts)
    console.print(table)
    return EXIT_OK


def _serve(args: argparse.Namespace, console: Console, errors: Console) -> int:
    from flows.access.serve import make_server

    try:
        server = make_server(args.out, args.host, args.port)
    except (FileNotFoundError, OSError) as exc:
        errors.print(f"[red]error:[/] cannot serve {args.out}: {exc}")
        return EXIT_NOTHING
    console.print(f"serving {args.out} at {server.url} (catalog: {server.url}catalog.json); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()
    return EXIT_OK


def _download(args: argparse.Namespace, console: Console) -> int:
    from rich.progress import DownloadColumn, TransferSpeedColumn

    from flows.access.download import download_release

    progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                        TransferSpeedColumn(),
                        console=console, transient=True, disable=args.quiet or not console.is_terminal)
    tasks: dict[str, TaskID] = {}

    def show(path: str, done: int, total: int) -> None:
        if path not in tasks:
            tasks[path] = progress.add_task(path.rsplit("/", 1)[-1], total=total)
        progress.update(tasks[path], completed=done)

    with progress:
        result = download_release(args.url, args.dest, release=args.release, datasets=args.dataset,
                                  formats=[args.format] if args.format else None, progress=show)
    fetched = sum(1 for f in result.files if f.status != "present")
    present = len(result.files) - fetched
    console.print(f"[bold]release {result.release}: {fetched} file(s) downloaded ({result.bytes:,} bytes)"
                  + (f", {present} already in place" if present else "")
                  + f", all verified, in {result.dest}[/]")
    return EXIT_OK


def _diff(args: argparse.Namespace, console: Console) -> int:
    from flows.release.diff import diff_releases, format_diff, locate_release

    old_id, old = locate_release(args.old, args.out)
    new_id, new = locate_release(args.new, args.out)
    diff = diff_releases(old, new, release=new_id, previous=old_id)
    if args.json:
        print(diff.model_dump_json(indent=2, exclude={"inputs": {"documents_parsed", "reparsed", "rows", "records"}}))
    else:
        console.print(format_diff(diff), markup=False)
    return EXIT_OK


def _ingestors(console: Console) -> int:
    from flows.ingest.registry import load_ingestor, registered

    table = Table(show_header=True, header_style="bold")
    for column in ("ingestor", "package", "settings"):
        table.add_column(column)
    for name, entry in registered().items():
        try:
            settings = ", ".join(load_ingestor(name).Config.model_fields)
        except BroadsheetError as error:
            settings = f"[red]cannot be loaded:[/] {error.message}"
        package = entry.package + (f" (also claimed by {', '.join(entry.others)})" if entry.others else "")
        table.add_row(name, package, settings)
    console.print(table)
    return EXIT_OK


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record is emitted (not when the handler was made),
    so that messages from server threads never go to a stream that was replaced and closed."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


@contextlib.contextmanager
def _notices() -> Iterator[logging.Handler]:
    """While the command runs, print the `broadsheet` logger's notices (waiting for another run's
    lock, the requests `serve` answers) on standard error; as it was before, afterwards."""
    logger = logging.getLogger("broadsheet")
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    before = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before[0])
        logger.propagate = before[1]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `broadsheet` command."""
    args = _parser().parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    with _notices() as notices:
        return _command(args, console, errors, notices)


def _command(args: argparse.Namespace, console: Console, errors: Console, notices: logging.Handler) -> int:
    try:
        if args.command == "run":
            return _run(args, console, errors)
        if args.command == "catalog":
            return _catalog(args, console)
        if args.command == "serve":
            notices.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            return _serve(args, console, errors)
        if args.command == "download":
            return _download(args, console)
        if args.command == "diff":
            return _diff(args, console)
        if args.command == "schedule":
            return _schedule(args, console, errors)
        if args.command == "ingestors":
            return _ingestors(console)
    except BroadsheetError as error:
        errors.print(f"[red]error:[/] {error}")
        return EXIT_NOTHING
    except KeyboardInterrupt:
        errors.print("[red]interrupted[/]: the previous release and catalog are untouched")
        return 130
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
