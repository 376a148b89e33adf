"""The open-data API (read-only, versioned under /api/v1) and its OpenAPI document."""
