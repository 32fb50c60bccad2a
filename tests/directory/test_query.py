"""The table of search parameters: read in one loop, errors in its order, the OpenAPI document from it."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from stayhere.directory import openapi
from stayhere.directory.query import PARAMETERS, READING, QueryError, Rule, SearchQuery, parse_query


def errors_of(params: str) -> list[str]:
    with pytest.raises(QueryError) as raised:
        parse_query(QueryDict(params))
    return list(raised.value.errors)


def test_errors_come_in_the_order_the_table_reads_them():
    assert errors_of("page=0&mode=x&day=9&q=" + "x" * 201) == ["q", "day", "mode", "page"]
    # The rule that a type is not both required and excluded is checked once type, not and lang are read.
    assert errors_of("mode=x&not=O&lang=!&type=O") == ["lang", "not", "mode"]
    assert errors_of("not=!&lang=!&type=!") == ["type", "not", "lang"]


def test_the_last_bad_value_of_a_repeated_parameter_is_the_one_named():
    with pytest.raises(QueryError) as raised:
        parse_query(QueryDict("type=O&type=%3Cb%3E&type=!x"))
    assert "“!x”" in raised.value.errors["type"]


def test_a_value_given_twice_is_kept_once_except_a_slug():
    query = parse_query(QueryDict("day=1&day=1,3&type=O,O&fellowship=aa&fellowship=AA&slug=a&slug=a"))
    assert (query.days, query.include, query.fellowships, query.slugs) == ([1, 3], ["O"], ["AA"], ["a", "a"])


def test_a_place_is_not_looked_up_when_a_position_is_given():
    query = parse_query(QueryDict("near=40.7,-74&place=Atlantis"))
    assert query.near == (40.7, -74.0) and query.place == ""


def test_empty_values_are_the_same_as_none():
    assert parse_query(QueryDict("q=&near=&place=&radius=&day=&now=&tz=&page=")) == parse_query(QueryDict(""))


def test_every_parameter_fills_a_field_of_the_query_and_every_rule_blames_a_parameter():
    fields = set(SearchQuery.__dataclass_fields__)
    names = {parameter.name for parameter in PARAMETERS}
    assert all(parameter.into in fields for parameter in PARAMETERS)
    assert all(step.name in names for step in READING if isinstance(step, Rule))
    assert len(names) == len(PARAMETERS)


def test_the_document_lists_each_parameter_with_its_kinds_schema():
    listed = {parameter["name"]: parameter for parameter in openapi.SEARCH_PARAMETERS}
    assert list(listed) == [parameter.name for parameter in PARAMETERS]
    for parameter in PARAMETERS:
        schema = listed[parameter.name]["schema"]
        assert (schema["items"] if parameter.many else schema) == parameter.kind.schema, parameter.name
