#!/usr/bin/env python3
"""Writes each notebook NAME.ipynb from the file-based app NAME.cs beside it, so both forms run the same code.

The notebook starts with a setup cell that references the library built from this repository (the CLI's build output,
which holds every dependency and the patched native TorchSharp library) and loads that native library first; the
rest is the app's code, one cell per paragraph. A line ending in `// [app]` is left out of the notebook; a line
`// [notebook] CODE` is a comment in the app and CODE in the notebook. Run after editing a .cs file: python3 notebooks/make_notebooks.py
"""
import json, os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
BIN = "../src/DevInterp.Cli/bin/Debug/net10.0"
SETUP = f"""// Build first (from the repository root): dotnet build src/DevInterp.Cli
#r "{BIN}/DevInterp.dll"
#r "{BIN}/TorchSharp.dll"
#r "{BIN}/Apache.Arrow.dll"
#r "{BIN}/Microsoft.Data.Analysis.dll"
// TorchSharp's native library as patched by the build (it loads on Debian 12's libstdc++): load it before any tensor.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
System.Runtime.InteropServices.NativeLibrary.Load(System.IO.Path.GetFullPath("{BIN}/runtimes/linux-x64/native/libLibTorchSharp.so"));"""


def cells_of(source):
    """(statement paragraphs, declarations): the declarations (local functions, classes) at the end of the app go into
    one cell run before the statements, since a notebook needs them defined first."""
    lines = [l for l in source.splitlines() if not l.startswith("#!") and not l.startswith("#:") and not l.endswith("// [app]")]
    # Lines only the notebook runs are comments in the app.
    lines = [re.sub(r"^(\s*)// \[notebook\] ", r"\1", l) for l in lines]
    start = next((i for i, l in enumerate(lines) if re.match(r"^(static |sealed class |/// |// The repository)", l)), len(lines))
    # A script cannot hold top-level using declarations: the notebook keeps those objects for the session instead.
    body = [re.sub(r"^using var ", "var ", l) for l in lines[:start]]
    paragraphs = re.split(r"\n\s*\n", "\n".join(body).strip("\n"))
    return [p.strip("\n") for p in paragraphs if p.strip()], "\n".join(lines[start:]).strip("\n")


def cell(code, kind="code"):
    if kind == "markdown":
        return {"cell_type": "markdown", "metadata": {}, "source": code}
    return {"cell_type": "code", "execution_count": None, "outputs": [],
            "metadata": {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}},
            "source": code}


for name in sorted(f[:-3] for f in os.listdir(here) if f.endswith(".cs")):
    paragraphs, declarations = cells_of(open(os.path.join(here, name + ".cs")).read())
    title = paragraphs[0].splitlines()  # the leading comment block says what the notebook does
    intro = "\n".join(l[3:] if l.startswith("// ") else l.lstrip("/") for l in title if l.startswith("//"))
    rest = paragraphs[0].splitlines()[len([l for l in title if l.startswith("//")]):]
    cells = [cell(f"# {name}\n\n{intro}\n\nRun headless: `dotnet dotnet-repl --run notebooks/{name}.ipynb --exit-after-run` "
                  f"(from `notebooks/`); the same code as a .NET file-based app: `dotnet run notebooks/{name}.cs`.", "markdown"),
             cell(SETUP)]
    if rest:
        cells.append(cell("\n".join(rest)))
    if declarations:
        cells.append(cell(declarations))
    cells += [cell(p) for p in paragraphs[1:]]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
                       "language_info": {"name": "csharp"},
                       "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"name": "csharp"}]}}}}
    with open(os.path.join(here, name + ".ipynb"), "w") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {name}.ipynb ({len(cells)} cells)")
