"""Small tables rendered as text, Markdown, LaTeX (booktabs, beamer-ready) or CSV; and the
metrics-versus-baseline table (:class:`MetricsTable`) that the CLI prints and a notebook shows."""
import csv
import html
import io

import numpy as np
from dataclasses import dataclass, field


@dataclass
class Table:
    title: str
    columns: list
    rows: list = field(default_factory=list)      # lists of numbers or strings
    note: str = None                              # printed under the table

    def cell(self, v, digits):
        if isinstance(v, (float, np.floating)):
            text = f"{v:.{digits}f}"
            # -0.000 is 0.000 to a reader: drop the sign of values that round to zero
            return text[1:] if text.startswith("-") and float(text) == 0 else text
        return str(v)


    def __str__(self):
        """The table as text (``print(table)`` in a terminal)."""
        return render([self])

    def _repr_markdown_(self):
        """Jupyter shows a table as a Markdown table."""
        return render([self], "markdown")


def render(tables, fmt="text", digits=3):
    """Render a list of Tables in ``fmt`` (text | markdown | latex | csv)."""
    fn = {"text": _text, "markdown": _markdown, "latex": _latex, "csv": _csv}.get(fmt)
    if fn is None:
        raise ValueError(f"unknown format {fmt!r}; choose text, markdown, latex or csv")
    return fn(tables, digits)


def _cells(t, digits):
    return [[t.cell(v, digits) for v in row] for row in t.rows]


def _text(tables, digits):
    out = []
    for t in tables:
        cells = _cells(t, digits)
        widths = [max([len(c)] + [len(r[k]) for r in cells]) for k, c in enumerate(t.columns)]
        out.append(t.title)
        out.append("  ".join(c.rjust(w) for c, w in zip(t.columns, widths)))
        out.append("  ".join("-" * w for w in widths))
        out += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
        if t.note:
            out.append(f"Note: {t.note}")
        out.append("")
    return "\n".join(out)


def _markdown(tables, digits):
    out = []
    for t in tables:
        out.append(f"**{t.title}**\n")
        out.append("| " + " | ".join(t.columns) + " |")
        out.append("|" + "|".join("---:" for _ in t.columns) + "|")
        out += ["| " + " | ".join(r) + " |" for r in _cells(t, digits)]
        if t.note:
            out.append(f"\n*Note: {t.note}*")
        out.append("")
    return "\n".join(out)


_LATEX_ESCAPES = {"_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$", "{": r"\{",
                  "}": r"\}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
                  "|": r"\textbar{}", "\\": r"\textbackslash{}", "<": r"\textless{}",
                  ">": r"\textgreater{}"}


def _latex_text(s):
    """Text-mode LaTeX for a title or header: every special character escaped."""
    return "".join(_LATEX_ESCAPES.get(ch, ch) for ch in s)


def _latex(tables, digits):
    out = ["% needs \\usepackage{booktabs}"]
    for t in tables:
        out.append(r"\begin{center}\small")
        out.append(r"\textbf{" + _latex_text(t.title) + r"}\par\smallskip")
        out.append(r"\begin{tabular}{" + "r" * len(t.columns) + "}")
        out.append(r"\toprule")
        out.append(" & ".join(_latex_text(c) for c in t.columns) + r" \\")
        out.append(r"\midrule")
        out += [" & ".join(r) + r" \\" for r in _cells(t, digits)]
        out.append(r"\bottomrule")
        out.append(r"\end{tabular}")
        if t.note:
            out.append(r"\par\smallskip\footnotesize " + _latex_text(t.note))
        out.append(r"\end{center}")
    return "\n".join(out) + "\n"


def _csv(tables, digits):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for t in tables:
        w.writerow(["table"] + t.columns)
        for r in t.rows:
            w.writerow([t.title] + [repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])
    return buf.getvalue()


def fmt(value):
    """A metric for people: 4 decimals for floats (3 significant digits below 0.001)."""
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3e}"
    return str(value)


@dataclass
class MetricsTable:
    """A model's test metrics beside its architecture's baseline: metric | model | baseline, the
    headline metric first, "-" where one side has no value.

    ``str(table)`` is the text the CLI prints (``rnnkit train``/``evaluate``); Jupyter shows it as
    an HTML table (``_repr_html_``) or Markdown (``_repr_markdown_``). ``MetricsTable.of(result)``
    reads ``runs.evaluate_run(...)``'s result or ``run.metrics``.
    """

    test: dict
    baseline: dict
    headline: str = None

    COLUMNS = ("metric", "model", "baseline")

    @classmethod
    def of(cls, result):
        return cls(result["test"], result["baseline"], result.get("headline_metric"))

    def rows(self):
        """``(metric, model, baseline)`` texts, the headline metric first."""
        names = list(self.test)
        names += [k for k in self.baseline if k not in names]
        if self.headline in names:
            names.remove(self.headline)
            names.insert(0, self.headline)
        return [(k, fmt(self.test[k]) if k in self.test else "-",
                 fmt(self.baseline[k]) if k in self.baseline else "-") for k in names]

    def lines(self):
        """The text, one line each: the header, then a row per metric, columns aligned."""
        rows = [self.COLUMNS] + self.rows()
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        return [f"  {r[0].ljust(widths[0])}  {r[1].rjust(widths[1])}  {r[2].rjust(widths[2])}"
                for r in rows]

    def __str__(self):
        return "\n".join(self.lines())

    def _repr_markdown_(self):
        return "\n".join(["| " + " | ".join(self.COLUMNS) + " |", "|:---|---:|---:|"]
                         + ["| " + " | ".join(r) + " |" for r in self.rows()])

    def _repr_html_(self):
        head = "".join(f"<th>{c}</th>" for c in self.COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                       for r in self.rows())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class MetricsResult(dict):
    """A dict with ``test`` and ``baseline`` metrics (``runs.evaluate_run``'s result) that a
    notebook shows as its :class:`MetricsTable`; everywhere else it is the plain dict (JSON,
    ``result["test"]``)."""

    @property
    def table(self):
        return MetricsTable.of(self)

    def _repr_html_(self):
        return self.table._repr_html_()

    def _repr_markdown_(self):
        return self.table._repr_markdown_()
