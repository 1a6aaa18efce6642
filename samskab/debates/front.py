"""The front page's section of debates: the featured ones, else the hottest."""

from django.http import HttpRequest

from samskab.debates.selectors import Order, debate_list, featured


def front_debates(request: HttpRequest) -> dict | None:
    debates = featured() or list(debate_list(order=Order.HOT)[:3])
    if not debates:
        return None
    return {"debates": debates}
