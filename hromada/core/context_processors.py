from django.conf import settings

from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    items = items_for(user) if user is not None and user.is_authenticated else []
    path = request.path
    # The current section is the item with the longest URL that prefixes the path (/front/offline/ over /front/).
    matches = [item for item in items if item["url"] != "/" and path.startswith(item["url"])]
    best = max(matches, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is best
    return {"nav_items": items, "HROMADA_DEBUG": settings.DEBUG}
