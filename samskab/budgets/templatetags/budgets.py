from django import template

from samskab.budgets.selectors import money as _money

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """1000000|money:"DKK" -> "1.000.000 DKK" (Danish grouping)."""
    if amount is None or amount == "":
        return ""
    return _money(amount, currency)


@register.filter
def age_bands(cells):
    """Participation cells of age bands, youngest first."""
    from samskab.budgets.participation import band_order

    return band_order(cells)


@register.filter
def get_item(mapping, key):
    """`{{ my_ballots|get_item:heading.pk }}`: a dict's value in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None
