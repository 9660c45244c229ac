"""`make openapi`: writes the OpenAPI document generated from the API's models (docs/openapi.json)."""

import json

from functions.handlers.openapi import document

if __name__ == "__main__":
    print(json.dumps(document(), indent=2))
