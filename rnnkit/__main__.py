"""``python -m rnnkit ...`` runs the ``rnnkit`` command: for a Jupyter kernel whose environment's
scripts are not on PATH (in a notebook, ``!{sys.executable} -m rnnkit list``), and wherever only
the interpreter is known."""
from rnnkit.cli.main import cli

if __name__ == "__main__":
    cli()
