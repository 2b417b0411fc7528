"""Planning GraphQL for commuters: trip plans, place search and the street map."""
