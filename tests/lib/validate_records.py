#!/usr/bin/env python3
"""Validates JSON Lines files against docs/ddamfn-record.schema.json.

Usage: validate_records.py SCHEMA FILE.jsonl [KIND]

KIND is frame_record or face_row: every line must be a record of that
kind. Besides the schema, checks what a JSON Schema cannot say: the labels
name as many classes as there are probabilities, the expression is the
label of expression_index, the canonical probabilities are the model's
summed (within rounding), and the canonical class of the expression is
the one its label maps to. Exits 0 when every line is valid and the file
has at least one line; prints the first problems otherwise.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate_records: python3-jsonschema is not installed "
          "(tools/debian-packages.txt lists it)", file=sys.stderr)
    sys.exit(77)


# The canonical class of each model label spelling (docs/json-records.md);
# anything else is "other".
CANONICAL = {
    "neutral": "neutral", "happy": "happiness", "happiness": "happiness",
    "joy": "happiness", "sad": "sadness", "sadness": "sadness",
    "surprise": "surprise", "surprised": "surprise", "fear": "fear",
    "fearful": "fear", "afraid": "fear", "disgust": "disgust",
    "disgusted": "disgust", "anger": "anger", "angry": "anger",
    "contempt": "contempt", "other": "other",
}


def face_problems(face):
    """What the schema cannot check about one face."""
    labels = face.get("expression_labels")
    if labels is None:
        return []
    probs = face["expression_probs"]
    out = []
    if len(labels) != len(probs):
        out.append("%d labels for %d probabilities" % (len(labels),
                                                       len(probs)))
        return out
    if labels[face["expression_index"]] != face["expression"]:
        out.append("expression %r is not label %d (%r)" % (
            face["expression"], face["expression_index"],
            labels[face["expression_index"]]))
    want = CANONICAL.get(face["expression"].lower(), "other")
    if face["expression_canonical"] != want:
        out.append("expression_canonical %r, expected %r" % (
            face["expression_canonical"], want))
    sums = {}
    for label, p in zip(labels, probs):
        c = CANONICAL.get(label.lower(), "other")
        sums[c] = sums.get(c, 0.0) + p
    for c, p in face["canonical_probs"].items():
        if abs(p - sums.get(c, 0.0)) > 1e-5 * (len(labels) + 1):
            out.append("canonical_probs[%s] = %f, the model's sum %f" % (
                c, p, sums.get(c, 0.0)))
    return out


def record_problems(record):
    faces = record.get("faces")
    if isinstance(faces, list):
        return [p for f in faces if isinstance(f, dict)
                for p in face_problems(f)]
    if "expression_labels" in record:
        return face_problems(record)
    return []


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
            problems = ["%s at %s" % (e.message, list(e.absolute_path))
                        for e in validator.iter_errors(record)]
            if not problems:
                problems = record_problems(record)
            for p in problems:
                errors += 1
                if errors <= 5:
                    print("%s:%d: %s" % (path, lineno, p))
    if n == 0:
        print("%s: no records" % path)
        return 1
    print("%s: %d records, %d problems" % (path, n, errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
