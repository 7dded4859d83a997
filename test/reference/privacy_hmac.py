#!/usr/bin/python3
"""Reference values for minqing.pseudonymize (test/pgtap/privacy.sql).

Python's standard-library hmac module, independent of PostgreSQL's
common/hmac.c and of OpenSSL's HMAC. The first two are RFC 4231 test cases 1
and 2 (the only ones whose keys and data are valid UTF-8 text); the others
exercise a key longer than the 64-byte SHA-256 block (hashed first), UTF-8
multibyte input and empty data.
Run: /usr/bin/python3 test/reference/privacy_hmac.py
"""
import hashlib
import hmac

CASES = [
    (b"\x0b" * 20, b"Hi There"),                           # RFC 4231 case 1
    (b"Jefe", b"what do ya want for nothing?"),            # RFC 4231 case 2
    (("k" * 100).encode(), b"13800138000"),                # key > block size
    ("密钥".encode(), "张三 13800138000".encode()),          # UTF-8 key and value
    (b"test-key", b""),                                    # empty value
    (b"sekrit", b"13800138000"),                           # the setting test
]
for key, value in CASES:
    print(hmac.new(key, value, hashlib.sha256).hexdigest(), key[:12], value[:20])
