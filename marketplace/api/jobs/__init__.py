"""GraphQL of background jobs: the job type, its query, subscription and cancellation."""
