"""A feature's history in the reader's language, whoever wrote it (layers.history_text)."""

from django.utils import translation

from layers.history_text import change_reason_label, history_type_label


def test_history_types_in_both_languages():
    assert [history_type_label(t) for t in "+~-"] == ["已创建", "已修改", "已删除"]
    with translation.override("en"):
        assert [history_type_label(t) for t in "+~-"] == [
            "Created",
            "Changed",
            "Deleted",
        ]
    assert history_type_label("?") == "?"


def test_stored_reasons_read_in_the_readers_language():
    stored = [
        "编辑",
        "撤销删除",
        "import 海曙区小区.gpkg",
        "demo seed 42: stage timeline",
        "confirmed from candidate osm-123",
        "居民反映边界有误",  # typed by someone: stays as typed
        "",
        None,
    ]
    assert [change_reason_label(r) for r in stored] == [
        "编辑",
        "撤销删除",
        "导入 海曙区小区.gpkg",
        "demo seed 42：改造阶段记录",
        "由候选小区 osm-123 确认",
        "居民反映边界有误",
        "",
        "",
    ]
    with translation.override("en"):
        assert [change_reason_label(r) for r in stored] == [
            "Edit",
            "Undo delete",
            "Imported 海曙区小区.gpkg",
            "demo seed 42: renovation stage timeline",
            "Confirmed from candidate osm-123",
            "居民反映边界有误",
            "",
            "",
        ]
