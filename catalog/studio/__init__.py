"""
The makers' side of the catalog: applying to sell (/sell/) and the studio
dashboard (/studio/) where a maker manages their own pieces and profile.

It lives in the catalog app because a maker's application names techniques
and traditions and the dashboard manages pieces, all catalog models; the
parts about who a maker is (the application's own fields, approval and its
emails) are artisans' forms and services, which these views build on.
"""
