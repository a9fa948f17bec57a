"""
The search relevance set (issue 22, item 6): queries a shopper would type, each judged by a
predicate over the pieces' attributes (`queries`), and the runner that asks the listing for each
and measures what came back (`run`, `make bench-search`). Part of the bench, outside the rooms.
"""
