"""Every action and fixed actor the code writes to the audit log has words on the officer's pages, in both languages.

The calls to audit() are read from the source itself, so an action added later without words fails here.
"""

import ast
from pathlib import Path

from subsidy.views.helpers import ACTIONS, ACTORS

SOURCE = Path(__file__).resolve().parent.parent / "subsidy"


def _calls(name: str):
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if called == name:
                    yield path, node


def _first_arguments(name: str, index: int) -> set[str]:
    """Return the string constants passed as argument index of every call to name."""
    return {node.args[index].value for _, node in _calls(name)
            if len(node.args) > index and isinstance(node.args[index], ast.Constant)}


def _written_actions():
    # The two actions built from a variable: the mail's event (notify._send) and the registry job's kind.
    built = {"f'notify_{event}'": {f"notify_{event}" for event in _first_arguments("_send", 3)},
             "f'registry_{kind}'": {f"registry_{kind}" for kind in _first_arguments("_start", 0)}}
    actions, actors, unread = set(), set(), []
    for path, node in _calls("audit"):
        if len(node.args) < 3:
            continue
        actor, action = node.args[1], node.args[2]
        if isinstance(actor, ast.Constant):
            actors.add(actor.value)
        if isinstance(action, ast.IfExp):
            action = [action.body, action.orelse]
        for one in action if isinstance(action, list) else [action]:
            if isinstance(one, ast.Constant):
                actions.add(one.value)
            elif ast.unparse(one) in built and built[ast.unparse(one)]:
                actions |= built[ast.unparse(one)]
            else:
                unread.append(f"{path.name}:{node.lineno}: {ast.unparse(one)}")
    return actions, actors, unread


def test_every_audit_action_and_fixed_actor_has_words_in_both_languages():
    actions, actors, unread = _written_actions()
    assert not unread, f"audit actions this test cannot read: {unread}"
    assert {"create", "submit", "decide", "user_disable", "notify_submitted", "notify_decided", "registry_screen",
            "registry_simulate"} <= actions  # the scan finds them
    assert sorted(actions - set(ACTIONS)) == []
    assert sorted(actors - set(ACTORS)) == []
    for zh, en in (*ACTIONS.values(), *ACTORS.values()):
        assert zh and en and zh != en
