"""The Prefect flow, schedules and the Prefect server."""
