import pytest

from axme_conformance.matchers import PatternError, dig, match


def test_partial_mapping_and_absent():
    assert match({"a": 1, "b": "$absent"}, {"a": 1, "c": 2}) == []
    assert match({"a": 1, "b": "$absent"}, {"a": 1, "b": None}) != []
    assert "missing" in match({"x": 1}, {})[0]


def test_lists_are_exact_length():
    assert match([1, 2], [1, 2]) == []
    assert match([1, 2], [1, 2, 3]) != []


def test_bool_never_equals_int():
    assert match(True, 1) != []
    assert match(1, True) != []
    assert match(1, 1.0) == []


def test_named_matchers():
    assert match("$uuid", "0b6c3c1e-7a3b-4c3f-9a55-2f1d2e3c4b5a") == []
    assert match("$uuid", "nope") != []
    assert match("$timestamp", "2026-11-21T10:00:00.123Z") == []
    assert match("$timestamp", "2026-11-21T10:00:00Z") != []
    assert match("$present", None) != []
    assert match("$$literal", "$literal") == []
    with pytest.raises(PatternError):
        match("$bogus", 1)


def test_operators():
    assert match({"$gte": 2}, 3) == []
    assert match({"$lt": 2}, 3) != []
    assert match({"$in": ["A", "B"]}, "B") == []
    assert match({"$regex": "^axme-"}, "axme-python/0.1") == []
    assert match({"$len": 2}, [1, 2]) == []
    assert match({"$contains": [{"k": 1}]}, [{"k": 0}, {"k": 1, "z": 2}]) == []
    assert match({"$contains": [{"k": 3}]}, [{"k": 0}]) != []
    assert match({"$each": {"$gt": 0}}, [1, 2]) == []
    assert match({"$not": "$null"}, 5) == []
    assert match({"$unordered": [2, 1]}, [1, 2]) == []
    assert match({"$unordered": [2, 2]}, [1, 2]) != []
    with pytest.raises(PatternError):
        match({"$what": 1}, 1)


def test_dig():
    assert dig({"a": {"b": [1, {"c": 5}]}}, "a.b.1.c") == 5
    assert dig({"a": [1, 2]}, "a.-1") == 2
    assert dig({"a": 1}, "a.b") is None


def test_order_operators_compare_numbers_or_two_timestamps():
    earlier, later = "2026-11-21T10:00:00.123Z", "2026-11-21T10:00:07.001Z"
    assert match({"$gt": earlier}, later) == []
    assert match({"$gt": later}, earlier) != []
    assert match({"$lte": later}, later) == []
    assert match({"$gt": 1}, 2) == [] and match({"$gt": 2}, 1) != []
    # A timestamp never compares with a number or a free-form string.
    assert match({"$gt": earlier}, 5) != []
    assert match({"$gt": "a"}, "b") != []
    assert match({"$gt": 1}, "2") != []
