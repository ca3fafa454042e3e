"""Generated pictures of two coloured shapes, with captions, for the image-captioning architecture.

Each image shows two shapes on a black background, one above, below, left of or right of the
other, and its caption says so::

    "a red circle above a blue square"
    "a yellow triangle left of a green triangle"

Shapes are circle, square and triangle; colours are red, green, blue and yellow, and the two
shapes in one image always have different colours. The canvas is split in two halves along the
relation ("above": top and bottom halves), one shape per half, so the relation in the caption is
always true of the pixels.

Everything is a pure function of the seed: example ``i`` of ``make_shapes(n, seed)`` is drawn
from ``numpy.random.default_rng([seed, i])``, so it does not depend on ``n``, and
``make_shapes(n, 0)`` and ``make_shapes(n, 1)`` share no random stream.
"""
import numpy as np

from ..errors import DataError

COLOURS = {
    "red": (1.0, 0.0, 0.0),
    "green": (0.0, 1.0, 0.0),
    "blue": (0.0, 0.0, 1.0),
    "yellow": (1.0, 1.0, 0.0),
}
SHAPES = ("circle", "square", "triangle")
RELATIONS = ("above", "below", "left of", "right of")


def make_shapes(n, seed, size=16):
    """Make ``n`` captioned images.

    Parameters
    ----------
    n : int
        Number of images.
    seed : int
        Random seed; the same seed gives the same images and captions.
    size : int, default 16
        Height and width in pixels (at least 8).

    Returns
    -------
    images : ndarray of float64, shape (n, size, size, 3)
        RGB values in [0, 1]; background 0.
    captions : list of str
        ``"a <colour> <shape> <relation> a <colour> <shape>"``, one per image.

    Examples
    --------
    >>> images, captions = make_shapes(2, seed=0)
    >>> images.shape
    (2, 16, 16, 3)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise DataError(f"make_shapes: n must be a non-negative integer, got {n!r}.")
    _check_size(size)
    images = np.zeros((n, size, size, 3))
    captions = []
    for i in range(n):
        scene = _scene(seed, i, size)
        _draw(images[i], scene)
        captions.append(_caption(scene))
    return images, captions


def caption_for_seed(seed):
    """The caption of the first example of ``make_shapes(n, seed)``."""
    return _caption(_scene(seed, 0, 16))


def image_for_seed(seed, size=16):
    """The image of the first example of ``make_shapes(n, seed, size)``, shape (size, size, 3)."""
    _check_size(size)
    image = np.zeros((size, size, 3))
    _draw(image, _scene(seed, 0, size))
    return image


def shape_radius(size):
    """Half-width in pixels of every shape on a ``size`` x ``size`` canvas (3 for size 16)."""
    return max(1, size // 5)


def _check_size(size):
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 8:
        raise DataError(f"make_shapes: size must be an integer of at least 8 pixels, got {size!r}.")


def _scene(seed, index, size):
    """Choose the two shapes, their colours, the relation and the two centres."""
    rng = np.random.default_rng([int(seed), int(index)])
    kinds = rng.choice(len(SHAPES), size=2)
    colours = rng.choice(len(COLOURS), size=2, replace=False)
    relation = RELATIONS[rng.integers(len(RELATIONS))]
    r = shape_radius(size)
    half = size // 2
    # Along the relation axis the first shape's centre lies in the first half, the second's in
    # the second half; across it, anywhere the shape fits.
    first = rng.integers(r, half - 1 - r, endpoint=True)      # pixels 0 .. half-1
    second = rng.integers(half + r, size - 1 - r, endpoint=True)  # pixels half .. size-1
    across = rng.integers(r, size - 1 - r, size=2, endpoint=True)
    if relation == "above":        # (row, column)
        centres = ((first, across[0]), (second, across[1]))
    elif relation == "below":
        centres = ((second, across[0]), (first, across[1]))
    elif relation == "left of":
        centres = ((across[0], first), (across[1], second))
    else:
        centres = ((across[0], second), (across[1], first))
    colour_names = list(COLOURS)
    objects = [(SHAPES[k], colour_names[c], (int(rc[0]), int(rc[1])))
               for k, c, rc in zip(kinds, colours, centres)]
    return {"objects": objects, "relation": relation, "radius": r}


def _caption(scene):
    (s1, c1, _), (s2, c2, _) = scene["objects"]
    return f"a {c1} {s1} {scene['relation']} a {c2} {s2}"


def _draw(image, scene):
    size = image.shape[0]
    rows, cols = np.mgrid[0:size, 0:size]
    r = scene["radius"]
    for shape, colour, (cy, cx) in scene["objects"]:
        dy, dx = rows - cy, cols - cx
        if shape == "circle":
            mask = dy ** 2 + dx ** 2 <= r ** 2
        elif shape == "square":
            mask = (np.abs(dy) <= r) & (np.abs(dx) <= r)
        else:   # triangle pointing up: apex one pixel wide, one pixel wider each side every 2 rows
            mask = (np.abs(dy) <= r) & (2 * np.abs(dx) <= dy + r)
        image[mask] = COLOURS[colour]
