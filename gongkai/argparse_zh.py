"""argparse in Chinese: its own texts ("usage:", the help headings, the help of -h, the error messages),
and help laid out for Chinese text.

argparse looks each of its texts up when it uses it, through the gettext functions it imported as the
module names `_` and `ngettext`. `chinese()` puts lookups in MESSAGES in their place while the `gongkai`
command builds and uses its parsers, and restores them afterwards: no other parser in the process
(pytest's, Django's) changes language. Texts argparse may add in later Pythons stay in English until
they are added here (tests/test_argparse_zh.py lists any that are missing).

`HelpFormatter` counts a Chinese character as the two terminal columns it takes, so that the help
column lines up and lines break at the terminal's width (argparse counts characters).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

MESSAGES = {
    # help
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助信息并退出",
    "subcommands": "子命令",
    # what the user typed
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项有歧义：%(option)s 可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "ignored explicit argument %r": "多余的值 %r 已忽略",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    'argument "-" with mode %r': "参数“-”不能以模式 %r 打开",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    # how a parser is defined (mistakes of the program, not of the user)
    "%r is not callable": "%r 不可调用",
    ".__call__() not defined": "未定义 .__call__()",
    "'required' is an invalid argument for positionals": "位置参数不能使用 required",
    "cannot have multiple subparser arguments": "只能有一组子命令",
    "cannot merge actions - two groups are named %r": "无法合并参数：两个参数组都名为 %r",
    "conflicting subparser: %s": "子命令重复：%s",
    "conflicting subparser alias: %s": "子命令别名重复：%s",
    "dest= is required for options like %r": "%r 这样的选项需要给出 dest=",
    "invalid conflict_resolution value: %r": "无效的 conflict_resolution 值：%r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "无效的选项 %(option)r：必须以字符 %(prefix_chars)r 开头"
    ),
    "mutually exclusive arguments must be optional": "互斥的参数必须是可选参数",
}
# Chinese has one form whatever the number.
PLURALS = {
    ("expected %s argument", "expected %s arguments"): "需要 %s 个值",
    ("conflicting option string: %s", "conflicting option strings: %s"): "选项冲突：%s",
}


def gettext(message):
    # argparse also passes None (a subparser group without description)
    return MESSAGES.get(message, message) if isinstance(message, str) else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return PLURALS.get((singular, plural), singular if n == 1 else plural)


@contextmanager
def chinese() -> Iterator[None]:
    """argparse in Chinese while the block runs."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def width(text: str) -> int:
    """Terminal columns the text takes: two for a wide (Chinese) character, one for others."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# a wide character alone, a run of other non-space characters, or spaces
_TOKEN = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+|\s+"
)
# the rule of Chinese typesetting: closing marks never start a line, opening marks never end one
_NOT_AT_LINE_START = frozenset("，。、；：！？）》」』”’,.;:!?)")
_NOT_AT_LINE_END = frozenset("（《「『“‘(")


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` terminal columns, broken between Chinese characters or at spaces; a
    closing mark stays on the line before, an opening mark goes to the next (a line may then run over)."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if token.isspace():
            if line:
                line += " "
            continue
        if line and width(line.rstrip()) + width(token) > columns and token[0] not in _NOT_AT_LINE_START:
            carried = ""
            while line and line[-1] in _NOT_AT_LINE_END:
                line, carried = line[:-1], line[-1] + carried
            if line.strip():
                lines.append(line.rstrip())
            line = carried
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class HelpFormatter(argparse.HelpFormatter):
    """argparse's layout, with widths in terminal columns (see `width`)."""

    def add_argument(self, action):
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            actions = [action, *self._iter_indented_subactions(action)]
            longest = max(width(self._format_action_invocation(a)) for a in actions)
            self._action_max_length = max(self._action_max_length, longest + self._current_indent)

    def _split_lines(self, text, columns):
        return wrap(text, columns)

    def _format_action(self, action):
        # argparse's own method with width() where it has len()
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent_first = 0
        if not action.help:
            parts = [" " * self._current_indent + header + "\n"]
        elif width(header) <= action_width:
            parts = [" " * self._current_indent + header + " " * (action_width - width(header) + 2)]
        else:
            parts = [" " * self._current_indent + header + "\n"]
            indent_first = help_position
        if action.help and action.help.strip():
            help_text = self._expand_help(action)
            if help_text:
                lines = self._split_lines(help_text, help_width)
                parts.append(" " * indent_first + lines[0] + "\n")
                parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not parts[0].endswith("\n"):
            parts.append("\n")
        parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
        return self._join_parts(parts)
