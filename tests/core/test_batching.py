"""chunks(): every item once, in order, in slices no longer than asked."""

from app.core.batching import IN_LIST_SIZE, chunks


def test_slices_cover_every_item_in_order():
    assert list(chunks([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(chunks([], 2)) == []
    assert [len(c) for c in chunks(list(range(IN_LIST_SIZE + 1)))] == [IN_LIST_SIZE, 1]
