"""Catalogue GraphQL: services, stations, prices and vehicle types; partners' changes to them; live
service and availability changes.
"""
