"""check_openapi - a running gateway against its own /openapi.json.

Usage: check_openapi.py BASE KNOWN_STX UNKNOWN_STX SOURCE_DIR

BASE is the gateway's http://host:port, KNOWN_STX an agent the store has,
UNKNOWN_STX a valid address it does not have. Checks that /openapi.json
is a valid OpenAPI 3.1 document (openapi-spec-validator) equal to
gateway/discovery/openapi.json but for info.version; then asks every
route, with good and bad parameters, and checks each answer against the
document: its status is one the route documents, its media type one that
status documents, and a JSON body validates (jsonschema, Draft 2020-12,
formats checked) against the schema given for it. Every documented route
must be asked. Exits 0 if all holds, else prints what did not and exits 1.
"""
import http.client
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

TIMEOUT_S = 10


def get(base, url, headers=None):
    """(status, headers, body bytes) of GET base+url, errors included."""
    request = urllib.request.Request(base + url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def resolve(document, node):
    """node, or what its $ref names in document."""
    while isinstance(node, dict) and "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        node = document
        for part in parts:
            node = node[part]
    return node


class Checker:
    def __init__(self, base, document):
        self.base = base
        self.document = document
        self.asked = set()
        self.failures = []
        self.answers = 0

    def fail(self, what):
        self.failures.append(what)

    def validate(self, schema, body, where):
        root = {"$ref": "#/x", "x": schema,
                "components": self.document["components"]}
        validator = Draft202012Validator(
            root, format_checker=Draft202012Validator.FORMAT_CHECKER)
        for error in validator.iter_errors(body):
            path = "/".join(str(p) for p in error.absolute_path)
            self.fail(f"{where}: at /{path}: {error.message}")

    def check(self, route, url, status, headers=None):
        """GET url (of route, a key of paths), expecting status."""
        self.asked.add(route)
        where = f"GET {url}"
        got, answer_headers, body = get(self.base, url, headers)
        self.answers += 1
        if got != status:
            self.fail(f"{where}: status {got}, expected {status}")
            return None
        responses = self.document["paths"][route]["get"]["responses"]
        response = resolve(self.document, responses.get(str(status)))
        if response is None:
            self.fail(f"{where}: status {status} is not documented")
            return None
        content = response.get("content")
        if not content:
            if body:
                self.fail(f"{where}: a body where none is documented")
            return answer_headers
        media = (answer_headers.get("Content-Type") or "").split(";")[0]
        if media not in content:
            self.fail(f"{where}: {media} is not documented for {status}")
            return answer_headers
        if media == "application/json":
            self.validate(content[media]["schema"], json.loads(body), where)
        return answer_headers

    def check_events(self):
        """The SSE route: 200 text/event-stream (the stream is left)."""
        route = "/api/dashboard/events"
        self.asked.add(route)
        parts = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                                timeout=TIMEOUT_S)
        connection.request("GET", route)
        answer = connection.getresponse()
        media = (answer.getheader("Content-Type") or "").split(";")[0]
        content = self.document["paths"][route]["get"]["responses"]["200"]
        if answer.status != 200 or media not in content["content"]:
            self.fail(f"GET {route}: {answer.status} {media}")
        connection.close()
        self.answers += 1


def main():
    base, known, unknown, source = sys.argv[1:5]
    status, _, body = get(base, "/openapi.json")
    document = json.loads(body)
    validate(document)
    with open(f"{source}/gateway/discovery/openapi.json") as file:
        expected = json.load(file)
    expected["info"]["version"] = document["info"]["version"]
    if document != expected:
        print("check_openapi: /openapi.json is not "
              "gateway/discovery/openapi.json")
        return 1

    checker = Checker(base, document)
    dashboard = "/api/dashboard"
    for query in ["", "?limit=3&offset=2", "?limit=abc&offset=-5",
                  "?limit=1000", "?offset=100000", "?docs=1"]:
        checker.check(dashboard, dashboard + query, 200)
    headers = checker.check(dashboard, dashboard + "?limit=5", 200)
    if headers is not None:
        checker.check(dashboard, dashboard + "?limit=5", 304,
                      {"If-None-Match": headers["ETag"]})
    agent = "/api/agents/{stxAddress}"
    checker.check(agent, "/api/agents/" + known, 200)
    checker.check(agent, "/api/agents/not-an-address", 400)
    checker.check(agent, "/api/agents/" + unknown, 404)
    for route in ["/api/status", "/dashboard", "/healthz", "/readyz",
                  "/metrics", "/llms.txt", "/.well-known/agent.json",
                  "/openapi.json"]:
        checker.check(route, route, 200)
    checker.check_events()

    for route in document["paths"]:
        if route not in checker.asked:
            checker.fail(f"{route} is documented but was not asked")
    for failure in checker.failures:
        print("check_openapi:", failure)
    print(f"check_openapi: {checker.answers} answers of "
          f"{len(document['paths'])} routes checked, "
          f"{len(checker.failures)} failures")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
