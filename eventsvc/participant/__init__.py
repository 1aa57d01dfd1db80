"""The participant's pages: they sit above the domains they show.

The personal page (``/r/<token>``) shows a registration, its compensation declaration, its
certificate and its erasure; the invitation page (``/i/<token>``) a reply that may create a
registration. Pages that show several domains at once belong to the web layer, not to one domain,
so that no domain imports a sibling to draw them.
"""
