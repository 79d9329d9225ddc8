"""Template filters for the public decisions pages."""

from django import template

from imr.charts import percent as _percent

register = template.Library()


@register.filter
def percent(value) -> str:
    """43.96 -> "43.96%" (English) / "43,96 %" (Spanish)."""
    return _percent(value)
