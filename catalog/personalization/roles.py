"""Who acts on a personalization request: the actors of the state machine's table (catalog.personalization.flow)."""

SHOPPER, ARTISAN, STAFF, SYSTEM = "shopper", "artisan", "staff", "system"
