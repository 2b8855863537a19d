from sample.shapes import circle_area, describe, square_area


def test_square() -> None:
    assert square_area(3) == 9


def test_circle() -> None:
    assert circle_area(1) == 3.14


def test_describe_small() -> None:
    assert describe(2) == "small"
