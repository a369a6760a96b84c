from django.shortcuts import render

from api.api import api


def type_name(schema):
    """A property's type in a few words: "string", "array of BatchItem", "Explanation or null"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(type_name(option) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"array of {type_name(schema.get('items', {}))}"
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def api_docs(request):
    """The API's reference as a page: every operation of the OpenAPI document with its
    parameters, body and answers, drawn from the same document machines read."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "description": operation.get("description", ""),
                    "parameters": [
                        {**p, "type": type_name(p.get("schema", {}))}
                        for p in operation.get("parameters", [])
                    ],
                    "body": type_name(body["schema"]) if body else None,
                    "responses": [
                        (
                            code,
                            answer["description"],
                            type_name(answer["content"]["application/json"]["schema"]),
                        )
                        for code, answer in sorted(operation["responses"].items())
                    ],
                }
            )
    shapes = [
        {
            "name": name,
            "fields": [
                (
                    field,
                    type_name(spec),
                    field in shape.get("required", []),
                    spec.get("description", ""),
                )
                for field, spec in shape.get("properties", {}).items()
            ],
        }
        for name, shape in schema["components"]["schemas"].items()
    ]
    return render(request, "api/docs.html", {"operations": operations, "shapes": shapes})
