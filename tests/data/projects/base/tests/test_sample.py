from sample import add, clamp


def test_add() -> None:
    assert add(2, 3) == 5


def test_clamp() -> None:
    assert clamp(5, 0, 3) == 3
    assert clamp(-1, 0, 3) == 0
    assert clamp(2, 0, 3) == 2
