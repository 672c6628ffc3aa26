"""Packaging for defect2d: every setting comes from `settings.ini`, the one place nbdev reads too."""
from configparser import ConfigParser
from pathlib import Path

import setuptools

here = Path(__file__).parent
config = ConfigParser(delimiters=["="])
config.read(here / "settings.ini", encoding="utf-8")
cfg = config["DEFAULT"]

licenses = {"apache2": ("Apache Software License 2.0", "OSI Approved :: Apache Software License")}
statuses = ["1 - Planning", "2 - Pre-Alpha", "3 - Alpha", "4 - Beta", "5 - Production/Stable"]
license_name, license_classifier = licenses[cfg["license"]]
min_python = cfg["min_python"]
later_pythons = [f"3.{minor}" for minor in range(int(min_python.split(".")[1]), 14)]

setuptools.setup(
    name=cfg["lib_name"],
    version=cfg["version"],
    description=cfg["description"],
    long_description=(here / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author=cfg["author"],
    author_email=cfg["author_email"],
    url=cfg["git_url"],
    license=license_name,
    keywords=cfg["keywords"].split(),
    classifiers=[
        f"Development Status :: {statuses[int(cfg['status']) - 1]}",
        f"Intended Audience :: {cfg['audience']}",
        f"License :: {license_classifier}",
        f"Natural Language :: {cfg['language']}",
        "Topic :: Scientific/Engineering :: Physics",
        *(f"Programming Language :: Python :: {v}" for v in later_pythons),
    ],
    python_requires=f">={min_python}",
    packages=setuptools.find_packages(include=[cfg["lib_path"], f"{cfg['lib_path']}.*"]),
    include_package_data=True,
    package_data={cfg["lib_path"]: ["pretrained/*/model.json", "pretrained/*/*.pt"]},  # the shipped models
    install_requires=cfg["requirements"].split(),
    extras_require={"dev": cfg["dev_requirements"].split(), "baselines": cfg["baselines_requirements"].split()},
    entry_points={
        "console_scripts": cfg["console_scripts"].split(),
        "nbdev": [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"],
    },
    zip_safe=False,
)
