"""What an HTTPS hop's certificate says: who issued it, to which names, for which dates.

Clone domains get their certificates the day they go live, for the lookalike name alone, so
"issued three days ago to welt.ltd only" is evidence. The facts are recorded whether or not the
certificate verifies: an investigation observes, it does not refuse. A certificate that does not
verify is said to, with the reason, and the page behind it is still read (nothing is ever sent
but the fixed request headers, so an unverified connection risks no secret).
"""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class TlsFacts:
    host: str
    issuer: str
    subject: str
    #: DNS names (and addresses) the certificate is valid for (subjectAltName).
    names: tuple[str, ...]
    not_before: datetime | None
    not_after: datetime | None
    serial: str
    #: SHA-256 of the DER certificate: the fingerprint crt.sh and other CT logs search by.
    sha256: str
    protocol: str | None = None
    verified: bool = True
    #: Why the certificate does not verify (None when it does).
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "issuer": self.issuer,
            "subject": self.subject,
            "names": list(self.names),
            "not_before": self.not_before.isoformat() if self.not_before else None,
            "not_after": self.not_after.isoformat() if self.not_after else None,
            "serial": self.serial,
            "sha256": self.sha256,
            "protocol": self.protocol,
            "verified": self.verified,
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TlsFacts:
        def when(value: Any) -> datetime | None:
            return datetime.fromisoformat(value) if isinstance(value, str) else None

        return cls(
            data["host"],
            data["issuer"],
            data["subject"],
            tuple(data.get("names", ())),
            when(data.get("not_before")),
            when(data.get("not_after")),
            data.get("serial", ""),
            data.get("sha256", ""),
            data.get("protocol"),
            bool(data.get("verified", True)),
            data.get("error"),
        )

    def describe(self, now: datetime | None = None) -> str:
        names = ", ".join(self.names[:10]) + (
            f" and {len(self.names) - 10} more" if len(self.names) > 10 else ""
        )
        text = f"the TLS certificate of {self.host} was issued by {self.issuer or 'an unnamed issuer'}"
        text += f" to {names or self.subject or 'no name'}"
        if self.not_before and self.not_after:
            text += f", valid {self.not_before.date().isoformat()} to {self.not_after.date().isoformat()}"
            if now is not None:
                age = (now - self.not_before).days
                text += f" (issued {age} days before this check)" if age >= 0 else ""
        if self.verified:
            return text + "; it verifies"
        return text + f"; it does not verify ({self.error or 'unknown reason'}), the page was read anyway"


def certificate_error(exc: BaseException) -> str | None:
    """Why a connection failed on the certificate, if it did (from the chain of exceptions)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or str(current)
        current = current.__cause__ or current.__context__
    return None


def unverified_context() -> ssl.SSLContext:
    """A client context that completes the handshake whatever the certificate (to observe it)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def read(ssl_object: Any, host: str, error: str | None) -> TlsFacts | None:
    """The facts of the peer certificate of a finished handshake; None when there is none."""
    try:
        der = ssl_object.getpeercert(True)  # positional: the low-level _SSLSocket takes no keywords
        protocol = ssl_object.version()
    except (AttributeError, ValueError, ssl.SSLError):
        return None
    if not der:
        return None
    return parse(der, host, protocol, error)


def parse(der: bytes, host: str, protocol: str | None = None, error: str | None = None) -> TlsFacts:
    from cryptography import x509  # late: only HTTPS hops need it

    cert = x509.load_der_x509_certificate(der)
    names: list[str] = []
    try:
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [
            *alt.get_values_for_type(x509.DNSName),
            *(str(a) for a in alt.get_values_for_type(x509.IPAddress)),
        ]
    except x509.ExtensionNotFound:
        pass
    return TlsFacts(
        host=host,
        issuer=cert.issuer.rfc4514_string(),
        subject=cert.subject.rfc4514_string(),
        names=tuple(names),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        serial=format(cert.serial_number, "x"),
        sha256=hashlib.sha256(der).hexdigest(),
        protocol=protocol,
        verified=error is None,
        error=error,
    )
