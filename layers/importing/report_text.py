"""The import report in the user's language (the import page): the same facts as
``ImportResult.to_text()`` (English, for the command line and the logs), every line
and the reasons the readers write (``layers/io``, English at the source: they run in
the sandbox, without Django) put into words through the catalogs."""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from layers import registry
from layers.io.geometry import ImportReport

#: the readers' and the import's own sentences (whole-line patterns) → translations;
#: a line that matches none is shown as written
PATTERNS: tuple[tuple[re.Pattern[str], object], ...] = tuple(
    (re.compile(f"^{p}$"), t)
    for p, t in (
        (
            r"geometry type (?P<got>\w+), expected (?P<want>\w+)",
            gettext_lazy("几何类型为 %(got)s，该图层需要 %(want)s"),
        ),
        (r"missing geometry", gettext_lazy("缺少几何")),
        (r"empty geometry", gettext_lazy("几何为空")),
        (r"NaN or infinite coordinate", gettext_lazy("坐标为 NaN 或无穷大")),
        (
            r"(?P<n>\d+) vertices \(limit (?P<limit>\d+)\)",
            gettext_lazy("%(n)s 个顶点（上限 %(limit)s）"),
        ),
        (
            r"repaired \((?P<why>.+)\); area change (?P<pct>\S+)",
            gettext_lazy("已修复（%(why)s）；面积变化 %(pct)s"),
        ),
        (r"repaired \((?P<why>.+)\)", gettext_lazy("已修复（%(why)s）")),
        (
            r"invalid geometry \((?P<why>.+)\); repair changes area by (?P<pct>\S+) "
            r"\(limit (?P<limit>\S+)\)",
            gettext_lazy(
                "几何无效（%(why)s）；修复会使面积变化 %(pct)s（上限 %(limit)s）"
            ),
        ),
        (
            r"invalid geometry \((?P<why>.+)\); repair loses it",
            gettext_lazy("几何无效（%(why)s）；修复后几何消失"),
        ),
        (r"invalid geometry \((?P<why>.+)\)", gettext_lazy("几何无效（%(why)s）")),
        (
            r"MultiPolygon with several parts, expected one Polygon",
            gettext_lazy("多部分的面，该图层需要单个面"),
        ),
        (
            r"MultiLineString with several parts, expected LineString",
            gettext_lazy("多部分的线，该图层需要单条线"),
        ),
        (
            r"no (?P<fk>district|street) with code or name (?P<value>.+)",
            gettext_lazy("没有编码或名称为 %(value)s 的%(fk)s"),
        ),
        (r"required value missing", gettext_lazy("缺少必填值")),
        (r"longer than (?P<n>\d+) characters", gettext_lazy("超过 %(n)s 个字符")),
        (r"not a yes/no value", gettext_lazy("不是“是/否”值")),
        (r"not an integer", gettext_lazy("不是整数")),
        (r"not a number", gettext_lazy("不是数字")),
        (r"not a finite number", gettext_lazy("不是有限的数字")),
        (r"not one of (?P<choices>.+)", gettext_lazy("不是以下取值之一：%(choices)s")),
        (
            r"duplicate key \(first in row (?P<row>\d+)\)",
            gettext_lazy("关键值重复（首次出现在第 %(row)s 行）"),
        ),
        (
            r"(?P<n>\d+) polygon\(s\) stored as their representative point "
            r"\(point on surface\)",
            gettext_lazy("%(n)s 个面按其内点（point on surface）存为点"),
        ),
        (
            r"no code column: codes generated from the file name and row number "
            r"\((?P<stem>.+)-<row>\); re-importing the same file updates these rows",
            gettext_lazy(
                "文件没有编码列：按文件名和行号生成编码（%(stem)s-行号）；"
                "再次导入同一文件会更新这些行"
            ),
        ),
        (
            r"no code column: the key column (?P<key>.+) is the code",
            gettext_lazy("文件没有编码列：以关键列 %(key)s 作为编码"),
        ),
        (
            r"--skip-invalid: (?P<n>\d+) rejected row\(s\) left out, (?P<m>\d+) imported",
            gettext_lazy("跳过无效行：%(n)s 行被拒绝、未导入，导入 %(m)s 行"),
        ),
        (
            r"import refused: nothing was written \(all-or-nothing\); fix the rows "
            r"listed, or import the valid rows with --skip-invalid",
            gettext_lazy(
                "导入被拒绝：未写入任何数据（全有或全无）；请修正下列各行，"
                "或勾选“跳过无效行”只导入有效行"
            ),
        ),
        (r"dry run: nothing was written", gettext_lazy("试运行：未写入任何数据")),
        (
            r"(?P<n>\d+) feature\(s\) outside the extent (?P<extent>.+) skipped",
            gettext_lazy("%(n)s 个要素在范围 %(extent)s 之外，已跳过"),
        ),
        (
            r"columns ignored \(not mapped\): (?P<cols>.+)",
            gettext_lazy("未导入的字段（无对应）：%(cols)s"),
        ),
        (
            r"required column\(s\) (?P<cols>.+) have no source column; add them to "
            r"'fields'",
            gettext_lazy("必填字段 %(cols)s 在文件中没有对应的列；请在字段对应中指定"),
        ),
        (
            r"archive entry (?P<name>.+) is a nested archive",
            gettext_lazy("压缩包中的 %(name)s 本身是压缩包（不接受嵌套压缩包）"),
        ),
        (
            r"file could not be parsed: (?P<why>.+)",
            gettext_lazy("文件无法解析：%(why)s"),
        ),
        (
            r"upload larger than (?P<n>\d+) bytes",
            gettext_lazy("上传的文件超过 %(n)s 字节"),
        ),
        (
            r"the template (?P<name>.+) is for the layer (?P<layer>\w+), not "
            r"(?P<other>\w+)",
            gettext_lazy("模板 %(name)s 用于图层 %(layer)s，不是 %(other)s"),
        ),
        (
            r"coordinates converted from (?P<crs>GCJ-02|BD-09)",
            gettext_lazy("坐标已从 %(crs)s 转换"),
        ),
    )
)
FK_NAMES = {"district": gettext_lazy("区县"), "street": gettext_lazy("街道")}
STATUS = {"rejected": gettext_lazy("拒绝"), "repaired": gettext_lazy("已修复")}


def sentence(text: str) -> str:
    """One reader or import sentence in the user's language (as written if unknown)."""
    for pattern, template in PATTERNS:
        m = pattern.match(text)
        if m:
            args = m.groupdict()
            if "fk" in args:
                args["fk"] = str(FK_NAMES.get(args["fk"], args["fk"]))
            return str(template) % args
    return text


def _list_sep() -> str:
    return "，" if (get_language() or "").startswith("zh") else ", "


def _layer_label(key: str) -> str:
    spec = registry.BY_KEY.get(key)
    return str(spec.label) if spec else key


def report_text(report: ImportReport) -> str:
    lines = [
        _(
            "%(file)s：读取 %(read)s 行，导入 %(imported)s 行（其中修复 %(repaired)s 行），"
            "拒绝 %(rejected)s 行"
        )
        % {
            "file": report.source_file,
            "read": report.read,
            "imported": report.imported,
            "repaired": report.repaired,
            "rejected": report.rejected,
        }
    ]
    if report.columns:
        lines.append(
            "  "
            + _("字段对应：%(pairs)s")
            % {
                "pairs": _list_sep().join(
                    f"{s} → {d}" for s, d in report.columns.items()
                )
            }
        )
    for i in report.issues:
        col = f"［{i.column}］" if i.column else ""
        if i.column and i.value is not None:
            col = f"［{i.column}={i.value!r}］"
        lines.append(
            "  "
            + _("第 %(row)s 行：%(status)s%(col)s：%(reason)s")
            % {
                "row": i.row,
                "status": str(STATUS.get(i.status, i.status)),
                "col": col,
                "reason": sentence(i.reason),
            }
        )
    lines += ["  " + _("注意：%(w)s") % {"w": sentence(w)} for w in report.warnings]
    return "\n".join(lines)


def result_text(result) -> str:
    """An ``ImportResult`` (layers/importing/results.py) for the page."""
    label = _layer_label(result.layer)
    if result.dry_run:
        head = _("“%(layer)s”图层：试运行，未写入；将新建 %(c)s 个，更新 %(u)s 个") % {
            "layer": label,
            "c": result.created,
            "u": result.updated,
        }
    else:
        head = _("“%(layer)s”图层：新建 %(c)s 个，更新 %(u)s 个") % {
            "layer": label,
            "c": result.created,
            "u": result.updated,
        }
    parts = [head]
    if getattr(result, "layer_chosen", False):
        parts.append(
            _("按文件的几何类型选择了“%(layer)s”图层；如不合适，请改选图层后重新导入。")
            % {"layer": label}
        )
    if result.reports:
        for name, rep in result.reports.items():
            c = result.counts.get(name, {})
            if name == "basemap":
                line = _("［底图］%(n)s 个要素") % {"n": c.get("written", 0)}
            elif name == "community":
                line = _(
                    "［候选小区］新建 %(c)s 个，更新 %(u)s 个，已审核未改 %(k)s 个"
                ) % {
                    "c": c.get("created", 0),
                    "u": c.get("updated", 0),
                    "k": c.get("kept", 0),
                }
            else:
                line = _("［%(layer)s］新建 %(c)s 个，更新 %(u)s 个") % {
                    "layer": _layer_label(name),
                    "c": c.get("created", 0),
                    "u": c.get("updated", 0),
                }
            parts += [line, report_text(rep)]
        return "\n".join(parts)
    return "\n".join([*parts, report_text(result.report)])
