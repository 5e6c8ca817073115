"""The OpenAPI 3.1 document of ``/api/v1/``, written by hand: four operations do not need a
framework to describe them, and the finding schema is the JSON Lines contract of the README."""

from __future__ import annotations

from typing import Any

from linkguard import __version__
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
            "schema of `linkguard scan --format jsonl`. With `linkguard serve --token`, send "
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
                    "parameters": [
                        {
                            "name": "input_format",
                            "in": "query",
                            "schema": {"enum": ["auto", "text", "html", "json", "jsonl", "csv", "tsv"]},
                        },
                        {"name": "source", "in": "query", "schema": {"type": "string"}},
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
                        "400": _problem("a malformed request"),
                        "413": _problem("the body is larger than the server's limit"),
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
