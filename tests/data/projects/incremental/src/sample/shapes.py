"""Shapes: areas and perimeters."""

from __future__ import annotations


def square_area(side: float) -> float:
    """The area of a square."""
    return side * side


def circle_area(radius: float) -> float:
    """The area of a circle (pi to two places)."""
    return 3.14 * radius * radius


def describe(side: float) -> str:
    """A square's area, in words."""
    area = square_area(side)
    if area > 100:
        return "large"
    return "small"
