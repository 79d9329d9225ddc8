"""Additions to the generated OpenAPI schema that drf-spectacular has no decorator for."""


def add_links(result, generator, request, public):
    """OpenAPI links: each decision of a list page leads to its own address (clients and the
    stateful contract tests follow them)."""
    for operations in result.get("paths", {}).values():
        listing = operations.get("get", {})
        if listing.get("operationId") == "decisions_list":
            listing["responses"]["200"]["links"] = {
                "FirstDecision": {
                    "operationId": "decisions_retrieve",
                    "parameters": {"reference_id": "$response.body#/results/0/reference_id"},
                    "description": "The first decision of the page.",
                }
            }
    return result
