"""The OpenAPI 3.1 document of ``/api/v1/``, written by hand: five operations do not need a
framework to describe them, the finding schema is the JSON Lines contract of the README, and the
cluster schema what ``Cluster.to_dict`` writes."""

from __future__ import annotations

from typing import Any

from linkguard import __version__
from linkguard.forensics.clusters import FACT_KINDS
from linkguard.inputs import FORMATS as INPUT_FORMATS
from linkguard.models import FINDING_KEYS


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def openapi_document() -> dict[str, Any]:
    finding_keys = list(FINDING_KEYS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "linkguard",
            "version": __version__,
            "description": "Find links that imitate news outlets. Findings follow the JSON Lines "
            "schema of `linkguard scan --format jsonl`. Scans and checks are offline unless the "
            "request opts in (`online`) on a server started with `linkguard serve --online`; an "
            "online scan is `linkguard scan --online`: its findings carry `cluster` evidence and the "
            "answer its infrastructure clusters. With `linkguard serve --token`, send "
            "`Authorization: Bearer TOKEN`. Errors are RFC 9457 problem documents.",
        },
        "paths": {
            "/api/v1/health": {
                "get": {
                    "summary": "Is the server up, and does it run online checks?",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Health"}}
                            },
                        }
                    },
                }
            },
            "/api/v1/check": {
                "post": {
                    "summary": "Judge one URL or domain (as `linkguard check --format json`).",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "the finding",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Finding"}}
                            },
                        },
                        "400": _problem("malformed JSON or a missing field"),
                        "415": _problem("the body is not JSON"),
                        "422": _problem("not a URL or domain"),
                        "503": _problem("every online investigation slot is busy (see Retry-After)"),
                    },
                }
            },
            "/api/v1/scan": {
                "post": {
                    "summary": "Scan a post, thread, page or export (any input `linkguard scan` reads).",
                    "description": "Offline by default, as `linkguard scan --all --format jsonl`: no "
                    "network, no clusters. With `online=true` (query, or the multipart field) on a "
                    "`linkguard serve --online` server it is `linkguard scan --online`: flagged and "
                    "shortened links are investigated, every investigation ends before the answer "
                    "starts, each finding whose domain shares infrastructure with another flagged "
                    "domain of the scan gets a `cluster` evidence item first (`data`: `cluster`, "
                    "`domain`, `members`, `shared`), and the answer gets `clusters` when there are "
                    "any, the array `linkguard scan --online --format json` writes. One online scan "
                    "takes one of the server's investigation slots for its whole run (503 when none "
                    "is free) and runs alone, as every scan does.",
                    "parameters": [
                        {
                            "name": "input_format",
                            "in": "query",
                            "schema": {"enum": list(INPUT_FORMATS)},
                        },
                        {"name": "source", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "online",
                            "in": "query",
                            "description": "`true`: network forensics and infrastructure clusters "
                            "(needs `linkguard serve --online`)",
                            "schema": {"enum": ["true", "false"], "default": "false"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "text/plain": {"schema": {"type": "string"}},
                            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "input_format": {"type": "string"},
                                        "online": {"enum": ["true", "false"]},
                                    },
                                    "required": ["file"],
                                }
                            },
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "every link found, and the scan's summary",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/ScanResult"}}
                            },
                        },
                        "400": _problem("a malformed request, or `online=true` on an offline server"),
                        "413": _problem("the body is larger than the server's limit"),
                        "503": _problem("online: every investigation slot is busy (see Retry-After)"),
                    },
                }
            },
            "/api/v1/report": {
                "post": {
                    "summary": "Render a JSON Lines scan saved by `linkguard scan` (as `linkguard report "
                    "--format json`).",
                    "description": "The findings as saved, the summary of reading them, and the "
                    "infrastructure clusters the saved findings name (`clusters`, when there are any): "
                    "rebuilt from their infrastructure evidence, or, for members whose findings were "
                    "left out of the file, from their `cluster` lines. Nothing is fetched; an offline "
                    "server shows the clusters of an online scan saved earlier this way.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/jsonl": {"schema": {"type": "string"}},
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"file": {"type": "string", "format": "binary"}},
                                    "required": ["file"],
                                }
                            },
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "the saved findings, the summary and the clusters",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/ScanResult"}}
                            },
                        },
                        "400": _problem("a malformed request"),
                        "413": _problem("the body is larger than the server's limit"),
                        "422": _problem("not a linkguard JSON Lines scan"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "This document.", "responses": {"200": {"description": "OpenAPI 3.1"}}}
            },
        },
        "components": {
            "schemas": {
                "Health": {
                    "type": "object",
                    "properties": {
                        "status": {"const": "ok"},
                        "version": {"type": "string"},
                        "online": {"type": "boolean"},
                    },
                },
                "CheckRequest": {
                    "type": "object",
                    "properties": {
                        "url": {"type": "string", "description": "a URL or domain, even defanged"},
                        "online": {
                            "type": "boolean",
                            "default": False,
                            "description": "run network forensics (needs `linkguard serve --online`)",
                        },
                    },
                    "required": ["url"],
                },
                "Finding": {
                    "type": "object",
                    "description": "One link; the keys, in order, of the README's Output contract.",
                    "properties": {key: {} for key in finding_keys},
                    "required": finding_keys,
                },
                "ScanResult": {
                    "type": "object",
                    "properties": {
                        "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                        "summary": {"type": "object"},
                        "clusters": {
                            "type": "array",
                            "description": "online scans (and saved ones rendered by /report) that "
                            "found shared infrastructure only; largest first",
                            "items": {"$ref": "#/components/schemas/Cluster"},
                        },
                    },
                    "required": ["findings", "summary"],
                },
                "Cluster": {
                    "type": "object",
                    "description": "Flagged domains of one scan joined by shared infrastructure; the "
                    "id depends on the members only (`cluster-` and 12 hex digits).",
                    "properties": {
                        "id": {"type": "string"},
                        "members": {"type": "array", "items": {"type": "string"}},
                        "shared": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "kind": {"enum": list(FACT_KINDS)},
                                    "value": {"type": "string"},
                                    "members": {"type": "array", "items": {"type": "string"}},
                                },
                            },
                        },
                    },
                },
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                    },
                },
            },
        },
    }
