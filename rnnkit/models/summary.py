"""``model.summary()``: Keras 3's table, and the lecture's parameter arithmetic under ``explain``.

The table is laid out as Keras 3 lays it out (``keras/src/utils/summary_utils.py``, drawn by
rich), character for character:

* ``line_length`` L is 76, what Keras uses when output is not a terminal (min(88, 80 - 4)).
* Keras asks for columns ``int(p·L) - (the columns before)`` wide, p = 0.45, 0.80, 1.0 (34, 26
  and 16 at 76). rich adds one space of padding on each side and four border characters, finds
  the table wider than L, and takes the excess off the columns evenly (its ``ratio_reduce`` with
  equal ratios, rounding half to even): 33, 24 and 15 characters between the bars at 76.
* A cell's text wraps at spaces onto as many lines as it needs (a ``name (Type)`` longer than
  its column puts ``(Type)`` on a second line); a word longer than the column is cut, ending in
  "…". The table keeps its width; the other cells of the row are blank on the extra lines.
"""

import html

#: Keras' line length when output is not a terminal
LINE_LENGTH = 76
#: Keras' relative column positions for a sequential model
_POSITIONS = (0.45, 0.80, 1.0)
#: border characters around and between three columns
_BORDERS = 4


def column_widths(line_length=LINE_LENGTH):
    """Widths between the bars (padding included) of Keras' three columns at ``line_length``."""
    requested, start = [], 0
    for p in _POSITIONS:
        requested.append(int(p * line_length) - start)
        start += requested[-1]
    widths = [w + 2 for w in requested]
    excess = sum(widths) + _BORDERS - line_length
    ratios, left = len(widths), excess            # rich's ratio_reduce with ratios all 1
    for k in range(len(widths)):
        if left <= 0:
            break
        cut = min(widths[k], round(left / ratios))
        widths[k] -= cut
        left -= cut
        ratios -= 1
    return widths


def wrap(text, width):
    """``text`` as rich wraps it into lines of at most ``width`` characters (module docstring)."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return [ln if len(ln) <= width else ln[:width - 1] + "…" for ln in lines]


def _readable_bytes(n):
    """Keras' byte-size format: 524.00 B, 32.25 KB (1 KB = 1024 B)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024:
            return f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} PB"


def shape_text(shape):
    """(None, 50, 64) for a batch of (50, 64) outputs."""
    return "(" + ", ".join(["None"] + ["None" if d is None else str(d) for d in shape]) + ")"


def _line(left, fill, mid, right, widths):
    return left + mid.join(fill * w for w in widths) + right


def _row(cells, widths, bar="│"):
    """The lines of one table row: each cell wrapped to its column, the last right-aligned."""
    wrapped = [wrap(text, w - 2) for text, w in zip(cells, widths)]
    lines = []
    for i in range(max(len(c) for c in wrapped)):
        parts = []
        for k, (cell, w) in enumerate(zip(wrapped, widths)):
            text = cell[i] if i < len(cell) else ""
            body = text.rjust(w - 2) if k == len(cells) - 1 else text.ljust(w - 2)
            parts.append(" " + body + " ")
        lines.append(bar + bar.join(parts) + bar)
    return lines


def summary_text(model, explain=False, line_length=LINE_LENGTH):
    """The summary as one string (what ``model.summary()`` prints)."""
    rows = [(f"{layer.name} ({type(layer).__name__})", shape_text(shape), f"{layer.count_params():,}")
            for layer, shape in zip(model.layers, model.output_shapes)]
    widths = column_widths(line_length)
    out = [f'Model: "{model.name}"',
           _line("┏", "━", "┳", "┓", widths),
           *_row(("Layer (type)", "Output Shape", "Param #"), widths, bar="┃"),
           _line("┡", "━", "╇", "┩", widths)]
    for k, r in enumerate(rows):
        if k:
            out.append(_line("├", "─", "┼", "┤", widths))
        out += _row(r, widths)
    out.append(_line("└", "─", "┴", "┘", widths))
    total = model.count_params()
    size = _readable_bytes(total * model.dtype.itemsize)
    out += [f" Total params: {total:,} ({size})",
            f" Trainable params: {total:,} ({size})",
            f" Non-trainable params: 0 ({_readable_bytes(0)})"]
    if explain:
        out.append("")
        out.append(" Where the counts come from (the lecture's arithmetic):")
        for layer in model.layers:
            out.append(f"  {layer.name} ({type(layer).__name__}): {layer.count_params():,}")
            out += [f"    {line}" for line in layer.explain()]
        out.append("  Total = " + " + ".join(f"{l.count_params():,}" for l in model.layers)
                   + f" = {total:,}")
    return "\n".join(out)


def summary_html(model):
    """The summary's rows and totals as an HTML table: how Jupyter shows a model
    (``Model._repr_html_``); the text table stays what ``summary()`` prints."""
    rows = "".join(
        f"<tr><td style='text-align:left'>{html.escape(layer.name)} "
        f"({type(layer).__name__})</td><td>{html.escape(shape_text(shape))}</td>"
        f"<td>{layer.count_params():,}</td></tr>"
        for layer, shape in zip(model.layers, model.output_shapes))
    total = model.count_params()
    return (f"<table><caption>Model: &quot;{html.escape(model.name)}&quot;</caption>"
            f"<thead><tr><th style='text-align:left'>Layer (type)</th><th>Output Shape</th>"
            f"<th>Param #</th></tr></thead><tbody>{rows}</tbody>"
            f"<tfoot><tr><td style='text-align:left'>Total params</td><td></td>"
            f"<td>{total:,}</td></tr></tfoot></table>")
