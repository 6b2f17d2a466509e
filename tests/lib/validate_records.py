#!/usr/bin/env python3
"""Validates JSON Lines files against docs/ddamfn-record.schema.json.

Usage: validate_records.py SCHEMA FILE.jsonl [KIND]

KIND is frame_record or face_row: every line must be a record of that
kind. Exits 0 when every line is valid and the file has at least one
line; prints the first problems otherwise.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate_records: python3-jsonschema is not installed "
          "(tools/debian-packages.txt lists it)", file=sys.stderr)
    sys.exit(77)


def main():
    schema_path, path = sys.argv[1], sys.argv[2]
    kind = sys.argv[3] if len(sys.argv) > 3 else None
    with open(schema_path) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    if kind:
        schema = dict(schema)
        schema.pop("oneOf")
        schema["$ref"] = "#/$defs/" + kind
    validator = cls(schema)
    errors = 0
    n = 0
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            n += 1
            record = json.loads(line)
            for e in validator.iter_errors(record):
                errors += 1
                if errors <= 5:
                    print("%s:%d: %s at %s" % (path, lineno, e.message,
                                               list(e.absolute_path)))
    if n == 0:
        print("%s: no records" % path)
        return 1
    print("%s: %d records, %d problems" % (path, n, errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
