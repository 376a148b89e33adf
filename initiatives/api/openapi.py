"""The OpenAPI 3.1 document of /api/v1, written as data next to the views it describes.

A test fetches real responses of every endpoint and validates them against these schemas,
so the document cannot drift from what the API answers.
"""

from __future__ import annotations

from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.routes import MAX_ID

MONEY = {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2}$", "description": "som"}
MONEY_REQUIRED = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "som"}
DATE = {"type": ["string", "null"], "format": "date"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}
YEARS = (2000, 2100)  # the years a competition may have, and so the filter takes
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TEXT = {"type": "string"}
OPTIONAL_TEXT = {"type": ["string", "null"]}
PUBLIC_APPLICATION_STATES = [
    "submitted", "admitted", "rejected", "scored", "awarded", "not_awarded", "contracted",
    "reporting", "report_submitted", "returned", "completed", "withdrawn", "terminated",
]  # fmt: skip


def _object(properties: dict) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


SCHEMAS = {
    "Error": _object({"error": TEXT}),
    "Municipality": _object(
        {
            "slug": TEXT,
            "name_ky": TEXT,
            "name_ru": TEXT,
            "name_en": TEXT,
            "region": TEXT,
            "district": TEXT,
            "regulation_number": OPTIONAL_TEXT,
        }
    ),
    "Competition": _object(
        {
            "id": {"type": "integer"},
            "municipality": {"type": "string", "description": "slug of the municipality"},
            "year": {"type": "integer"},
            "state": {"type": "string", "enum": list(PUBLIC_STATES)},
            "title_ky": TEXT,
            "title_ru": TEXT,
            "title_en": TEXT,
            "announced_at": MOMENT,
            "submission_deadline": MOMENT,
            "implementation_deadline": MOMENT,
            "report_deadline": MOMENT,
            "local_budget": MONEY_REQUIRED,
            "other_money": MONEY_REQUIRED,
            "max_grant": MONEY,
            "min_own_share": MONEY,
            "priorities": {"type": "array", "items": TEXT},
        }
    ),
    "Application": _object(
        {
            "number": {"type": "integer"},
            "code": TEXT,
            "competition": {"type": "integer"},
            "title": TEXT,
            "village": TEXT,
            "applicant_kind": {"type": "string", "enum": ["individual", "group", "ngo", "company"]},
            "applicant": {
                "type": ["string", "null"],
                "description": "the name of the group, organisation or company; never a person's",
            },
            "initiative_kind": TEXT,
            "priority": OPTIONAL_TEXT,
            "channel": {"type": "string", "enum": ["online", "paper"]},
            "submitted_at": MOMENT,
            "state": {"type": "string", "enum": PUBLIC_APPLICATION_STATES},
            "requested": MONEY_REQUIRED,
            "own_amount": MONEY_REQUIRED,
            "partner_amount": MONEY_REQUIRED,
            "total_budget": MONEY_REQUIRED,
        }
    ),
    "Award": _object(
        {
            "number": {"type": "integer"},
            "competition": {"type": "integer"},
            "title": TEXT,
            "state": {"type": "string", "enum": PUBLIC_APPLICATION_STATES},
            "local_budget": MONEY_REQUIRED,
            "partners": MONEY_REQUIRED,
            "agreement_number": OPTIONAL_TEXT,
            "signed_on": DATE,
            "paid": MONEY_REQUIRED,
            "returned": MONEY_REQUIRED,
        }
    ),
    "Report": _object(
        {
            "number": {"type": "integer"},
            "competition": {"type": "integer"},
            "title": TEXT,
            "accepted_at": MOMENT,
            "participants": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0},
                "description": "women, men, girls and boys add up to participants_total; "
                "the other groups count people among them",
            },
            "participants_total": {"type": "integer", "minimum": 0},
            "spent_local": MONEY_REQUIRED,
            "spent_total": MONEY_REQUIRED,
            "own_contribution": MONEY_REQUIRED,
            "activities_planned": {"type": "integer"},
            "activities_done": {"type": "integer"},
            "results": TEXT,
        }
    ),
    "Result": _object(
        {
            "competition": {"type": "integer"},
            "position": {"type": "integer"},
            "number": {"type": "integer"},
            "title": TEXT,
            "applicant": OPTIONAL_TEXT,
            "mean_score": {"type": ["string", "null"], "description": "decimal as text"},
            "winner": {"type": "boolean"},
            "local_budget": MONEY,
            "partners": MONEY,
        }
    ),
    "Criterion": _object(
        {
            "position": {"type": "integer"},
            "title_ky": TEXT,
            "title_ru": TEXT,
            "title_en": TEXT,
            "scale_min": {"type": "integer"},
            "scale_max": {"type": "integer"},
            "weight": MONEY_REQUIRED,
        }
    ),
}

SCHEMAS["CompetitionDetail"] = {
    "type": "object",
    "required": [*SCHEMAS["Competition"]["required"], "applications", "criteria"],
    "properties": {
        **SCHEMAS["Competition"]["properties"],
        "applications": {"type": ["integer", "null"]},
        "criteria": {"type": "array", "items": {"$ref": "#/components/schemas/Criterion"}},
    },
    "additionalProperties": False,
}


def page_of(name: str) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["items", "page", "per_page", "total", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
            "total": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"], "format": "uri"},
        },
    }


PAGING = [
    {"name": "page", "in": "query", "schema": ID},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
]
FILTERS = [
    {"name": "municipality", "in": "query", "schema": {"type": "string"}},
    {
        "name": "year",
        "in": "query",
        "schema": {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
    },
    {"name": "state", "in": "query", "schema": {"type": "string", "enum": list(PUBLIC_STATES)}},
    {"name": "competition", "in": "query", "schema": ID},
    *PAGING,
]
LISTS = {  # the municipalities are not filtered: every one, a page at a time
    "/api/v1/municipalities": ("Municipality", "Every municipality"),
    "/api/v1/competitions": ("Competition", "Published competitions"),
    "/api/v1/applications": ("Application", "Registered applications, public fields only"),
    "/api/v1/awards": ("Award", "Winners with their agreements and payments"),
    "/api/v1/reports": ("Report", "Accepted implementation reports"),
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


ERROR = {"$ref": "#/components/schemas/Error"}


BAD = {"400": {"description": "A bad parameter", "content": _json(ERROR)}}


def _errors() -> dict:
    return {**BAD, "404": {"description": "Not found", "content": _json(ERROR)}}


def spec(server: str) -> dict:
    paths = {}
    for path, (name, summary) in LISTS.items():
        parameters = PAGING if name == "Municipality" else FILTERS
        paths[path] = {
            "get": {
                "summary": summary,
                "parameters": parameters,
                "responses": {
                    "200": {"description": "One page", "content": _json(page_of(name))},
                    **_errors(),
                },
            }
        }
        paths[f"{path}.csv"] = {
            "get": {
                "summary": f"{summary}, every row as CSV (UTF-8)",
                "parameters": [f for f in parameters if f not in PAGING],
                "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}, **BAD},
            }
        }
    one = [{"name": "competition_id", "in": "path", "required": True, "schema": ID}]
    paths["/api/v1/competitions/{competition_id}"] = {
        "get": {
            "summary": "One published competition with its criteria",
            "parameters": one,
            "responses": {
                "200": {
                    "description": "The competition",
                    "content": _json({"$ref": "#/components/schemas/CompetitionDetail"}),
                },
                **_errors(),
            },
        }
    }
    paths["/api/v1/competitions/{competition_id}/results"] = {
        "get": {
            "summary": "The published results: ranking, mean scores, winners and amounts",
            "parameters": one,
            "responses": {
                "200": {
                    "description": "The results notice's rows",
                    "content": _json(
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["items", "document"],
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Result"},
                                },
                                "document": {"type": "string", "format": "uri"},
                            },
                        }
                    ),
                },
                **_errors(),
            },
        }
    }
    paths["/api/v1/competitions/{competition_id}/results.csv"] = {
        "get": {
            "summary": "The published results, every row as CSV (UTF-8)",
            "parameters": one,
            "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}, **_errors()},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Local-initiative competitions: open data",
            "version": "1.0.0",
            "description": "Read-only public data of the local-initiative competitions of "
            "Kyrgyz ayil okmotus. No personal data.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
