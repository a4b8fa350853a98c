"""Validate anyio-lint's SARIF against the official SARIF 2.1.0 schema and its JUnit as XML.

    python validate.py sarif REPORT.sarif CACHE_DIR
    python validate.py junit REPORT.xml

The schema is the OASIS SARIF 2.1.0 JSON schema as the `serde-sarif` crate ships it on crates.io
(`src/schema.json`); the crate is downloaded once, checked against its pinned SHA-256, and cached.
"""

import hashlib
import io
import json
import pathlib
import sys
import tarfile
import urllib.request
import xml.etree.ElementTree as ElementTree

CRATE = "https://static.crates.io/crates/serde-sarif/serde-sarif-0.8.0.crate"
CRATE_SHA256 = "a053c46f18a8043570d4e32fefc4c6377f82bf29ec310a33e93f273048e3b0be"
SCHEMA_TITLE = "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"


def schema(cache: pathlib.Path) -> dict:
    cached = cache / "sarif-schema-2.1.0.json"
    if not cached.exists():
        data = urllib.request.urlopen(CRATE, timeout=60).read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != CRATE_SHA256:
            sys.exit(f"serde-sarif crate has SHA-256 {digest}, expected {CRATE_SHA256}")
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            text = archive.extractfile("serde-sarif-0.8.0/src/schema.json").read()
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(text)
    loaded = json.loads(cached.read_text())
    assert loaded["title"] == SCHEMA_TITLE, loaded["title"]
    return loaded


def main() -> None:
    kind, report = sys.argv[1], pathlib.Path(sys.argv[2])
    if kind == "sarif":
        import jsonschema

        validator = jsonschema.Draft7Validator(schema(pathlib.Path(sys.argv[3])))
        errors = sorted(validator.iter_errors(json.loads(report.read_text())), key=str)
        for error in errors:
            print(f"{list(error.absolute_path)}: {error.message}")
        sys.exit(1 if errors else 0)
    if kind == "junit":
        root = ElementTree.parse(report).getroot()
        assert root.tag == "testsuites", root.tag
        failures = root.findall("./testsuite/testcase/failure")
        assert int(root.get("failures")) == len(failures), (root.get("failures"), len(failures))
        print(len(failures))
        return
    sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
