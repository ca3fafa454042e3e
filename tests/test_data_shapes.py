"""Generated two-shape images: determinism, and captions that describe the pixels."""
import re

import numpy as np
import pytest

from rnnkit.data import DataError, caption_for_seed, image_for_seed, make_shapes
from rnnkit.data.shapes import COLOURS

CAPTION = re.compile(r"a (red|green|blue|yellow) (circle|square|triangle) "
                     r"(above|below|left of|right of) "
                     r"a (red|green|blue|yellow) (circle|square|triangle)")
# pixel counts of each shape at size 16 (radius 3): a 7x7 square; a disc x^2 + y^2 <= 9 (29
# lattice points); a triangle with rows 1, 1, 3, 3, 5, 5, 7 pixels wide
AREA = {"square": 49, "circle": 29, "triangle": 25}


def colour_mask(image, colour):
    return np.all(image == np.array(COLOURS[colour]), axis=-1)


def test_shapes_and_values():
    images, captions = make_shapes(20, seed=3)
    assert images.shape == (20, 16, 16, 3) and images.dtype == np.float64
    assert images.min() == 0.0 and images.max() == 1.0
    assert len(captions) == 20 and all(CAPTION.fullmatch(c) for c in captions)
    assert make_shapes(4, seed=0, size=32)[0].shape == (4, 32, 32, 3)


def test_deterministic_by_seed_and_independent_of_n():
    a_images, a_captions = make_shapes(10, seed=7)
    b_images, b_captions = make_shapes(5, seed=7)
    assert np.array_equal(a_images[:5], b_images) and a_captions[:5] == b_captions
    c_images, c_captions = make_shapes(10, seed=8)
    assert not np.array_equal(a_images, c_images)
    assert caption_for_seed(7) == a_captions[0]
    assert np.array_equal(image_for_seed(7), a_images[0])


def test_captions_describe_the_drawn_pixels():
    images, captions = make_shapes(200, seed=11)
    for image, caption in zip(images, captions):
        c1, s1, relation, c2, s2 = CAPTION.fullmatch(caption).groups()
        assert c1 != c2
        centres = []
        for colour, shape in ((c1, s1), (c2, s2)):
            mask = colour_mask(image, colour)
            # only the two named colours appear, with the named shape's pixel count
            assert mask.sum() == AREA[shape], caption
            rows, cols = np.nonzero(mask)
            cy = (rows.min() + rows.max()) // 2
            cx = (cols.min() + cols.max()) // 2
            assert mask[cy, cx], caption                     # the colour at the shape's centre
            centres.append((cy, cx, rows, cols))
        (y1, x1, r1, k1), (y2, x2, r2, k2) = centres
        if relation == "above":
            assert r1.max() < r2.min(), caption
        elif relation == "below":
            assert r1.min() > r2.max(), caption
        elif relation == "left of":
            assert k1.max() < k2.min(), caption
        else:
            assert k1.min() > k2.max(), caption
        background = ~(colour_mask(image, c1) | colour_mask(image, c2))
        assert (image[background] == 0).all()


def test_triangle_points_up():
    for seed in range(50):
        caption = caption_for_seed(seed)
        c1, s1 = CAPTION.fullmatch(caption).groups()[:2]
        if s1 == "triangle":
            rows, cols = np.nonzero(colour_mask(image_for_seed(seed), c1))
            widths = [int((rows == r).sum()) for r in sorted(set(rows))]
            assert widths == [1, 1, 3, 3, 5, 5, 7]
            return
    pytest.fail("no triangle first among 50 seeds")


def test_errors():
    with pytest.raises(DataError, match="at least 8 pixels"):
        make_shapes(1, seed=0, size=4)
    with pytest.raises(DataError, match="non-negative integer"):
        make_shapes(-1, seed=0)
