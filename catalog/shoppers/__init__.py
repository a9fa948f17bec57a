"""
What brings a shopper back: saved pieces, followed makers, saved searches with their email alerts,
and the pieces recently viewed.

A room of the capabilities' layer: it may import the listing (through its front door), the version
and the data layer (`catalog.models.shoppers`); the pages, the people room and the template tags
above may import it. Every read and write is scoped to the visitor here, never in a view.
"""
