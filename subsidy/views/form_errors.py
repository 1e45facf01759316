"""The form's errors in words that name their row and field, in the page's language.

"研发项目 2「工业缺陷检测大模型」：项目研发投入不能为负数。" in the summary at the top, and the same sentence without
the row beside the field, with a link from one to the other. Schema messages are reworded with the field's name where
the catalogue has a sentence for it; any other message keeps its own words after the field's name.
"""

from dataclasses import dataclass

from ..labels import field_label, heading_label
from ..messages import text
from ..paths import row_names, split, where
from ..schemas import Msg
from .form_layout import LIST_SECTIONS, kind_of

# Schema codes said as a sentence about the field (the entry_ codes take the field's name).
_AS_ENTRY = {"money_negative": "entry_negative", "money_decimals": "entry_decimals", "money_format": "entry_format"}
_REQUIRED = {
    "text": ("请填写{label}。", "{label} is required."),
    "flag": ("请回答“{label}”：是或否。", "Answer “{label}”: yes or no."),
    "choice": ("请选择{label}。", "Choose the {label}."),
}


@dataclass(frozen=True)
class FieldError:
    """One field's problems: the sentence shown beside it, the line in the summary, and where the link goes."""

    path: str
    inline: str
    summary: str
    anchor: str


def field_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


def _sentence(path: str, message, lang: str) -> str:
    label = heading_label(path, lang)
    code = getattr(message, "code", None)
    if code == "unknown":  # no field of the form: its own name is all there is to say
        return f"{path}: {text(code, lang)}" if lang == "en" else f"{path}：{text(code, lang)}"
    if code in ("required", "null", "str_blank"):
        kind = kind_of(path)
        words = _REQUIRED.get(kind, _REQUIRED["text"])[1 if lang == "en" else 0]
        return words.format(label=label if kind == "text" else field_label(path, lang))
    code = _AS_ENTRY.get(code, code)
    if code and code.startswith("entry_"):
        return text(code, lang, label=label)
    said = text(code, lang, **message.params) if isinstance(message, Msg) else str(message)
    if said.lower().startswith(label.lower()):  # the message names the field already
        return said
    return f"{label}: {said}" if lang == "en" else f"{label}：{said}"


def _anchor(path: str, fields_on_page: list) -> str:
    if path in fields_on_page:
        return field_id(path)
    section, index, _ = split(path)
    if index is not None and section in LIST_SECTIONS:
        return f"r-{section}-{index}"
    if section in LIST_SECTIONS:
        return f"g-{section}"
    return "form-top"


def page_errors(errors: dict, values: dict, fields_on_page: list, lang: str) -> dict:
    """Return {path: FieldError} for errors by path (schema Msg codes or the form's own), in lang."""
    names = row_names(values)
    shown = {}
    for path, messages in errors.items():
        if path == "company" or path.startswith("_"):
            path_for_words = "company.name" if path == "company" else path
        else:
            path_for_words = path
        sentences = [_sentence(path_for_words, message, lang) for message in messages]
        inline = " ".join(sentences)
        place = where(path, names, lang)
        summary = inline if not place else (f"{place}: {inline}" if lang == "en" else f"{place}：{inline}")
        shown[path] = FieldError(path, inline, summary, _anchor(path_for_words, fields_on_page))
    return dict(sorted(shown.items(), key=lambda pair: _order(pair[0], fields_on_page)))


def _order(path: str, fields_on_page: list) -> tuple:
    return (fields_on_page.index(path) if path in fields_on_page else len(fields_on_page), path)
