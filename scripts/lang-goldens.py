#!/usr/bin/env python3
"""Regenerates the side-by-side corpus goldens in tests/lang/goldens/ from `terraform console`.

    scripts/lang-goldens.py [FAMILY...]     (default: every tests/lang/*.txt)

Each line of tests/lang/FAMILY.txt (blank lines and lines starting with '#' aside) is one
expression. For each, Terraform evaluates the expression and jsonencode() of it in an empty
directory, offline; the golden records what Terraform printed (the value as the console shows
it and its JSON, or the error's summary and detail). `cargo test --test lang_corpus` checks
plinth against the committed goldens, so the suite needs no terraform.
"""

import concurrent.futures
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "lang"
GOLDENS = CORPUS / "goldens"
FIXTURES = CORPUS / "fixtures"


def cases(path):
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield line.strip()


def console(terraform, env, expr):
    """(ok, stdout) or (False, (summary, detail)) for one expression, evaluated in a fresh copy
    of the fixtures (concurrent consoles in one directory contend for its state lock)."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = pathlib.Path(tmp) / "work"
        if FIXTURES.exists():
            shutil.copytree(FIXTURES, workdir)
        else:
            workdir.mkdir()
        done = subprocess.run(
            [terraform, "console", "-no-color"],
            input=expr + "\n",
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode == 0:
        return True, done.stdout.rstrip("\n")
    return False, parse_error(done.stderr)


def parse_error(stderr):
    """The summary and detail of the first error Terraform printed."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Error: "):
            summary = line[len("Error: "):].strip()
            rest = lines[i + 1:]
            # Skip the source location block: "  on <console-input> line 1:" and its excerpt.
            body = []
            skipping = False
            for text in rest:
                if text.startswith("  on <console-input>"):
                    skipping = True
                    continue
                if skipping:
                    if text.strip() == "":
                        skipping = False
                    continue
                body.append(text)
            detail = unwrap("\n".join(body).strip())
            return summary, detail
    return "terraform failed", stderr.strip()


# Terraform wraps diagnostics at 77 columns when its output is not a terminal.
WRAP = 77


def unwrap(text):
    """Undoes the console's word wrapping: a line break is the wrapper's when the next word
    would not have fit on the line."""
    lines = text.split("\n")
    out = [lines[0]] if lines else []
    for line in lines[1:]:
        previous = out[-1]
        word = line.split(" ", 1)[0]
        if previous and line and not line.startswith(" ") and len(previous) + 1 + len(word) > WRAP:
            out[-1] = previous + " " + line
        else:
            out.append(line)
    return "\n".join(out)


def golden(terraform, env, expr):
    ok, out = console(terraform, env, expr)
    if not ok:
        return {"expr": expr, "error": {"summary": out[0], "detail": out[1]}}
    entry = {"expr": expr, "value": out}
    ok, encoded = console(terraform, env, f"jsonencode({expr})")
    if ok and encoded.startswith('"'):
        try:
            entry["json"] = json.loads(encoded)
        except ValueError:
            pass  # the console quotes HCL-style ("$${"), so leave such a string unchecked
    return entry


def main():
    terraform = shutil.which("terraform")
    if not terraform:
        sys.exit("terraform is not on PATH: the goldens can only be made with it")
    families = sys.argv[1:] or sorted(p.stem for p in CORPUS.glob("*.txt") if p.stem != "known_differences")
    GOLDENS.mkdir(exist_ok=True)
    version = subprocess.run([terraform, "version"], capture_output=True, text=True).stdout.splitlines()[0]
    with tempfile.TemporaryDirectory() as tmp:
        rc = pathlib.Path(tmp) / "terraformrc"
        rc.write_text("")
        env = dict(os.environ, TF_CLI_CONFIG_FILE=str(rc), CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
        for family in families:
            exprs = list(cases(CORPUS / f"{family}.txt"))
            with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                entries = list(pool.map(lambda e: golden(terraform, env, e), exprs))
            out = {"terraform": version, "cases": entries}
            (GOLDENS / f"{family}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
            print(f"{family}: {len(entries)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
