"""Real local servers for the sender tests: a small SMTP server (plain, STARTTLS, implicit TLS)
and an HTTP endpoint, each on 127.0.0.1 in a thread, plus a self-signed certificate."""

import base64
import datetime as dt
import email
import email.policy
import ipaddress
import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Certificate:
    cert_file: Path
    key_file: Path
    pem: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Trusts exactly this certificate, with full hostname verification."""
        return ssl.create_default_context(cadata=self.pem)


def self_signed_certificate(directory: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_file = directory / "cert.pem"
    key_file = directory / "key.pem"
    cert_file.write_text(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_file=cert_file, key_file=key_file, pem=pem)


# --- SMTP -------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server received: one entry per accepted DATA."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    tls_used: list[bool] = field(default_factory=list)


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, mode: str, tls: ssl.SSLContext | None, users: dict[str, str], mailbox: Mailbox
    ) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.mode = mode
        self.tls = tls
        self.users = users
        self.mailbox = mailbox


class _SmtpHandler(socketserver.BaseRequestHandler):
    """Just enough RFC 5321 for smtplib: EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    server: _SmtpServer

    def handle(self) -> None:
        server = self.server
        conn: Any = self.request
        secure = False
        if server.mode == "ssl":
            assert server.tls is not None
            conn = server.tls.wrap_socket(conn, server_side=True)
            secure = True
        reader: BinaryIO = conn.makefile("rb")

        def reply(*lines: str) -> None:
            payload = "".join(
                f"{line[:3]}{'-' if index < len(lines) - 1 else ' '}{line[4:]}\r\n"
                for index, line in enumerate(lines)
            )
            conn.sendall(payload.encode())

        reply("220 test.local ESMTP")
        sender = ""
        recipients: list[str] = []
        authenticated = False
        while True:
            raw = reader.readline()
            if not raw:
                return
            command = raw.decode().rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                extensions = ["250 test.local", "250 8BITMIME"]
                if server.mode == "starttls" and not secure:
                    extensions.append("250 STARTTLS")
                if server.users:
                    extensions.append("250 AUTH PLAIN")
                reply(*extensions)
            elif verb == "STARTTLS" and server.mode == "starttls" and server.tls is not None:
                reply("220 go ahead")
                conn = server.tls.wrap_socket(conn, server_side=True)
                reader = conn.makefile("rb")
                secure = True
            elif verb == "AUTH":
                decoded = base64.b64decode(command.split(" ")[2]).split(b"\0")
                username, password = decoded[1].decode(), decoded[2].decode()
                if server.users.get(username) == password:
                    authenticated = True
                    server.mailbox.logins.append(username)
                    reply("235 ok")
                else:
                    reply("535 bad credentials")
            elif verb == "MAIL":
                if server.mode == "starttls" and not secure:
                    reply("530 must issue STARTTLS first")
                elif server.users and not authenticated:
                    reply("530 authentication required")
                else:
                    sender = command.split(":", 1)[1].split()[0].strip("<>")
                    recipients = []
                    reply("250 ok")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].split()[0].strip("<>")
                if address.startswith("refused"):
                    reply("550 no such mailbox")
                else:
                    recipients.append(address)
                    reply("250 ok")
            elif verb == "DATA":
                reply("354 end with .")
                lines = []
                while (line := reader.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                parsed = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                server.mailbox.messages.append((sender, recipients, parsed))
                server.mailbox.tls_used.append(secure)
                reply("250 queued")
            elif verb in ("RSET", "NOOP", "HELO"):
                reply("250 ok")
            elif verb == "QUIT":
                reply("221 bye")
                return
            else:
                reply("502 not implemented")


@contextmanager
def smtp_server(
    *, mode: str = "none", tls: ssl.SSLContext | None = None, users: dict[str, str] | None = None
) -> Iterator[tuple[int, Mailbox]]:
    """An SMTP server on 127.0.0.1; yields (port, mailbox)."""
    mailbox = Mailbox()
    server = _SmtpServer(mode, tls, users or {}, mailbox)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1], mailbox
    finally:
        server.shutdown()
        server.server_close()


# --- HTTP -------------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Endpoint:
    url: str
    requests: list[Received]
    # The status the endpoint answers with; tests change it between calls.
    status: int = 200


@contextmanager
def http_endpoint() -> Iterator[Endpoint]:
    """An HTTP server on 127.0.0.1 that records POSTs and answers `endpoint.status`."""
    requests: list[Received] = []
    endpoint = Endpoint(url="", requests=requests)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            requests.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(endpoint.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
