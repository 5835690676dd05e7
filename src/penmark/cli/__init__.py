"""The ``penmark`` command line. Each command lives in its own module; imports are lazy so that
``penmark detect`` never imports torch, FastAPI or pyspark."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="penmark",
    help="Find handwritten text and signatures on document images and PDFs.",
    no_args_is_help=True,
    add_completion=False,
)


def _register() -> None:
    from penmark.cli.detect import detect

    app.command("detect")(detect)
    try:
        from penmark.cli.synth import synth
    except ImportError:  # pragma: no cover - during development only
        pass
    else:
        app.command("synth")(synth)
    for module, name in (
        ("penmark.cli.train", "train"),
        ("penmark.cli.train_verifier", "train_verifier"),
        ("penmark.cli.train_orientation", "train_orientation"),
        ("penmark.cli.evaluate", "evaluate"),
        ("penmark.cli.bench", "bench"),
        ("penmark.cli.serve", "serve"),
    ):
        try:
            mod = __import__(module, fromlist=[name])
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        app.command(name.replace("_", "-"))(getattr(mod, name))


_register()


def main() -> None:
    app()
