/* Showroom chat widget. Embed with:
 *   <script>window.ShowroomChat = {botUrl: "https://bot.example.com", dealer: "sample-dealer",
 *           dealerName: "示例汽车", color: "#1f6feb", greeting: "您好！"};</script>
 *   <script src="https://bot.example.com/webhooks/widget/widget.js" async></script>
 * Plain JavaScript, no dependencies. */
(function () {
  "use strict";
  var cfg = window.ShowroomChat || {};
  var script = document.currentScript;
  var base = (cfg.botUrl || (script ? new URL(script.src).origin : location.origin)).replace(/\/$/, "");
  var api = base + "/webhooks/widget";
  var mode = cfg.mode === "trainee" ? "trainee" : "prospect";
  var storeKey = "showroomchat:" + (cfg.dealer || "default") + ":" + mode;
  // The visitor id and its token, issued by the server (POST /session): only they open this conversation.
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { saved = null; }
  if (!saved || typeof saved.sender !== "string" || typeof saved.token !== "string") saved = null;
  var state = { visitor: saved, opened: false, busy: false, queue: [] };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function post(path, body) {
    // text/plain keeps this a simple CORS request (no preflight); the server checks the Origin.
    return fetch(api + path, { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(body || {}) });
  }
  function visitor() {  // a Promise of {sender, token}: the stored one, or a new one from the server
    if (state.visitor) return Promise.resolve(state.visitor);
    return post("/session").then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (v) { state.visitor = v; localStorage.setItem(storeKey, JSON.stringify(v)); return v; });
  }
  function newSender() { state.visitor = null; localStorage.removeItem(storeKey); }
  function withVisitor(body) {
    return visitor().then(function (v) { body.sender = v.sender; body.token = v.token; return body; });
  }
  // Markdown-lite: **bold**, line breaks, [text](https://link). Everything else is escaped.
  function renderText(text) {
    var safe = String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
    safe = safe.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
      .replace(/\n/g, "<br>");
    return safe;
  }
  function metadata(shown) {
    var params = new URLSearchParams(location.search);
    var meta = { dealer: cfg.dealer || null, page: location.href, utm_source: params.get("utm_source") };
    if (shown) meta.shown = shown;  // a quick reply's title, shown again when the transcript is restored
    if (mode === "trainee" && state.roleplay) meta.roleplay = state.roleplay;
    return meta;
  }

  var link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = api + "/widget.css";
  document.head.appendChild(link);

  var root = el("div", "sc-root");
  root.style.setProperty("--sc-color", cfg.color || "#1f6feb");
  var launcher = el("button", "sc-launcher", "💬 在线咨询");
  launcher.type = "button";
  launcher.setAttribute("aria-label", "打开在线咨询");
  var panel = el("section", "sc-panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", (cfg.dealerName || "在线咨询") + " 智能助手");
  panel.hidden = true;
  var header = el("header", "sc-header");
  var title = el("div", "sc-title", (cfg.dealerName || "在线咨询") + " · 智能助手");
  var reset = el("button", "sc-reset", "新对话");
  reset.type = "button";
  var close = el("button", "sc-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", "关闭");
  header.append(title, reset, close);
  var log = el("div", "sc-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var typing = el("div", "sc-typing", "对方正在输入…");
  typing.hidden = true;
  var quick = el("div", "sc-quick");
  var form = el("form", "sc-form");
  var input = el("textarea", "sc-input");
  input.rows = 1;
  input.placeholder = "请输入您的问题，Enter 发送";
  input.setAttribute("aria-label", "输入消息");
  var send = el("button", "sc-send", "发送");
  send.type = "submit";
  form.append(input, send);
  var human = el("button", "sc-human", "找真人顾问");
  human.type = "button";
  var lead = el("form", "sc-lead");
  lead.hidden = true;
  lead.innerHTML = '<p>留下联系方式，销售顾问会给您回电。</p>' +
    '<label>称呼 <input name="name" maxlength="50" required></label>' +
    '<label>手机号 <input name="phone" inputmode="tel" maxlength="20" required></label>' +
    '<label class="sc-consent"><input type="checkbox" name="consent"> 我同意展厅保存我的称呼和手机号，仅用于本次购车咨询的回电</label>' +
    '<div class="sc-lead-actions"><button type="submit">提交</button> <button type="button" class="sc-lead-cancel">取消</button></div>' +
    '<p class="sc-lead-error" role="alert"></p>';
  panel.append(header, log, typing, quick, form, human, lead);
  root.append(launcher, panel);

  if (mode === "trainee") {
    var bar = el("div", "sc-trainee");
    bar.innerHTML = '<label>练习模式 <select name="mode"><option value="coach">教练模式（我扮演顾客）</option>' +
      '<option value="customer">顾客模式（机器人扮演顾客并打分）</option></select></label>' +
      '<label>顾客角色 <select name="persona"></select></label>' +
      '<label>难度 <select name="level"><option value="easy">简单</option><option value="normal" selected>普通</option>' +
      '<option value="hard">困难</option></select></label> <button type="button">开始</button>';
    var personas = cfg.personas || [];
    personas.forEach(function (p) { var o = el("option", null, p.name); o.value = p.id; bar.querySelector("[name=persona]").append(o); });
    bar.querySelector("button").addEventListener("click", function () {
      state.roleplay = { mode: bar.querySelector("[name=mode]").value, persona: bar.querySelector("[name=persona]").value,
        level: bar.querySelector("[name=level]").value };
      sendMessage(state.roleplay.mode === "customer" ? "开始练习" : "开始", null, true);
    });
    panel.insertBefore(bar, log);
  }

  function scroll() { log.scrollTop = log.scrollHeight; }
  function addBubble(who, text, image) {
    var b = el("div", "sc-msg sc-" + who);
    if (text) { var t = el("div", "sc-text"); t.innerHTML = renderText(text); b.append(t); }
    if (image) { var img = el("img", "sc-image"); img.alt = "车型图片"; img.src = /^https?:/.test(image) ? image : base + image; b.append(img); }
    log.append(b);
    scroll();
    return b;
  }
  function addAnnotation(c) {
    var a = el("div", "sc-annotation");
    var lines = [];
    if (c.script_id) {
      lines.push("原则：" + c.principle_zh + "（" + c.principle + "）— " + (c.principle_why || ""));
      lines.push("动作：" + (c.move_zh || c.move) + " · 阶段：" + c.stage + " · 第" + c.attempt + "次");
      (c.alternatives || []).forEach(function (alt) { lines.push("也可以（" + alt.principle_zh + "）：" + alt.text); });
    } else if (c.roleplay_turn) {
      lines.push("本轮得分：" + c.roleplay_turn.score);
    } else { return; }
    a.textContent = lines.join("\n");
    log.append(a);
    scroll();
  }
  function showButtons(buttons) {
    quick.innerHTML = "";
    (buttons || []).forEach(function (b) {
      var q = el("button", "sc-quick-btn", b.title);
      q.type = "button";
      q.addEventListener("click", function () { sendMessage(b.payload, b.title); });
      quick.append(q);
    });
  }
  function render(messages) {
    var buttons = [];
    messages.forEach(function (m) {
      if (m.text || m.image) addBubble("bot", m.text, m.image);
      if (m.buttons && m.buttons.length) buttons = m.buttons;
      if (m.custom && m.custom.handoff && m.custom.handoff.need_phone && mode !== "trainee") {
        lead.hidden = false;  // a person was asked for: the call-back form, so the consultant can call
      }
      if (m.custom && mode === "trainee") addAnnotation(m.custom);
    });
    showButtons(buttons);
  }
  function sendMessage(payload, shown, silent) {
    if (!payload || !payload.trim()) return;
    if (state.busy) { state.queue.push([payload, shown, silent]); return; }  // one turn at a time, none lost
    showButtons([]);  // quick replies disappear once used
    if (!silent) addBubble("user", shown || payload);
    state.busy = true;
    typing.hidden = false;
    withVisitor({ message: payload, metadata: metadata(shown) })
      .then(function (body) { return post("/webhook", body); })
      .then(function (r) {
        if (r.status === 403) newSender();  // a token the server no longer accepts: start afresh next time
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(render)
      .catch(function () { addBubble("bot", "网络好像不太稳定，请稍后再试，或点“找真人顾问”留下联系方式。"); })
      .then(function () {
        state.busy = false;
        typing.hidden = true;
        if (state.queue.length) sendMessage.apply(null, state.queue.shift());
      });
  }
  function restore() {
    if (!state.visitor) return Promise.resolve(false);
    return withVisitor({}).then(function (body) { return post("/history", body); })
      .then(function (r) { if (r.status === 403) newSender(); return r.ok ? r.json() : { messages: [] }; })
      .then(function (data) {
        data.messages.forEach(function (m) { addBubble(m.from, m.text, m.image); });
        return data.messages.length > 0;
      })
      .catch(function () { return false; });
  }
  function greet() {
    addBubble("bot", cfg.greeting || "您好！我是展厅的智能购车助手（AI）。选车、价格、分期、置换、试驾都可以问我～");
  }
  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    localStorage.setItem(storeKey + ":open", "1");
    if (!state.opened) {
      state.opened = true;
      restore().then(function (had) { if (!had) greet(); });
    }
    input.focus();
  }
  launcher.addEventListener("click", open);
  close.addEventListener("click", function () {
    panel.hidden = true; launcher.hidden = false; localStorage.removeItem(storeKey + ":open"); launcher.focus();
  });
  reset.addEventListener("click", function () {
    newSender(); log.innerHTML = ""; showButtons([]); greet(); input.focus();
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = "";
    sendMessage(text);
  });
  input.addEventListener("keydown", function (e) {
    // Enter that confirms an IME candidate (拼音输入法选词) must not send.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close.click(); });
  human.addEventListener("click", function () { lead.hidden = false; lead.querySelector("[name=name]").focus(); });
  lead.querySelector(".sc-lead-cancel").addEventListener("click", function () { lead.hidden = true; human.focus(); });
  lead.addEventListener("submit", function (e) {
    e.preventDefault();
    var err = lead.querySelector(".sc-lead-error");
    if (!lead.consent.checked) { err.textContent = "请先勾选同意，我们才能保存您的联系方式。"; return; }
    withVisitor({ name: lead.name.value, phone: lead.phone.value, consent: true })
      .then(function (body) { return post("/lead", body); })
      .then(function (r) { return r.json().then(function (d) { if (!r.ok || d.ok === false) throw new Error(d.error || "error"); return d; }); })
      .then(function (d) { lead.hidden = true; lead.reset(); err.textContent = ""; addBubble("bot", d.message); })
      .catch(function () { err.textContent = "手机号格式不对，请检查后再提交。"; });
  });
  function mount() {
    document.body.appendChild(root);
    if (localStorage.getItem(storeKey + ":open")) open();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
