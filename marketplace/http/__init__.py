"""Every HTTP route that is not GraphQL: GBFS feeds out, planners' traffic exports, health.

Domain packages import neither starlette nor strawberry; their routes live here, call the
domain functions and turn their errors into HTTP answers.
"""
