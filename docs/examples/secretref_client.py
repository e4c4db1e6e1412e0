#!/usr/bin/env python3
"""A Python runtime calling `secretref serve` (standard library only).

Renders a tool definition right before executing it, and masks every secret value in the
error text of a failing call before it is logged or shown to a model. Run against a service
on its Unix socket (the default) or on loopback TCP with its bearer token:

    secretref serve --socket /run/user/1000/secretref/serve.sock &
    python3 secretref_client.py --socket /run/user/1000/secretref/serve.sock tools/stripe.yaml

    SECRETREF_SERVE_TOKEN=... secretref serve --port 8787 &
    python3 secretref_client.py --url http://127.0.0.1:8787 --token-file token.txt tools/stripe.yaml

It prints one JSON line: {"ok": true, "status": ..., "body": ...} when the tool's call
succeeds, or {"ok": false, "error": "<the error, values masked>"} and exits 1 when it fails.
Exit 2 when the service refuses the request (bad definition, missing secret, no token).
docs/serve.md describes every operation; GET /openapi.json is the contract.
"""

import argparse
import http.client
import json
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over a Unix socket: the host name is only sent in the Host header."""

    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class ServiceError(Exception):
    """The service refused a request: `code` is secretref's error code, `problems` its positions."""

    def __init__(self, status, error):
        self.status = status
        self.code = error.get("code", "INTERNAL_ERROR")
        self.problems = error.get("problems", [])
        super().__init__(f"{self.code}: {error.get('message', '')}")


class SecretrefClient:
    """One client per process; the service keeps the secrets' cache between calls."""

    def __init__(self, socket_path=None, url=None, token=None, timeout=30):
        if (socket_path is None) == (url is None):
            raise ValueError("give exactly one of socket_path and url")
        self._socket_path = socket_path
        self._url = urllib.parse.urlsplit(url) if url else None
        self._token = token
        self._timeout = timeout

    def _connection(self):
        if self._socket_path is not None:
            return UnixHTTPConnection(self._socket_path, timeout=self._timeout)
        return http.client.HTTPConnection(self._url.hostname, self._url.port or 80, timeout=self._timeout)

    def call(self, method, path, body=None):
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        conn = self._connection()
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = json.loads(response.read().decode("utf-8"))
        finally:
            conn.close()
        if response.status != 200:
            raise ServiceError(response.status, data.get("error", {}))
        return data

    def render(self, definition, **options):
        """The rendered definition (dict), values in place. Options: dialect, environment, tool, vars, filename."""
        return self.call("POST", "/render", {"definition": definition, **options})["value"]

    def redact(self, definition, text, **options):
        """`text` with every value the definition's render uses masked as [REDACTED:name]."""
        return self.call("POST", "/redact", {"definition": definition, "text": text, **options})["text"]

    def lint(self, definition, **options):
        return self.call("POST", "/lint", {"definition": definition, **options})

    def plan(self, definition, **options):
        return self.call("POST", "/plan", {"definition": definition, **options})

    def health(self):
        return self.call("GET", "/healthz")


def execute_api_call(tool):
    """A minimal executor for an `api_call` tool: its method, url, headers and JSON body."""
    call = tool["api_call"]
    body = call.get("json")
    request = urllib.request.Request(
        call["url"],
        method=call.get("method", "GET" if body is None else "POST"),
        headers={k: str(v) for k, v in call.get("headers", {}).items()},
        data=json.dumps(body).encode("utf-8") if body is not None else None,
    )
    if body is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read().decode("utf-8", "replace")


def run_tool(client, definition, execute=execute_api_call, **options):
    """Render right before executing; on failure, raise with the error text's values masked."""
    tool = client.render(definition, **options)
    try:
        return execute(tool)
    except Exception as error:  # the error text may quote a header, a URL or a response body
        text = str(error)
        if isinstance(error, urllib.error.HTTPError):
            text = f"HTTP {error.code} from {error.url}: {error.read().decode('utf-8', 'replace')}"
        raise RuntimeError(client.redact(definition, text, **options)) from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--socket", help="the service's Unix socket")
    where.add_argument("--url", help="the service's loopback URL, e.g. http://127.0.0.1:8787")
    parser.add_argument("--token-file", help="file whose first line is the bearer token (TCP)")
    parser.add_argument("--environment")
    parser.add_argument("definition", help="the tool definition (YAML or JSON)")
    args = parser.parse_args(argv)

    token = None
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            token = f.readline().strip()
    client = SecretrefClient(socket_path=args.socket, url=args.url, token=token)
    with open(args.definition, encoding="utf-8") as f:
        definition = f.read()
    options = {"filename": args.definition}
    if args.environment:
        options["environment"] = args.environment

    try:
        status, body = run_tool(client, definition, **options)
    except ServiceError as refused:
        print(json.dumps({"ok": False, "refused": refused.code, "status": refused.status, "error": str(refused)}))
        return 2
    except RuntimeError as failed:
        print(json.dumps({"ok": False, "error": str(failed)}))
        return 1
    print(json.dumps({"ok": True, "status": status, "body": body}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
