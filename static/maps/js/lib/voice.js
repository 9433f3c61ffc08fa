// Residents' voice on the public community card: the counts by topic, the published
// replies and a form to leave a suggestion or complaint (no account; the contact is
// optional and never shown). Built from DOM nodes: every text is set as text.
import { HTTPError, getJSON, sendJSON } from "./api.js";
import { el } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

function countsTable(topics) {
  const table = el("table", null, "voice-counts");
  const caption = el("caption", gettext("按主题统计（已公开答复）"));
  table.appendChild(caption);
  const head = el("tr");
  head.append(el("th", gettext("主题")), el("th", gettext("条数")));
  table.appendChild(head);
  for (const t of topics) {
    const tr = el("tr");
    tr.dataset.topic = t.topic;
    tr.append(el("td", t.label), el("td", t.count));
    table.appendChild(tr);
  }
  return table;
}

function repliesList(items, labels, kinds) {
  const list = el("ul", null, "voice-replies");
  for (const i of items) {
    const li = el("li");
    li.dataset.id = i.id;
    const kind = kinds[i.kind] ?? i.kind;
    li.appendChild(el("p", interpolate(gettext("%(date)s · %(topic)s · %(kind)s"), { date: i.date ?? "", topic: labels[i.topic] ?? i.topic, kind }), "voice-meta"));
    li.appendChild(el("p", i.text, "voice-text"));
    const reply = el("p", null, "voice-reply");
    reply.append(el("b", gettext("答复：")), document.createTextNode(i.reply));
    li.appendChild(reply);
    list.appendChild(li);
  }
  return list;
}

let formSeq = 0;

function field(labelText, control) {
  const label = el("label", labelText);
  label.appendChild(control);
  return label;
}

function voiceForm(code, voice, onDone) {
  formSeq += 1;
  const form = el("form", null, "voice-form");
  form.id = `voice-form-${formSeq}`;
  form.noValidate = false;
  const topic = el("select");
  topic.name = "topic";
  topic.required = true;
  topic.appendChild(el("option", gettext("请选择"))).value = "";
  for (const [value, label] of voice.topics) topic.appendChild(el("option", label)).value = value;
  const kinds = el("fieldset", null, "voice-kinds");
  kinds.appendChild(el("legend", gettext("类型")));
  voice.kinds.forEach(([value, label], n) => {
    const radio = el("input");
    radio.type = "radio";
    radio.name = "kind";
    radio.value = value;
    radio.defaultChecked = n === 0;
    radio.checked = n === 0;
    const lab = el("label");
    lab.append(radio, document.createTextNode(label));
    kinds.appendChild(lab);
  });
  const text = el("textarea");
  text.name = "text";
  text.rows = 4;
  text.required = true;
  text.minLength = voice.text_min;
  text.maxLength = voice.text_max;
  const contact = el("input");
  contact.name = "contact";
  contact.type = "text";
  contact.maxLength = voice.contact_max;
  contact.autocomplete = "tel";
  const status = el("p", null, "voice-status");
  status.setAttribute("role", "status");
  const send = el("button", gettext("提交"), "voice-send");
  send.type = "submit";
  form.append(
    field(gettext("主题"), topic),
    kinds,
    field(gettext("内容"), text),
    field(gettext("联系方式（选填，不公开）"), contact),
    send,
    status,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    send.disabled = true;
    status.textContent = gettext("提交中…");
    try {
      const resp = await sendJSON("POST", voice.submit, {
        community: code,
        topic: topic.value,
        kind: form.kind.value,
        text: text.value,
        contact: contact.value,
      });
      if (resp.status === 201) {
        form.reset();
        status.textContent = resp.body?.detail ?? gettext("已提交，审核后公开答复。");
        status.dataset.state = "sent";
        onDone?.();
      } else if (resp.status === 429) {
        status.textContent = gettext("提交过于频繁，请稍后再试。");
        status.dataset.state = "error";
      } else {
        const msgs = resp.body ? Object.values(resp.body).join(" ") : "";
        status.textContent = msgs || gettext("提交失败");
        status.dataset.state = "error";
      }
    } catch (err) {
      status.textContent = gettext("提交失败");
      status.dataset.state = "error";
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

/** The "留言/建议" section of the card of community `code` (voice: the #voice-config). */
export function voiceSection(code, voice) {
  const root = el("section", null, "voice");
  root.id = "card-voice";
  root.appendChild(el("h3", gettext("居民留言/建议")));
  const body = el("div", gettext("加载中…"), "voice-body");
  root.appendChild(body);
  const labels = Object.fromEntries(voice.topics);
  const kinds = Object.fromEntries(voice.kinds);
  const load = async () => {
    try {
      const data = await getJSON(voice.read.replace("CODE", encodeURIComponent(code)));
      const parts = [];
      if (data.topics.length) parts.push(countsTable(data.topics));
      if (data.items.length) parts.push(repliesList(data.items, labels, kinds));
      else parts.push(el("p", gettext("暂无公开答复的意见。"), "voice-none"));
      body.replaceChildren(...parts);
      root.dataset.loaded = "1";
    } catch (err) {
      body.textContent = err instanceof HTTPError && err.status === 404 ? gettext("暂无公开答复的意见。") : gettext("加载失败");
    }
  };
  root.appendChild(el("h4", gettext("我要留言")));
  root.appendChild(voiceForm(code, voice));
  root.appendChild(el("p", gettext("意见经街道或区县审核后连同答复公开；联系方式仅供工作人员回访，不会公开。"), "hint"));
  load();
  return root;
}
