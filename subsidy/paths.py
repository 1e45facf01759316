"""Profile paths in words: which row a value sits in and what it is, "研发项目 2「工业缺陷检测大模型」：项目研发投入".

Errors, revision changes and the officer's pages name a value this way, so a reader finds it without knowing the
path syntax. Field names come from labels.py; the names of the repeatable rows are here.
"""

from .labels import field_label, heading_label

ROW_TITLES = {
    "rd_projects": ("研发项目", "R&D project"),
    "service_platforms": ("科技创新服务平台", "Innovation service platform"),
    "common_tech_platforms": ("共性技术研发平台", "Common-technology R&D platform"),
    "scenario_projects": ("应用场景项目", "Scenario project"),
}
SECTION_TITLES = {
    "company": ("企业信息", "Company"),
    "testing": ("第三方测试", "Third-party testing"),
    "incubator": ("孵化器", "Incubator"),
    "standards": ("标准", "Standards"),
    "referrals": ("其他政策", "Other policies"),
}


def _pick(pair, lang):
    return pair[1] if lang == "en" else pair[0]


def split(path: str) -> tuple[str, int | None, str]:
    """Return (section, row index or None, leaf) of a path: "rd_projects.1.name" → ("rd_projects", 1, "name")."""
    parts = path.split(".")
    numbered = len(parts) >= 2 and parts[1].isascii() and parts[1].isdigit()  # "²".isdigit() is True too
    if len(parts) == 3 and numbered:
        return parts[0], int(parts[1]), parts[2]
    if len(parts) == 2 and numbered:
        return parts[0], int(parts[1]), ""
    return parts[0], None, parts[-1] if len(parts) > 1 else ""


def row_label(section: str, index: int, name: str | None, lang: str) -> str:
    """Return a row's name as a reader counts it: 研发项目 2「视觉芯片」 / R&D project 2 “Vision chip”."""
    title = f"{_pick(ROW_TITLES.get(section, (section, section)), lang)} {index + 1}"
    if name:
        return f"{title} “{name}”" if lang == "en" else f"{title}「{name}」"
    return title


def where(path: str, names: dict, lang: str) -> str:
    """Return the row or section a path belongs to, or "" for a top-level field; names maps "rd_projects.1" → name."""
    section, index, _ = split(path)
    if index is not None:
        return row_label(section, index, names.get(f"{section}.{index}"), lang)
    if section in SECTION_TITLES and "." in path:
        return _pick(SECTION_TITLES[section], lang)
    return ""


def describe(path: str, names: dict, lang: str) -> str:
    """Return a path in words with its row: "研发项目 2「视觉芯片」：项目研发投入"; a lone field is just its label."""
    section, index, leaf = split(path)
    place = where(path, names, lang)
    if index is not None and not leaf:
        return place
    label = field_label(path, lang) if place else heading_label(path, lang)
    if not place:
        return label
    return f"{place}: {label}" if lang == "en" else f"{place}：{label}"


def row_names(flat: dict) -> dict:
    """Return {"rd_projects.1": "视觉芯片"} from flat values, for where() and describe()."""
    names = {}
    for path, value in flat.items():
        section, index, leaf = split(path)
        if index is not None and leaf == "name" and str(value).strip():
            names[f"{section}.{index}"] = str(value).strip()
    return names
