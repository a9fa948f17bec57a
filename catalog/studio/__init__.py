"""
The makers' side of the catalog: applying to sell (/sell/) and the studio
dashboard (/studio/) where a maker manages their own pieces and profile.

It lives in the catalog app because a maker's application names techniques
and traditions and the dashboard manages pieces, all catalog models; the
parts about who a maker is (the application's own fields, approval and its
emails) are artisans' forms and services, which these views build on.

A room at the top of catalog, beside the admin: it may import every room
below (pieces' writes in catalog.services, trust for reviews and claims,
personalization for the maker's inbox); nothing in catalog imports it, and
marketplace.urls includes its URLs (studio.urls) at the root.
"""
