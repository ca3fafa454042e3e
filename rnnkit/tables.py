"""Small tables rendered as text, Markdown, LaTeX (booktabs, beamer-ready) or CSV."""
import csv
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
