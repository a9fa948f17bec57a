"""
The public pages room: home, the listing, the piece page, compare, the guide,
collections and the makers' directory (views, urls), the piece page's sheet
cache (sheets) and its compiled loading (loading), views counted per piece
(view_counts), SEO and sitemaps.

Views stay thin: they call the listing's entry points (catalog.listing.result,
catalog.listing.state) and the sheets. The room may import the rooms below it
(trust for the report page's URL, personalization, listing, versions, data);
only the screens above it (studio, admin) and the project's URL conf may import
it, and today only the URL conf does (marketplace.urls: the URLs, the sitemaps
and robots.txt).
"""
