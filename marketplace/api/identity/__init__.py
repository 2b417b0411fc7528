"""Identity GraphQL: partners and their API keys, people's accounts and sessions."""
