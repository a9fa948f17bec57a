"""
Who acts on a personalization request: the actors of the state machine's table (catalog.personalization.flow).

Part of the personalization room: apart from the flow so that the emails name the actors without
importing it.
"""

SHOPPER, ARTISAN, STAFF, SYSTEM = "shopper", "artisan", "staff", "system"
