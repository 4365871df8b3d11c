"""Refusals of the statistics' questions."""

from ..core.errors import InvalidInput


class StatsIndicator(InvalidInput):
    code = "stats.indicator"
    en = "There is no indicator {name}; the indicators are: {known}."
    fa = "شاخص {name} وجود ندارد."


class StatsPlace(InvalidInput):
    code = "stats.place"
    en = "{name} is published by {places}, not by {place}."
    fa = "این شاخص در سطح خواسته‌شده منتشر نمی‌شود."


class StatsBy(InvalidInput):
    code = "stats.by"
    en = "`by` names a place (country, province or county) and a period (month, season, year or range)."
    fa = "مقدار by باید سطح مکان (کشور، استان یا شهرستان) و دوره (ماه، فصل، سال یا کل دوره) باشد."


class StatsTooLong(InvalidInput):
    code = "stats.too_long"
    en = "A table covers at most 20 years."
    fa = "هر جدول حداکثر ۲۰ سال را در بر می‌گیرد."


class StatsFormat(InvalidInput):
    code = "stats.format"
    en = "The format is table, csv, json or parquet."
    fa = "قالب خروجی باید table، csv، json یا parquet باشد."
