#!/usr/bin/env python3
"""Fails when a public item of the crate names a type of a crate whose
types must stay out of the public API (0.x crates, and those the API keeps
behind its own types): reads rustdoc's JSON output and walks every public
item's signature for the paths it resolves to.

    cargo +nightly rustdoc --lib --all-features -- -Z unstable-options --output-format json
    python3 .ci/foreign-types.py target/doc/oauth2_pkce.json
"""
import json
import sys

FORBIDDEN = {
    "getrandom", "url", "serde_json",
    # The signature crates: keys and signatures stay behind Es256Key,
    # Ed25519Key, Signer and JwsVerifier.
    "p256", "ecdsa", "elliptic_curve", "ed25519_dalek", "ed25519", "hmac", "sha2", "digest",
    "rsa", "crypto_bigint", "signature",
}

doc = json.load(open(sys.argv[1]))
crates = {int(k): v["name"] for k, v in doc["external_crates"].items()}
index = doc["index"]
paths = doc["paths"]


def crate_of(item_id):
    entry = paths.get(str(item_id))
    if entry is None:
        return None
    return crates.get(entry["crate_id"], "oauth2_pkce")


def walk(node, found, where):
    if isinstance(node, dict):
        resolved = node.get("resolved_path")
        if isinstance(resolved, dict):
            crate = crate_of(resolved.get("id"))
            if crate in FORBIDDEN:
                found.append((where, crate, resolved.get("path")))
        for value in node.values():
            walk(value, found, where)
    elif isinstance(node, list):
        for value in node:
            walk(value, found, where)


found = []
for item in index.values():
    if item.get("crate_id") != 0 or item.get("visibility") not in ("public", "default"):
        continue
    name = item.get("name") or "(impl)"
    walk(item.get("inner"), found, name)

for where, crate, path in sorted(set(found)):
    print(f"{where}: names {crate}::{path}")
if found:
    sys.exit(1)
print(f"no public item names a type of {', '.join(sorted(FORBIDDEN))}")
