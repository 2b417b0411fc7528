"""Issy Mobility marketplace: storage, GraphQL API, web client and command line."""
