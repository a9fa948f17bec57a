"""
The trust room: how far a handcrafted claim is proven. Evidence levels and
certification claims, the review queue, the audit trail and shoppers' reports
(services), copy detection over photos and descriptions (copies), their forms,
emails and the report page (forms, emails, views).

It imports the data layer and the catalog's version only; the studio (the
maker's reviews and claims), the admin, pieces' writes (catalog.services), the
signals and the demo import it, and so do the public pages' URLs (the report
page) and the `scan_copies` command.
"""
