"""The documentation site without Quarto: execute the notebooks, process them with nbdev's own processors (the
pages Quarto would render), render those to static HTML, and check the result in headless Chromium.

Quarto installs from neither PyPI nor Debian, so CI cannot build the real site (`nbdev_docs`, deployed by
.github/workflows/deploy.yaml). This builds the same processed pages (`_proc/`, as `nbdev_proc_nbs` makes them)
into a plain static site, so that what a reader would see can be checked offline:

    python tools/docs.py build [--flags data] [--out _site]     # execute, process, render
    python tools/docs.py execute [--flags data]                 # execute only (the test command's notebook tests) …
    python tools/docs.py build --executed [--flags data]        # … then build from those copies, without running again
    python tools/docs.py check [--site _site] [--shots outputs/docs]   # open every page in Chromium

`check` fails on a sidebar entry without its page, an internal link to a missing page or anchor, an API page
missing the section of an exported name, a page without prose, or a page whose notebook raised; it saves
screenshots of key pages. Chromium runs with background networking, component updates and sync disabled, and the
site is served from localhost, so the check makes no outside connection.
"""
from __future__ import annotations

import argparse
import functools
import html
import http.server
import json
import os
import re
import shutil
import sys
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mistune
import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
BUILD = ROOT / "_docs_build"   # executed copies of the notebooks (ignored)
KEY_PAGES = ("index.html", "sparse.html", "inference.html", "tutorials/screening_generated.html", "paper/formation_energy.html")


# ---------------------------------------------------------------- execute
def _notebooks() -> list[Path]:
    "The notebooks of nbs/ that become pages (not checkpoints or other hidden or `_` folders)."
    return sorted(p for p in NBS.rglob("*.ipynb") if not any(part.startswith((".", "_")) for part in p.relative_to(NBS).parts))


def _execute(job: tuple[str, str, str]) -> tuple[str, str|None, float]:
    "Worker: run one notebook as nbdev_test does (same skipped cells), keep its outputs; (path, error, seconds)."
    source, target, flags = job
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor
    from nbdev.config import get_config
    skip = set(get_config().tst_flags.split()) - set(flags.split())   # flags name the flagged cells to run, as for nbdev_test
    source, target = Path(source), Path(target)
    nb = NBProcessor(source, procs=FrontmatterProc, process=True).nb
    if str(getattr(nb, "frontmatter_", {}).get("skip_exec", "")).lower() in ("true", "1", "yes"):
        return str(source), None, 0.0

    def no_eval(cell):
        if cell.cell_type != "code": return True
        if "nbdev_export" + "(" in cell.source: return True
        directives = getattr(cell, "directives_", {}) or {}
        if directives.get("eval:", [""])[0].lower() == "false": return True
        return bool(skip & directives.keys())
    os.environ["IN_TEST"] = "1"
    start = time.perf_counter()
    shell = CaptureShell(source)
    error = None
    try:
        with working_directory(source.parent): shell.run_all(nb, exc_stop=True, preproc=no_eval)
    except Exception: error = shell.prettytb(fname=source)
    # the processed copy lost its `#|` directives (the docs processors need them): outputs go onto the notebook as written
    written = read_nb(source)
    for cell, ran in zip(written.cells, nb.cells, strict=True):
        if cell.cell_type == "code": cell.outputs, cell.execution_count = ran.get("outputs", []), ran.get("execution_count")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_nb(written, target)
    return str(source), error, time.perf_counter() - start


def _execute_in_process(job: tuple[str, str, str]) -> tuple[str, str|None, float]:
    "One notebook in a fresh interpreter (as nbdev_test isolates them), through `docs.py execute-one`."
    done = subprocess.run([sys.executable, __file__, "execute-one", *job], capture_output=True, text=True)
    if done.returncode != 0 and not done.stdout.strip(): return job[0], done.stderr[-3000:], 0.0
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["source"], result["error"], result["seconds"]


STAMP = BUILD / "executed.json"   # which sources, with which flags, the executed copies come from


def _source_digest(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def execute(flags: str, workers: int) -> list[str]:
    """Execute every notebook of nbs/ into _docs_build/nbs, each in a fresh interpreter under nbdev_test's rules; the
    errors. The test command runs this once: its executed copies are both the notebook tests and the pages' outputs."""
    if BUILD.exists(): shutil.rmtree(BUILD)
    shutil.copytree(NBS, BUILD / "nbs", ignore=shutil.ignore_patterns(".*", "_*.ipynb"))
    jobs = [(str(p), str(BUILD / "nbs" / p.relative_to(NBS)), flags) for p in _notebooks()]
    with ThreadPoolExecutor(workers) as pool: results = list(pool.map(_execute_in_process, jobs))
    errors = []
    for source, error, seconds in results:
        print(f"executed {Path(source).relative_to(ROOT)} in {seconds:.0f} s" + (" (FAILED)" if error else ""), flush=True)
        if error: errors.append(f"{source}:\n{error}")
    STAMP.write_text(json.dumps({"flags": flags, "sources": {str(p.relative_to(NBS)): _source_digest(p) for p in _notebooks()}}, indent=1))
    return errors


def stale_execution(flags: str) -> list[str]:
    "Why the executed copies in _docs_build cannot stand for the notebooks as they are now (nothing when they can)."
    if not STAMP.is_file(): return ["no executed notebooks in _docs_build: run `python tools/docs.py execute` first"]
    stamp = json.loads(STAMP.read_text())
    found = [] if stamp["flags"] == flags else [f"executed with flags {stamp['flags']!r}, not {flags!r}"]
    now = {str(p.relative_to(NBS)): _source_digest(p) for p in _notebooks()}
    found += [f"{name} was not executed" for name in sorted(now.keys() - stamp["sources"].keys())]
    found += [f"{name} changed since it was executed" for name, digest in now.items()
              if name in stamp["sources"] and stamp["sources"][name] != digest]
    found += [f"{name} was executed but is gone" for name in sorted(stamp["sources"].keys() - now.keys())]
    return found


def copy_paper_runs():
    "The paper notebooks train: their executed pages are the papermill runs of the test command (outputs/paper)."
    for page in sorted((NBS / "paper").glob("*.ipynb")):
        run = ROOT / "outputs" / "paper" / page.name
        if run.is_file():
            shutil.copy(run, BUILD / "nbs" / "paper" / page.name)
            print(f"paper page {page.name}: from its papermill run {run.relative_to(ROOT)}")
        else: print(f"paper page {page.name}: no papermill run in outputs/paper; the page shows no outputs")


def notebook_problems() -> list[str]:
    """What spoils the pages: a subtitle on several lines (nbdev keeps its first line only, for the page and the module
    docstring), and, in library notebooks, cells mixing imports with other code (nbdev runs every cell with an import
    while building the pages)."""
    import ast
    found = []
    for path in _notebooks():
        name, cells = path.relative_to(NBS), json.loads(path.read_text())["cells"]
        title = next((c for c in cells if c["cell_type"] == "markdown"), None)
        if title and sum(line.startswith(">") for line in "".join(title["source"]).splitlines()) > 1:
            found.append(f"{name}: the subtitle spans several lines (write it on one)")
        if not any("#| export" in "".join(c["source"]) for c in cells): continue   # nbdev executes nothing there
        for k, cell in enumerate(cells):
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or "nbdev_export()" in source: continue   # nbdev skips these
            if re.search(r"^#\|\s*(export|exports|exporti|exec_doc)\b", source, re.M): continue
            try: tree = ast.parse(source)
            except SyntaxError: continue
            imports = any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))
            others = any(isinstance(n, (ast.Expr, ast.Assign, ast.With, ast.For, ast.If)) for n in tree.body)
            if imports and others: found.append(f"{name} cell {k}: imports mixed with other code (put the imports in a cell of their own)")
    return found


def process(workers: int) -> Path:
    "nbdev's processors over the executed copies (the `_proc/` that nbdev_docs hands to Quarto)."
    from nbdev.serve import proc_nbs
    return Path(proc_nbs(str(BUILD / "nbs"), n_workers=workers, force=True))


# ---------------------------------------------------------------- render
def slug(text: str) -> str:
    "Quarto's heading ids: lower case, punctuation other than - _ . dropped, spaces as hyphens."
    text = re.sub(r"<[^>]+>", "", html.unescape(text)).strip().lower()
    text = re.sub(r"[^\w\s.-]", "", text)
    return re.sub(r"\s+", "-", text)


class _Renderer(mistune.HTMLRenderer):
    def heading(self, text, level, **attrs):
        return f'<h{level} id="{html.escape(slug(text))}" class="anchored">{text}</h{level}>\n'


_markdown = mistune.create_markdown(renderer=_Renderer(escape=False), plugins=["table", "strikethrough", "url", "footnotes"])


def markdown(text: str, site_url: str, depth: int) -> str:
    "Markdown (with Pandoc link attributes and site-absolute links) → HTML with site-relative links."
    text = re.sub(r"(\]\([^)]*\))\{[^}]*\}", r"\1", text)   # [x](url){target=...}: Pandoc attributes
    rendered = _markdown(text)
    up = "../" * depth
    rendered = rendered.replace(f'href="{site_url}/', f'href="{up}')
    return re.sub(r'href="((?!https?:|#|mailto:)[^"]+?)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', rendered)


def _frontmatter(nb: dict) -> dict:
    for cell in nb["cells"]:
        if cell["cell_type"] == "raw":
            text = "".join(cell["source"]).strip()
            if text.startswith("---"): return yaml.safe_load(text.strip("-\n")) or {}
    return {}


def _directives(source: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^#\|\s*([\w-]+):?\s*(.*)$", source, re.M)}


def _output_html(output: dict, site_url: str, depth: int) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        text = "".join(output.get("text", ""))
        return f'<pre class="stream {output.get("name", "")}">{html.escape(text)}</pre>' if text.strip() else ""
    if kind == "error": return f'<pre class="error">{html.escape(output.get("ename", ""))}: {html.escape(output.get("evalue", ""))}</pre>'
    data = output.get("data", {})
    join = lambda v: "".join(v) if isinstance(v, list) else v
    if "image/png" in data:
        return f'<img class="figure" src="data:image/png;base64,{join(data["image/png"]).strip()}" alt="figure">'
    if "image/svg+xml" in data: return join(data["image/svg+xml"])
    if "text/markdown" in data: return markdown(join(data["text/markdown"]), site_url, depth)
    if "text/html" in data: return f'<div class="cell-output-display">{join(data["text/html"])}</div>'
    if "text/plain" in data: return f"<pre>{html.escape(join(data['text/plain']))}</pre>"
    return ""


def render_notebook(nb: dict, front: dict, site_url: str, depth: int) -> str:
    "The page body of a processed notebook (its front matter gives the title block)."
    parts = []
    if front.get("title"): parts.append(f'<h1 class="title">{html.escape(str(front["title"]))}</h1>')
    if front.get("description"):   # inline Markdown, as Quarto renders the title block
        parts.append('<p class="subtitle">' + re.sub(r"^<p>|</p>\s*$", "", _markdown(str(front["description"])).strip()) + "</p>")
    for cell in nb["cells"]:
        source = "".join(cell.get("source", []))
        if cell["cell_type"] == "markdown":
            if "AUTOGENERATED! DO NOT EDIT" in source: continue
            parts.append(markdown(source, site_url, depth))
        elif cell["cell_type"] == "code":
            d = _directives(source)
            if d.get("include") == "false" or "hide" in d: continue
            code = "\n".join(line for line in source.splitlines() if not line.startswith("#|")).strip()
            block = []
            if code and d.get("echo") != "false":
                block.append(f'<pre class="sourceCode"><code class="language-python">{html.escape(code)}</code></pre>')
            if d.get("output") != "false":
                block += [_output_html(o, site_url, depth) for o in cell.get("outputs", [])]
            if any(block): parts.append('<div class="cell">' + "\n".join(b for b in block if b) + "</div>")
    return "\n".join(parts)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – {site}</title><meta name="description" content="{description}">
<link rel="stylesheet" href="{up}site.css"><link rel="stylesheet" href="{up}styles.css"></head>
<body><header class="navbar"><a class="brand" href="{up}index.html">{site}</a></header>
<div class="layout"><nav class="sidebar" id="sidebar">{sidebar}</nav>
<main class="content" id="quarto-document-content">{body}</main></div></body></html>
"""

SITE_CSS = """body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;line-height:1.5}
.navbar{background:#2780e3;padding:.6rem 1.2rem}.navbar .brand{color:#fff;font-weight:600;text-decoration:none;font-size:1.2rem}
.layout{display:flex}.sidebar{width:16rem;flex:none;padding:1rem;border-right:1px solid #eee;font-size:.9rem}
.sidebar ul{list-style:none;padding-left:.6rem;margin:.2rem 0}.sidebar .section{font-weight:600;margin-top:.8rem}
.sidebar a{color:#333;text-decoration:none}.sidebar a.active{color:#2780e3;font-weight:600}
.content{max-width:60rem;padding:1rem 2rem;overflow-x:auto}pre{background:#f7f7f7;padding:.6rem;overflow-x:auto;font-size:.85rem}
table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ddd;padding:.2rem .5rem}img.figure{max-width:100%}
.subtitle{color:#555;font-size:1.1rem}pre.error{background:#fee}
"""


def _sidebar_items(entries, titles: dict[str, str]) -> list:
    "sidebar.yml entries → [(title, page) | (section, [items])]."
    items = []
    for entry in entries:
        if isinstance(entry, str): items.append((titles.get(entry, entry), entry))
        elif isinstance(entry, dict) and "section" in entry:
            items.append((entry["section"], _sidebar_items(entry.get("contents", []), titles)))
        elif isinstance(entry, dict) and "href" in entry: items.append((entry.get("text", entry["href"]), entry["href"]))
    return items


def _sidebar_html(items, pages: dict[str, str], current: str, up: str) -> str:
    out = ["<ul>"]
    for title, target in items:
        if isinstance(target, list):
            out.append(f'<li><div class="section">{html.escape(title)}</div>{_sidebar_html(target, pages, current, up)}</li>')
        else:
            href = pages.get(target, target.replace(".ipynb", ".html"))
            active = ' class="active"' if href == current else ""
            out.append(f'<li><a href="{up}{href}"{active}>{html.escape(title)}</a></li>')
    return "".join(out) + "</ul>"


def render(proc: Path, out: Path) -> dict[str, str]:
    "Static HTML for every processed notebook; notebook path (relative to nbs/) → page path."
    config = yaml.safe_load((proc / "nbdev.yml").read_text())["website"]
    site, site_url = config["title"], config["site-url"].rstrip("/")
    notebooks = sorted(proc.rglob("*.ipynb"))
    loaded = {p.relative_to(proc).as_posix(): json.loads(p.read_text()) for p in notebooks}
    pages, titles, fronts = {}, {}, {}
    for name, nb in loaded.items():
        front = fronts[name] = _frontmatter(nb)
        folder = "" if Path(name).parent == Path(".") else Path(name).parent.as_posix()
        page = front.get("output-file") or Path(name).with_suffix(".html").name
        pages[name] = f"{folder}/{page}" if folder else page
        titles[name] = str(front.get("title", Path(name).stem))
    sidebar = _sidebar_items(yaml.safe_load((proc / "sidebar.yml").read_text())["website"]["sidebar"]["contents"], titles)
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "site.css").write_text(SITE_CSS)
    shutil.copy(proc / "styles.css", out / "styles.css")
    for name, nb in loaded.items():
        page = pages[name]
        depth = page.count("/")
        body = render_notebook(nb, fronts[name], site_url, depth)
        up = "../" * depth
        text = PAGE.format(title=html.escape(titles[name]), site=html.escape(site), description=html.escape(str(fronts[name].get("description", ""))),
                           up=up, sidebar=_sidebar_html(sidebar, pages, page, up), body=body)
        (out / page).parent.mkdir(parents=True, exist_ok=True)
        (out / page).write_text(text)
    (out / "pages.json").write_text(json.dumps({"pages": pages, "sidebar": _sidebar_flat(sidebar, pages)}, indent=1))
    return pages


def _sidebar_flat(items, pages) -> list[str]:
    flat = []
    for _, target in items:
        flat += _sidebar_flat(target, pages) if isinstance(target, list) else [pages.get(target, target.replace(".ipynb", ".html"))]
    return flat


# ---------------------------------------------------------------- check
def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    binary = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    driver = shutil.which("chromedriver")
    if not binary or not driver:
        raise SystemExit("Chromium and chromedriver are needed (Debian: apt-get install chromium chromium-driver; tools/setup.sh does it)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                 "--no-first-run", "--metrics-recording-only", "--window-size=1280,1000"):
        options.add_argument(flag)
    os.environ.setdefault("SE_AVOID_STATS", "true")
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def _public_callables():
    "(module name, name, object, nbdev's index of the module) of every public function and class (`__all__`)."
    import importlib
    import inspect
    sys.path.insert(0, str(ROOT))
    from defect2d._modidx import d
    for module_name, symbols in d["syms"].items():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            if inspect.isclass(obj) or inspect.isfunction(obj): yield module_name, name, obj, symbols


def _api_anchors() -> dict[str, set[str]]:
    "Page → the section ids of its public functions and classes, where nbdev's index links them."
    wanted: dict[str, set[str]] = {}
    for module_name, name, _, symbols in _public_callables():
        url = symbols.get(f"{module_name}.{name}", (None,))[0]
        if url is None: continue
        page, _, anchor = url.partition("#")
        wanted.setdefault(page, set()).add(anchor)
    return wanted


def undocumented_parameters() -> list[str]:
    "Public functions and methods (of `__all__` names) with a parameter that has neither a docment nor a `Param` help."
    import inspect
    from fastcore.docments import docments
    found = []
    for module_name, name, obj, _ in _public_callables():
        callables = [(name, obj)] if inspect.isfunction(obj) else []
        if inspect.isclass(obj):
            members = [(k, getattr(v, "__func__", v)) for k, v in vars(obj).items()]
            callables += [(name if k == "__init__" else f"{name}.{k}", f) for k, f in members
                          if inspect.isfunction(f) and (k == "__init__" or not k.startswith("_"))]
        for label, func in callables:
            func = getattr(func, "__wrapped__", func)
            try: documented = {k for k, v in docments(func, full=False, args_kwargs=True).items() if v}
            except OSError:   # a dataclass's generated __init__: its fields carry the docments
                documented = {k for k, v in docments(obj, full=False).items() if v} if inspect.isclass(obj) else set()
            for p in inspect.signature(func).parameters.values():
                annotation = p.annotation
                if isinstance(annotation, str) and annotation.startswith("Param("):   # postponed: evaluate it
                    annotation = eval(annotation, func.__globals__)
                helped = getattr(annotation, "help", "")
                if p.name in ("self", "cls") or p.name in documented or helped: continue
                found.append(f"{module_name}.{label}: parameter `{p.name}` has no docment")
    return found


def check(site: Path, shots: Path) -> list[str]:
    "Open every page in headless Chromium; the problems found."
    index = json.loads((site / "pages.json").read_text())
    problems = [f"sidebar entry {p} has no page" for p in index["sidebar"] if not (site / p).is_file()]
    problems += [f"page {p} is in no sidebar section (readers cannot reach it)" for p in index["pages"].values()
                 if p not in index["sidebar"]]
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    browser = _browser()
    seen: dict[str, dict] = {}
    try:
        for page in sorted(set(index["pages"].values())):
            browser.get(base + page)
            seen[page] = browser.execute_script("""return {
                title: document.title, ids: [...document.querySelectorAll('[id]')].map(e => e.id),
                links: [...document.querySelectorAll('a[href]')].map(a => a.href),
                prose: [...document.querySelectorAll('main p')].map(p => p.innerText).join(' ').length,
                errors: [...document.querySelectorAll('pre.error')].map(e => e.innerText),
                images: [...document.querySelectorAll('img')].filter(i => !i.complete || i.naturalWidth === 0).length};""")
            if page in KEY_PAGES:
                shots.mkdir(parents=True, exist_ok=True)
                browser.save_screenshot(str(shots / (page.replace("/", "_").replace(".html", ".png"))))
    finally:
        browser.quit(); server.shutdown()
    for page, info in seen.items():
        if info["prose"] < 200: problems.append(f"{page}: almost no prose ({info['prose']} characters in paragraphs)")
        problems += [f"{page}: a cell raised {e[:120]}" for e in info["errors"]]
        if info["images"]: problems.append(f"{page}: {info['images']} image(s) did not load")
        for link in info["links"]:
            if not link.startswith(base): continue
            target, _, anchor = link[len(base):].partition("#")
            target = target or "index.html"
            if target not in seen and not (site / target).is_file(): problems.append(f"{page}: link to missing page {target}")
            elif anchor and target in seen and anchor not in seen[target]["ids"]:
                problems.append(f"{page}: link to missing anchor {target}#{anchor}")
    for page, anchors in _api_anchors().items():
        if page not in seen: problems.append(f"API page {page} is missing"); continue
        missing = sorted(anchors - set(seen[page]["ids"]))
        if missing: problems.append(f"{page}: no API section for {', '.join(missing[:8])}" + (" …" if len(missing) > 8 else ""))
    problems += undocumented_parameters()
    print(f"checked {len(seen)} pages in Chromium; screenshots of {', '.join(p for p in KEY_PAGES if p in seen)} in {shots}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("execute", help="execute every notebook (the notebook tests), keeping the outputs for the build")
    e.add_argument("--flags", default=""); e.add_argument("--workers", type=int, default=2)
    b = sub.add_parser("build"); b.add_argument("--flags", default=""); b.add_argument("--out", default=str(ROOT / "_site"))
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--executed", action="store_true",
                   help="build from the copies `execute` left (with the same --flags) instead of executing again")
    sub.add_parser("lint", help="only the notebook problems that spoil the pages (seconds; the build reports them too)")
    c = sub.add_parser("check"); c.add_argument("--site", default=str(ROOT / "_site")); c.add_argument("--shots", default=str(ROOT / "outputs" / "docs"))
    one = sub.add_parser("execute-one"); one.add_argument("source"); one.add_argument("target"); one.add_argument("flags", nargs="?", default="")
    args = parser.parse_args()
    if args.command == "execute-one":
        source, error, seconds = _execute((args.source, args.target, args.flags))
        print(json.dumps({"source": source, "error": error, "seconds": seconds}))
        return
    os.chdir(ROOT)
    if args.command == "lint":
        for e in notebook_problems(): print(e, file=sys.stderr)
        sys.exit(1 if notebook_problems() else 0)
    if args.command == "execute":
        errors = execute(args.flags, args.workers)
        for e in errors: print(e, file=sys.stderr)
        print(f"{len(errors)} of {len(_notebooks())} notebooks failed" if errors else f"all {len(_notebooks())} notebooks ran")
        sys.exit(1 if errors else 0)
    if args.command == "build":
        errors = notebook_problems()
        if args.executed:
            stale = stale_execution(args.flags)
            if stale: sys.exit("cannot build from the executed copies: " + "; ".join(stale[:5]))
        else: errors += execute(args.flags, args.workers)
        copy_paper_runs()
        pages = render(process(args.workers), Path(args.out))
        print(f"rendered {len(pages)} pages into {args.out}")
        for e in errors: print(e, file=sys.stderr)
        sys.exit(1 if errors else 0)
    problems = check(Path(args.site), Path(args.shots))
    for p in problems: print(f"problem: {p}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
