"""PAdES signatures on the PDFs the service issues (pyHanko), and the check of a signature on an uploaded PDF.

The key and certificate come from a PKCS#12 file: the organisation's own (SIGNING_PKCS12 and
SIGNING_PKCS12_PASSWORD in instance/config.py), or, by default, instance/signing.p12, a self-signed one made on
first run, readable by the service's user only.
"""

import asyncio
import datetime
import io
import os
from concurrent.futures import ThreadPoolExecutor

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

DEFAULT_NAME = "signing.p12"
SIGNER_NAME = "Hangzhou AI pilot-zone subsidy calculator"  # a certificate name holds 64 characters at most
SIGNER_ORGANISATION = "杭州市人工智能创新发展试验区补助测算"
FIELD = "Signature"
_CACHE_KEY = "subsidy.signer"


class SigningSetupError(RuntimeError):
    """The configured PKCS#12 file cannot be read: the service cannot sign, so it does not start."""


def default_path(instance_path: str) -> str:
    return os.path.join(instance_path, DEFAULT_NAME)


def ensure_self_signed(path: str, years: int = 10) -> bool:
    """Create a self-signed key and certificate as a PKCS#12 file at path (0600) unless one exists; say if made."""
    if os.path.exists(path):
        return False
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "Hangzhou"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, SIGNER_ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_NAME),
    ])
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    # The file is protected by its mode, as instance/config.py is: no password to keep next to it.
    data = pkcs12.serialize_key_and_certificates(b"subsidy", key, certificate, None,
                                                 serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return True


def configure(app):
    """Set SIGNING_PKCS12 (default instance/signing.p12, made on first run) and check it can be loaded."""
    default = default_path(app.instance_path)
    path = app.config.setdefault("SIGNING_PKCS12", default)
    app.config.setdefault("SIGNING_PKCS12_PASSWORD", None)
    if path == default:
        ensure_self_signed(path)
    app.extensions[_CACHE_KEY] = load_signer(path, app.config["SIGNING_PKCS12_PASSWORD"])


class KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, with the private key parsed once instead of at every signature.

    SimpleSigner parses the key from DER for each signature, and OpenSSL then checks an RSA key (about 0.9 s
    for 3072 bits); pyHanko signs twice per PDF (once to size the signature). RSA with PKCS#1 v1.5, the
    mechanism of our certificate and of most organisations', uses the kept key; any other mechanism goes
    through pyHanko's own code.
    """

    def __init__(self, loaded: signers.SimpleSigner, key):
        super().__init__(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                         cert_registry=loaded.cert_registry)
        self.kept_key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if isinstance(self.kept_key, rsa.RSAPrivateKey) and mechanism == "rsassa_pkcs1v15":
            return self.kept_key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


def load_signer(path: str, password: str | bytes | None) -> KeptKeySigner:
    """Return a pyHanko signer for the key and certificate in the PKCS#12 file at path."""
    if isinstance(password, str):
        password = password.encode("utf-8")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        key = pkcs12.load_key_and_certificates(data, password)[0]
        loaded = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password)
    except (OSError, ValueError) as error:
        raise SigningSetupError(f"cannot load the signing certificate {path}: {error} "
                                "(check SIGNING_PKCS12 and SIGNING_PKCS12_PASSWORD in instance/config.py)") from error
    return KeptKeySigner(loaded, key)


def signer_of(app):
    return app.extensions[_CACHE_KEY]


def _outside_event_loop(function, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which run asyncio.run() inside.

    asyncio.run() fails in a thread whose event loop is already running (under an async server, or next to
    Playwright's sync API in the tests): the call then goes to a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign(pdf: bytes, signer, reason: str) -> bytes:
    """Return pdf with a PAdES (B-B) signature over the whole file appended as an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name=FIELD, md_algorithm="sha256", reason=reason,
                                        location="Hangzhou", subfilter=fields.SigSeedSubFilter.PADES)
    return _outside_event_loop(signers.sign_pdf, writer, meta, signer=signer).getvalue()


def check(pdf: bytes, signer) -> dict:
    """Say whether pdf carries a signature that is intact, covers the whole file and was made with our key.

    Returns {"signed", "intact", "whole_file", "ours", "problem"}; it never raises on a bad file.
    """
    answer = {"signed": False, "intact": False, "whole_file": False, "ours": False, "problem": None}
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        if not signatures:
            answer["problem"] = "unsigned"
            return answer
        answer["signed"] = True
        # Trust our own certificate only: this asks "did this service sign it", not "does the world trust it".
        context = ValidationContext(trust_roots=[signer.signing_cert])
        status = _outside_event_loop(validate_pdf_signature, signatures[-1], context, skip_diff=True)
    except Exception as error:  # pyHanko raises many kinds for a damaged file; each means "not verified"
        answer["problem"] = f"{type(error).__name__}: {str(error)[:200]}"
        return answer
    answer["intact"] = bool(status.intact and status.valid)
    answer["whole_file"] = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    answer["ours"] = status.signing_cert.dump() == signer.signing_cert.dump()
    return answer
