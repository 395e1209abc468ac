#!/usr/bin/env python3
"""Regenerates data/models/*.yaml from the published config.json files in data/hf_configs,
through `siliconsim import hf` (the importer users run), with the ids, aliases and published
parameter counts recorded in data/hf_configs/index.yaml.

    scripts/import_models.py [path/to/siliconsim]
"""
import pathlib
import subprocess
import sys

import yaml

root = pathlib.Path(__file__).resolve().parent.parent
binary = sys.argv[1] if len(sys.argv) > 1 else str(root / "build" / "siliconsim")
index = yaml.safe_load((root / "data/hf_configs/index.yaml").read_text())
out_dir = root / "data/models"
out_dir.mkdir(exist_ok=True)
for old in out_dir.glob("*.yaml"):
    old.unlink()

seen_aliases = set()
for m in index["models"]:
    aliases = [a for a in [m["hf_repo"], *(m.get("aliases") or [])] if a not in seen_aliases]
    seen_aliases.update(aliases)
    cmd = [binary, "import", "hf", str(root / "data/hf_configs" / m["config"]), "--id", m["id"],
           "--name", m["hf_repo"].split("/")[-1], "--source", m["config_source"],
           "-o", str(out_dir / f"{m['id']}.yaml")]
    for a in aliases:
        cmd += ["--alias", a]
    # A figure that counts a vision tower is checked by the accounting test, which adds the
    # tower computed from vision_config; the text-only model YAML does not carry it.
    if m.get("published_total_params") is not None and not m.get("published_includes_vision"):
        cmd += ["--published-total", str(m["published_total_params"]), "--published-source", m["params_source"]]
        if m.get("published_active_params") is not None:
            cmd += ["--published-active", str(m["published_active_params"]),
                    "--active-convention", m.get("active_convention", "includes_token_embedding")]
    subprocess.run(cmd, check=True)
    print(f"data/models/{m['id']}.yaml")
