"""Every HTTP route that is not GraphQL: GBFS feeds out and planners' traffic exports.

Domain packages import neither starlette nor strawberry; their routes live here, call the
domain functions and turn their errors into HTTP answers.
"""
