"""Write README.md from nbs/index.ipynb, the way nbdev_readme would, without Quarto.

Markdown cells are copied; code cells become ```python blocks followed by their text outputs; cells marked
`#| hide` are left out and nbdev directives (`#| ...`) are stripped. Run from anywhere; exits 0.
"""
import json
import re
from pathlib import Path

repo = Path(__file__).resolve().parents[1]


def cell_text(cell) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream": parts.append("".join(out["text"]))
        elif "text/markdown" in out.get("data", {}): parts.append("\n" + "".join(out["data"]["text/markdown"]) + "\n")
        elif "text/plain" in out.get("data", {}): parts.append("".join(out["data"]["text/plain"]) + "\n")
    return "".join(parts).rstrip("\n")


def render(notebook: dict) -> str:
    blocks = ["<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->"]
    for cell in notebook["cells"]:
        text = cell_text(cell)
        directives = re.findall(r"^#\|\s*(.*)$", text, flags=re.M)
        if any(d.split()[0] in ("hide", "exporti") for d in directives if d): continue
        if cell["cell_type"] == "markdown":
            blocks.append(text.strip())
        elif cell["cell_type"] == "code":
            code = re.sub(r"^#\|.*\n?", "", text, flags=re.M).strip()
            if code: blocks.append(f"```python\n{code}\n```")
            out = outputs_text(cell)
            if out.strip(): blocks.append(out if out.lstrip().startswith(("|", "<")) else f"```\n{out}\n```")
    return "\n\n".join(blocks) + "\n"


if __name__ == "__main__":
    notebook = json.loads((repo / "nbs" / "index.ipynb").read_text())
    (repo / "README.md").write_text(render(notebook))
