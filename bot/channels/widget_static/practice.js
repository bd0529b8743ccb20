/* The trainee's practice page (/webhooks/widget/practice). Talks to the widget channel with a
 * visitor id per trainee name; every message carries the practice mode, persona, level and name.
 * Plain JavaScript, no dependencies besides chart.js (served next to it). */
(function () {
  "use strict";
  var cfg = window.PracticeConfig || {};
  var L = cfg.labels || {};
  var api = "/webhooks/widget";
  var NAME_KEY = "practice:" + (cfg.dealer || "default") + ":trainee";
  var DIMS = ["acknowledge", "clarify", "value", "next_step", "principle", "no_penalty"];
  var CHECKS = ["acknowledge", "clarify", "value", "next_step"];
  var $ = function (sel) { return document.querySelector(sel); };
  var state = { name: null, visitor: null, roleplay: null, busy: false, queue: [], turns: [], lastUser: null,
    lastBot: null, ended: false };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function label(kind, id) { return (L[kind] && L[kind][id]) || id || ""; }
  function persona(id) { return (cfg.personas || []).filter(function (p) { return p.id === id; })[0] || (cfg.personas || [])[0]; }
  function post(path, body) {
    return fetch(api + path, { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(body || {}) });
  }
  function visitorKey() { return NAME_KEY + ":visitor:" + state.name; }
  function visitor() {
    if (state.visitor) return Promise.resolve(state.visitor);
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(visitorKey()) || "null"); } catch (e) { saved = null; }
    if (saved && typeof saved.sender === "string" && typeof saved.token === "string") {
      state.visitor = saved;
      return Promise.resolve(saved);
    }
    return post("/session").then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (v) { state.visitor = v; localStorage.setItem(visitorKey(), JSON.stringify(v)); return v; });
  }

  /* ---------- name, once per browser ---------- */
  function askName() {
    $("#name-panel").hidden = false;
    $("#name-input").value = state.name || "";
    $("#name-input").focus();
  }
  function setName(name) {
    state.name = name;
    state.visitor = null;
    localStorage.setItem(NAME_KEY, name);
    $("#trainee-name").textContent = name;
  }
  $("#name-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var name = $("#name-input").value.replace(/\s+/g, " ").trim().slice(0, 20);
    if (!name) return;
    setName(name);
    $("#name-panel").hidden = true;
    $("#start").focus();
  });
  $("#name-panel").addEventListener("keydown", function (e) {
    if (e.key === "Escape" && state.name) $("#name-panel").hidden = true;
  });
  $("#change-name").addEventListener("click", askName);

  /* ---------- persona card ---------- */
  var setup = $("#setup");
  (cfg.personas || []).forEach(function (p) {
    var o = el("option", null, p.name);
    o.value = p.id;
    setup.persona.append(o);
  });
  function showPersona() {
    var p = persona(setup.persona.value);
    var card = $("#persona-card");
    card.hidden = setup.mode.value !== "customer" || !p;
    if (!p) return;
    card.querySelector(".persona-name").textContent = p.name;
    card.querySelector(".persona-background").textContent = p.background;
    var r = p.readiness || {}, ready = card.querySelector(".persona-readiness");
    ready.textContent = "";
    var badge = el("span", "readiness-level", r.level || "");
    if (/^R[1-4]$/.test(r.level || "")) badge.setAttribute("aria-label", "第" + r.level.slice(1) + "级（共4级）");
    ready.append(badge, document.createTextNode(r.zh ? " " + r.zh : ""));
    if (r.patience) ready.append(el("span", "readiness-patience", r.patience));
    ready.title = "购买准备分四级：R1 最没把握，R4 最接近成交";
    card.querySelector(".persona-car").textContent = p.car_model + (p.competitor ? "（在比较：" + p.competitor + "）" : "");
    card.querySelector(".persona-cares").textContent = setup.level.value === "easy"
      ? p.cares_about.join("、") : "难度为普通或困难时顾客不会直说，需要您问出来。";
    card.querySelector(".persona-opening").textContent = p.opening.objection + "：“" + p.opening.line + "”";
  }
  ["mode", "persona", "level"].forEach(function (n) { setup[n].addEventListener("change", showPersona); });

  /* ---------- chat ---------- */
  var log = $("#log");
  function scroll() { log.scrollTop = log.scrollHeight; }
  function row(kind, speaker, text) {
    var r = el("div", "row " + kind);
    var b = el("div", "bubble");
    b.append(el("span", "speaker", speaker), document.createTextNode(text));
    r.append(b);
    log.append(r);
    scroll();
    return r;
  }
  function note(text, cls) {
    var n = el("p", "note" + (cls ? " " + cls : ""), text);
    log.append(n);
    scroll();
    return n;
  }
  function chips(turn) {
    var ul = el("ul", "chips");
    CHECKS.forEach(function (c) {
      var ok = !!(turn.checks || {})[c];
      var li = el("li", ok ? "yes" : "no", label("checks", c) + (ok ? " ✓" : " ✗"));
      li.setAttribute("aria-label", label("checks", c) + (ok ? "：做到" : "：没做到"));
      ul.append(li);
    });
    (turn.principles || []).forEach(function (p) { ul.append(el("li", "yes", "原则：" + label("principles", p))); });
    (turn.penalties || []).forEach(function (p) { ul.append(el("li", "bad", label("checks", "penalty:" + p) || p)); });
    return ul;
  }
  function evidenceText(turn) {
    var ev = turn.evidence || {};
    var parts = Object.keys(ev).map(function (k) {
      var name = (L.checks && (L.checks[k] || L.checks["penalty:" + k])) || k;
      return name + "「" + ev[k].join("」「") + "」";
    });
    return parts.length ? "依据：" + parts.join("；") : "";
  }
  function showTurn(turn) {
    state.turns.push(turn);
    var side = el("aside", "side turn-score " + (turn.good ? "good" : "weak"));
    side.setAttribute("aria-label", "本轮评分");
    side.append(el("span", "score", turn.score + "分"), document.createTextNode(turn.good ? " · 顾客认可" : " · 还不够"));
    side.append(chips(turn));
    var ev = evidenceText(turn);
    if (ev) side.append(el("p", "evidence", ev));
    if (state.lastUser) state.lastUser.append(side);
    $("#live-empty").hidden = true;
    var li = el("li", null, "第" + state.turns.length + "轮（" + label("objections", turn.objection) + "）" + turn.score + "分");
    $("#live-list").append(li);
    scroll();
  }
  function showCoachNote(c) {
    var side = el("aside", "side coach-note");
    side.setAttribute("aria-label", "教练点评");
    side.append(el("strong", null, "原则：" + (c.principle_zh || c.principle || "")));
    if (c.principle_why) side.append(el("p", "evidence", c.principle_why));
    side.append(el("p", null, "动作：" + (c.move_zh || c.move || "")));
    (c.alternatives || []).forEach(function (a) { side.append(el("p", "evidence", "也可以（" + a.principle_zh + "）：" + a.text)); });
    (state.lastBot || log).append(side);
    scroll();
  }

  function render(messages) {
    messages.forEach(function (m) {
      var text = m.text || "";
      var custom = m.custom || {};
      if (custom.roleplay_turn) showTurn(custom.roleplay_turn);
      else if (custom.roleplay_scorecard) showScorecard(custom.roleplay_scorecard);
      else if (custom.script_id) showCoachNote(custom);
      if (!text) return;
      if (/^【陪练开始】/.test(text)) note("练习开始：请以销售顾问的身份回应顾客。");
      else if (/^顾客[：:]/.test(text)) state.lastBot = row("customer", "顾客", text.replace(/^顾客[：:]/, ""));
      else if (/^（本轮/.test(text) || /^【陪练结束】/.test(text)) { /* shown beside the reply / in the scorecard */ }
      else if (/^提示[：:]/.test(text)) note(text, "hint");
      else if (state.roleplay && state.roleplay.mode === "coach") state.lastBot = row("consultant", "示范顾问", text);
      else note(text);
    });
  }

  function send(text, shown) {
    if (!text || !text.trim() || !state.roleplay) return;
    if (state.busy) { state.queue.push([text, shown]); return; }
    if (shown) state.lastUser = row("user", state.roleplay.mode === "coach" ? "我（顾客）" : "我（销售顾问）", text);
    state.busy = true;
    $("#typing").hidden = false;
    var meta = { dealer: cfg.dealer || null, page: location.href, roleplay: state.roleplay };
    visitor().then(function (v) {
      return post("/webhook", { sender: v.sender, token: v.token, message: text, metadata: meta });
    }).then(function (r) {
      if (r.status === 403) { state.visitor = null; localStorage.removeItem(visitorKey()); }
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(render).catch(function () {
      note("网络好像不太稳定，这条没有发出去，请再试一次。");
    }).then(function () {
      state.busy = false;
      $("#typing").hidden = true;
      if (state.queue.length) send.apply(null, state.queue.shift());
    });
  }

  function start() {
    state.roleplay = { mode: setup.mode.value, persona: setup.persona.value, level: setup.level.value, trainee: state.name };
    state.turns = [];
    state.ended = false;
    state.lastUser = state.lastBot = null;
    log.innerHTML = "";
    $("#live-list").innerHTML = "";
    $("#live-empty").hidden = false;
    $("#scorecard").hidden = true;
    $("#live").hidden = false;
    showPersona();
    var customer = state.roleplay.mode === "customer";
    $("#commands").hidden = !customer;
    $("#input").placeholder = customer ? "输入您作为销售顾问的回答，Enter 发送，Shift+Enter 换行"
      : "扮演顾客提出异议（例如：太贵了），Enter 发送";
    if (customer) send("重来");  // always a fresh visit, whatever was left in this conversation
    else note("教练模式：请扮演顾客说出异议，机器人示范回答，右侧/下方是它用的原则和其他说法。");
    $("#input").focus();
  }
  setup.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!state.name) { askName(); return; }
    start();
  });
  $("#again").addEventListener("click", start);
  $("#commands").addEventListener("click", function (e) {
    var b = e.target.closest("button[data-command]");
    if (!b || !state.roleplay) return;
    var command = b.dataset.command;
    if (command === "重来") { start(); return; }
    if (state.ended) { note("这次练习已经结束，点“再练一次”重新开始。"); return; }
    send(command);
  });
  $("#composer").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("#input").value;
    if (!state.roleplay) { note("请先在“练习设置”里点“开始练习”。"); return; }
    if (state.ended && state.roleplay.mode === "customer") { note("这次练习已经结束，点“再练一次”重新开始。"); return; }
    $("#input").value = "";
    send(text, true);
  });
  $("#input").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      $("#composer").requestSubmit ? $("#composer").requestSubmit() : $("#composer").dispatchEvent(new Event("submit"));
    }
  });

  /* ---------- scorecard ---------- */
  function showScorecard(card) {
    state.ended = true;
    var sc = $("#scorecard");
    sc.querySelector(".total-number").textContent = card.total;
    sc.querySelector(".outcome").textContent = label("outcomes", card.outcome);
    MiniChart.bars($("#dimension-chart"), DIMS.map(function (d) {
      return { label: label("dimensions", d), value: (card.dimensions || {})[d] };
    }), { title: "各维度得分" });
    sc.querySelector(".comparison").textContent = card.comparison || "";
    var sg = sc.querySelector(".suggestions");
    sg.innerHTML = "";
    (card.suggestions || []).forEach(function (s) {
      var li = el("li");
      li.append(el("strong", null, s.move_zh), document.createTextNode("：" + s.why));
      li.append(el("span", "model-answer", "参考说法：" + s.model_answer));
      sg.append(li);
    });
    var tn = sc.querySelector(".turn-notes");
    tn.innerHTML = "";
    var notes = card.turn_notes || [];
    var n = Math.max(state.turns.length, notes.length);
    for (var i = 0; i < n; i++) {
      var t = state.turns[i], li = el("li");
      if (t) {
        li.append(el("strong", null, label("objections", t.objection) + " 第" + t.attempt + "次 · " + t.score + "分"));
        li.append(chips(t));
        var ev = evidenceText(t);
        if (ev) li.append(el("p", "evidence", ev));
      }
      if (notes[i]) li.append(el("p", "evidence", notes[i]));
      tn.append(li);
    }
    var box = $("#attempts");
    box.innerHTML = "";
    delete box.dataset.count;
    box.append(el("p", null, "正在读取历次练习…"));
    sc.hidden = false;
    $("#live").hidden = true;
    sc.focus();
    sc.scrollIntoView({ block: "start" });
    visitor().then(function (v) {
      return post("/practice/attempts", { sender: v.sender, token: v.token, persona: card.persona });
    }).then(function (r) { return r.ok ? r.json() : { attempts: [] }; }).then(function (data) {
      var totals = data.attempts.map(function (a) { return a.total; });
      box.innerHTML = "";
      if (!totals.length) totals = [card.total];
      [["第一次", totals[0]], ["最好", Math.max.apply(null, totals)], ["最近", totals[totals.length - 1]]].forEach(function (pair) {
        var d = el("div");
        d.append(el("dt", null, pair[0]), el("dd", null, pair[1] + "分"));
        box.append(d);
      });
      box.setAttribute("aria-label", "共练习这位顾客 " + totals.length + " 次");
      box.dataset.count = totals.length;
    }).catch(function () { box.innerHTML = ""; box.append(el("p", null, "历次练习暂时读不到。")); });
  }

  /* ---------- start ---------- */
  state.name = localStorage.getItem(NAME_KEY);
  if (state.name) $("#trainee-name").textContent = state.name; else askName();
  $("#commands").hidden = true;
  showPersona();
})();
