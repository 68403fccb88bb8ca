#!/usr/bin/env python3
"""A local RFC 3161 timestamp authority for the tests: OpenSSL's
`openssl ts -reply` behind http.server on 127.0.0.1.

Usage: tsa-server.py DIR
DIR holds ts.cnf (the `openssl ts` configuration) and gets `port` (the port
the system picked, written once the server listens) and may hold `mode`,
read on every request so a test can change the TSA's behaviour:
  ok          a genuine reply
  garbage     bytes that are no timestamp response
  wrong-nonce a genuine reply to another request over the same digest
  http-500    an HTTP error
"""
import http.server
import os
import subprocess
import sys
import tempfile

DIR = sys.argv[1]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def reply(query: bytes, mode: str) -> bytes:
    with tempfile.TemporaryDirectory(dir=DIR) as tmp:
        q = os.path.join(tmp, "q.tsq")
        r = os.path.join(tmp, "r.tsr")
        if mode == "wrong-nonce":
            # The imprint is the 32-byte OCTET STRING after the SHA-256
            # AlgorithmIdentifier's NULL parameters.
            at = query.index(b"\x05\x00\x04\x20") + 4
            openssl("ts", "-query", "-digest", query[at:at + 32].hex(),
                    "-sha256", "-cert", "-out", q)
        else:
            with open(q, "wb") as f:
                f.write(query)
        openssl("ts", "-reply", "-config", os.path.join(DIR, "ts.cnf"),
                "-queryfile", q, "-out", r)
        with open(r, "rb") as f:
            return f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            with open(os.path.join(DIR, "mode")) as f:
                mode = f.read().strip()
        except FileNotFoundError:
            mode = "ok"
        status, out = 200, b""
        try:
            if mode == "garbage":
                out = b"<html>this is not a timestamp</html>\n"
            elif mode == "http-500":
                status = 500
            else:
                out = reply(body, mode)
        except (subprocess.CalledProcessError, ValueError):
            status = 400
        self.send_response(status)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = os.path.join(DIR, "port.tmp")
with open(tmp, "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(tmp, os.path.join(DIR, "port"))
srv.serve_forever()
