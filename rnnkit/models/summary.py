"""``model.summary()``: Keras 3's table, and the lecture's parameter arithmetic under ``explain``."""

# Column widths of Keras 3's table when output is not a terminal (76 characters in all).
_WIDTHS = (33, 24, 15)


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


def _row(cells, widths, bar="│", right_align_last=True):
    parts = []
    for k, (text, w) in enumerate(zip(cells, widths)):
        body = text.rjust(w - 2) if (right_align_last and k == len(cells) - 1) else text.ljust(w - 2)
        parts.append(" " + body + " ")
    return bar + bar.join(parts) + bar


def summary_text(model, explain=False):
    """The summary as one string (what ``model.summary()`` prints)."""
    rows = [(f"{layer.name} ({type(layer).__name__})", shape_text(shape), f"{layer.count_params():,}")
            for layer, shape in zip(model.layers, model.output_shapes)]
    widths = [max(w, max((len(r[k]) + 2 for r in rows), default=0)) for k, w in enumerate(_WIDTHS)]
    out = [f'Model: "{model.name}"',
           _line("┏", "━", "┳", "┓", widths),
           _row(("Layer (type)", "Output Shape", "Param #"), widths, bar="┃"),
           _line("┡", "━", "╇", "┩", widths)]
    for k, r in enumerate(rows):
        if k:
            out.append(_line("├", "─", "┼", "┤", widths))
        out.append(_row(r, widths))
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
