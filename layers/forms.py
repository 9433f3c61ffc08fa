"""Upload form of the import page (/layers/import/)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import registry
from .importing import IMPORT_LAYERS
from .models import MappingTemplate

LAYER_LABELS = {
    **{s.key: s.label for s in registry.LAYERS if s.importable},
    "osm": _("OpenStreetMap 数据（.osm / .osm.pbf）"),
}
CRS_RE = re.compile(r"^(EPSG|epsg):\d{4,6}$")
ENCODING_RE = re.compile(r"^[A-Za-z0-9_\-]{2,20}$")
MAPPING_MAX_BYTES = 1_000_000


class ImportForm(forms.Form):
    file = forms.FileField(label=_("数据文件"))
    #: empty: the layer that fits the file's geometries (layers/importing/fit.py)
    layer = forms.ChoiceField(
        label=_("导入到图层"),
        choices=[
            ("", _("按文件的几何类型自动选择")),
            *((k, LAYER_LABELS[k]) for k in (*IMPORT_LAYERS, "osm")),
        ],
        required=False,
        initial="",
    )
    crs = forms.CharField(
        label=_("坐标系"),
        required=False,
        max_length=16,
        help_text=_("文件未声明坐标系时填写，如 EPSG:4549、EPSG:4490、EPSG:4326"),
    )
    from_gcj02 = forms.BooleanField(label=_("GCJ-02（高德/腾讯）坐标"), required=False)
    from_bd09 = forms.BooleanField(label=_("BD-09（百度）坐标"), required=False)
    encoding = forms.CharField(
        label=_("属性编码"), required=False, max_length=20, help_text=_("如 GBK、UTF-8")
    )
    gpkg_layer = forms.CharField(
        label=_("图层/工作表名"), required=False, max_length=100
    )
    mapping = forms.FileField(label=_("字段映射文件（YAML/JSON）"), required=False)
    template = forms.ModelChoiceField(
        label=_("字段映射模板"),
        queryset=MappingTemplate.objects.all(),
        required=False,
        empty_label=_("（自动识别中文字段名）"),
        help_text=_("不选模板也不给映射文件时，按同义词表自动识别字段。"),
    )
    save_template = forms.CharField(
        label=_("保存本次映射为模板"),
        required=False,
        max_length=64,
        help_text=_("填写模板名称；导入或试运行成功后保存，可供以后同类文件使用。"),
    )
    dry_run = forms.BooleanField(
        label=_("试运行（只检查，不写入）"), required=False, initial=True
    )
    skip_invalid = forms.BooleanField(
        label=_("跳过无效行（导入其余有效行）"), required=False
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        cap = settings.GEOAPP_UPLOAD_MAX_BYTES
        if f.size > cap:
            raise forms.ValidationError(
                _("文件过大：%(size)d 字节，上限 %(cap)d 字节。")
                % {"size": f.size, "cap": cap},
                code="too_large",
            )
        return f

    def clean_mapping(self):
        f = self.cleaned_data.get("mapping")
        if f is None:
            return None
        if f.size > MAPPING_MAX_BYTES:
            raise forms.ValidationError(_("映射文件不能超过 1 MB。"), code="too_large")
        try:
            return f.read(MAPPING_MAX_BYTES + 1).decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("映射文件须为 UTF-8 编码。"), code="encoding"
            ) from None

    def clean_crs(self):
        v = self.cleaned_data["crs"].strip()
        if v and not CRS_RE.match(v):
            raise forms.ValidationError(_("坐标系格式应为 EPSG:数字。"), code="crs")
        return v.upper() or None

    def clean_encoding(self):
        v = self.cleaned_data["encoding"].strip()
        if v and not ENCODING_RE.match(v):
            raise forms.ValidationError(_("编码名称无效。"), code="encoding")
        return v or None

    def clean_save_template(self):
        return self.cleaned_data["save_template"].strip() or None

    def clean_gpkg_layer(self):
        return self.cleaned_data["gpkg_layer"].strip() or None

    def clean(self):
        data = super().clean()
        if data.get("from_gcj02") and data.get("from_bd09"):
            raise forms.ValidationError(_("GCJ-02 与 BD-09 只能选择一个。"), code="crs")
        return data
