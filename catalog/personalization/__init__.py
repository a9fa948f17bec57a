"""
The personalization room: a shopper's request for a personalized piece and
its thread with the maker. One state machine (flow: one table of transitions,
the services built on it), who acts (roles), the emails each transition sends
(emails), the request form (forms), a request's prices and days and what its
quote means (terms), the shopper's pages (views, urls), among them the quote's
summary that accepting goes through.

It imports the data layer and the catalog's version only; the studio (the
maker's inbox), the admin, the template tags and the `expire_quotes` command
import it, and marketplace.urls includes its URLs under /requests/.
"""
