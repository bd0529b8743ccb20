/* Trainer dashboard (/webhooks/trainer/): login, the team's practice records, a visit's transcript
 * with the correction control. Plain JavaScript; the session is an HttpOnly cookie. */
(function () {
  "use strict";
  var api = "/webhooks/trainer";
  var L = {};  // Chinese names by id, from the server
  var $ = function (sel) { return document.querySelector(sel); };
  var DIMS = ["acknowledge", "clarify", "value", "next_step", "principle", "no_penalty"];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function name(kind, id) { return (L[kind] && L[kind][id]) || id || ""; }
  function when(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : ""; }
  function getJSON(path) {
    return fetch(api + path, { credentials: "same-origin" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { body._status = r.status; return body; });
    });
  }
  function postJSON(path, body) {
    return fetch(api + path, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}) }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { b._status = r.status; b._retry = r.headers.get("Retry-After"); return b; });
    });
  }
  function show(state) {
    $("#login").hidden = state !== "login";
    $("#off").hidden = state !== "off";
    $("#dashboard").hidden = state !== "dashboard";
    document.querySelector(".top-actions").hidden = state !== "dashboard";
    if (state === "login") $("#password").focus();
  }
  function cells(tr, values) { values.forEach(function (v) { tr.append(el("td", null, v == null ? "" : String(v))); }); }

  function load() {
    return getJSON("/api/summary").then(function (data) {
      if (data._status === 401) return show("login");
      if (data._status === 503) return show("off");
      if (data._status !== 200) throw new Error(data._status);
      L = data.labels || {};
      render(data);
      show("dashboard");
    });
  }

  function render(data) {
    var tb = $("#trainees tbody");
    tb.innerHTML = "";
    data.trainees.forEach(function (p) {
      var tr = el("tr");
      cells(tr, [p.trainee, p.attempts, p.first, p.best, p.last, p.average]);
      tb.append(tr);
    });
    if (!data.trainees.length) { var tr0 = el("tr"); var td0 = el("td", null, "还没有完成的练习。"); td0.colSpan = 6; tr0.append(td0); tb.append(tr0); }

    var ab = $("#attempts tbody");
    ab.innerHTML = "";
    data.attempts.slice().reverse().forEach(function (a) {
      var tr = el("tr");
      tr.dataset.visit = a.id;
      cells(tr, [when(a.finished_at), a.trainee + "（第" + a.attempt + "次）", name("personas", a.persona), name("levels", a.level),
        name("outcomes", a.outcome), a.total]);
      var td = el("td");
      var b = el("button", "link", "查看");
      b.type = "button";
      b.setAttribute("aria-label", "查看 " + a.trainee + " 第" + a.attempt + "次练习的逐轮记录");
      b.addEventListener("click", function () { openVisit(a.id); });
      td.append(b);
      tr.append(td);
      ab.append(tr);
    });

    var weeks = data.over_time.map(function (w) { return w.period.replace(/^(\d+)-W(\d+)$/, "$1年第$2周"); });
    MiniChart.lines($("#dims-chart"), weeks, DIMS.map(function (d) {
      return { label: name("dimensions", d), values: data.over_time.map(function (w) { return w.dimensions[d]; }) };
    }), { title: "各维度平均分（按周）" });
    var dh = $("#dims-table thead"), db = $("#dims-table tbody");
    dh.innerHTML = ""; db.innerHTML = "";
    var hr = el("tr");
    ["周", "练习数"].concat(DIMS.map(function (d) { return name("dimensions", d); })).forEach(function (h) {
      var th = el("th", null, h); th.scope = "col"; hr.append(th);
    });
    dh.append(hr);
    data.over_time.forEach(function (w, i) {
      var tr = el("tr");
      cells(tr, [weeks[i], w.visits].concat(DIMS.map(function (d) { return w.dimensions[d]; })));
      db.append(tr);
    });

    var mv = $("#misses");
    mv.innerHTML = "";
    data.misses_by_objection.forEach(function (o) {
      var g = el("div", "miss-group");
      g.append(el("h3", null, name("objections", o.objection) + "（" + o.turns + "轮）"));
      var ol = el("ol");
      o.misses.forEach(function (m) { ol.append(el("li", null, missName(m.miss) + " × " + m.count)); });
      if (!o.misses.length) ol.append(el("li", null, "没有失误"));
      g.append(ol);
      mv.append(g);
    });
    if (!data.misses_by_objection.length) mv.append(el("p", null, "还没有逐轮记录。"));

    var ag = data.agreement;
    $("#agree-summary").textContent = "已校正 " + ag.reviewed_turns + " 轮，不一致 " + ag.disagreements.length + " 处。";
    var gb = $("#agreement tbody");
    gb.innerHTML = "";
    Object.keys(ag.checks).forEach(function (c) {
      var r = ag.checks[c];
      if (!r.reviewed) return;
      var tr = el("tr");
      cells(tr, [name("checks", c), r.reviewed, r.agree, Math.round(r.rate * 100) + "%"]);
      gb.append(tr);
    });
    var xb = $("#disagreements tbody");
    xb.innerHTML = "";
    ag.disagreements.forEach(function (d) {
      var tr = el("tr");
      cells(tr, [d.trainee, d.reply, name("checks", d.check), d.rubric ? "做到" : "没做到", d.trainer ? "做到" : "没做到", d.note]);
      xb.append(tr);
    });
  }

  function missName(m) {
    if (m.indexOf("penalty:") === 0) return name("checks", m);
    return name("moves", m) || name("checks", m);
  }

  function openVisit(id) {
    return getJSON("/api/visit?id=" + encodeURIComponent(id)).then(function (data) {
      if (data._status === 401) return show("login");
      var v = data.visit, box = $("#transcript-body");
      box.innerHTML = "";
      box.dataset.visit = v.id;
      box.append(el("p", null, v.trainee + " · " + name("personas", v.persona) + " · " + name("levels", v.level) + " · " +
        name("outcomes", v.outcome) + " · 总分 " + v.total + " · " + when(v.finished_at)));
      var latest = {};
      (data.corrections || []).forEach(function (c) { latest[c.turn + "|" + c.check] = c; });
      (v.turn_list || []).forEach(function (t, i) { box.append(turnView(v, t, i + 1, latest)); });
      if (!(v.turn_list || []).length) box.append(el("p", null, "这次练习没有保存逐轮记录。"));
      var sec = $("#transcript");
      sec.hidden = false;
      sec.focus();
    });
  }

  function verdicts(t) {
    var out = {};
    Object.keys(L.checks || {}).forEach(function (c) {
      out[c] = c.indexOf("penalty:") === 0 ? (t.penalties || []).indexOf(c.slice(8)) >= 0 : !!(t.checks || {})[c];
    });
    return out;
  }

  function turnView(v, t, n, latest) {
    var box = el("article", "turn");
    box.dataset.turn = n;
    box.append(el("h3", null, "第" + n + "轮 · " + name("objections", t.objection) + " 第" + t.attempt + "次 · " + t.score + "分"));
    box.append(el("p", "reply", "学员：" + (t.reply || "")));
    if (t.customer_line) box.append(el("p", "customer", "顾客：" + t.customer_line));
    var said = verdicts(t), ul = el("ul", "checks");
    Object.keys(said).forEach(function (c) {
      var isPenalty = c.indexOf("penalty:") === 0;
      if (isPenalty && !said[c]) return;
      var li = el("li", said[c] && !isPenalty ? "yes" : "no", name("checks", c) + (said[c] ? (isPenalty ? "" : " ✓") : " ✗"));
      var ev = (t.evidence || {})[isPenalty ? c.slice(8) : c];
      if (ev && ev.length) li.title = "依据：" + ev.join("、");
      ul.append(li);
    });
    box.append(ul);
    var evidence = Object.keys(t.evidence || {}).map(function (k) {
      return (name("checks", k) || name("checks", "penalty:" + k)) + "「" + t.evidence[k].join("」「") + "」";
    });
    box.append(el("p", "evidence", evidence.length ? "评分依据：" + evidence.join("；") : "评分依据：无"));
    if ((t.principles || []).length) box.append(el("p", "evidence", "说服原则：" + t.principles.map(function (p) { return name("principles", p); }).join("、")));

    var form = el("form", "correction");
    var fs = el("fieldset");
    fs.append(el("legend", null, "教练校正：勾选这条回答实际做到的（扣分项勾选表示确实犯了）"));
    Object.keys(said).forEach(function (c) {
      var id = "c-" + n + "-" + c.replace(/[^a-z_]/g, "-");
      var lab = el("label");
      var box2 = document.createElement("input");
      box2.type = "checkbox"; box2.name = c; box2.id = id;
      var prev = latest[n + "|" + c];
      box2.checked = prev ? prev.trainer : said[c];
      lab.append(box2, " " + name("checks", c));
      fs.append(lab);
    });
    var note = document.createElement("input");
    note.type = "text"; note.name = "note"; note.maxLength = 500; note.placeholder = "备注（可选）";
    note.setAttribute("aria-label", "第" + n + "轮校正备注");
    var save = el("button", null, "保存校正");
    save.type = "submit";
    var status = el("p", "status", "");
    status.setAttribute("role", "status");
    var changed = Object.keys(said).filter(function (c) { var p = latest[n + "|" + c]; return p && p.trainer !== p.rubric; });
    if (changed.length) status.append(el("span", "corrected", "已校正：评分规则在 " + changed.map(function (c) { return name("checks", c); }).join("、") + " 上判断有误"));
    else if (Object.keys(latest).some(function (k) { return k.indexOf(n + "|") === 0; })) status.textContent = "已校正：与评分规则一致";
    form.append(fs, note, " ", save, status);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var checks = {};
      Object.keys(said).forEach(function (c) { checks[c] = form.querySelector('[name="' + c + '"]').checked; });
      postJSON("/api/corrections", { visit: v.id, turn: n, checks: checks, note: note.value }).then(function (r) {
        if (r._status === 401) return show("login");
        if (!r.ok) { status.textContent = "保存失败：" + (r.error || r._status); return; }
        openVisit(v.id).then(function () {
          var again = document.querySelector('#transcript-body .turn[data-turn="' + n + '"] .status');
          if (again) again.prepend(el("span", "ok", "已保存。"));
          return getJSON("/api/summary").then(function (d) { if (d._status === 200) render(d); });
        });
      });
    });
    box.append(form);
    return box;
  }

  $("#login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var err = $("#login-error");
    err.textContent = "";
    postJSON("/login", { password: $("#password").value }).then(function (r) {
      if (r._status === 200) { $("#password").value = ""; return load(); }
      if (r._status === 429) err.textContent = "密码错误次数过多，请 " + (r._retry || "几") + " 秒后再试。";
      else if (r._status === 503) show("off");
      else err.textContent = "密码不对，请重试。";
      $("#password").select();
    });
  });
  $("#logout").addEventListener("click", function () { postJSON("/logout").then(function () { show("login"); }); });
  $("#refresh").addEventListener("click", load);
  load().catch(function () { show("login"); $("#login-error").textContent = "看板暂时无法加载，请稍后刷新。"; });
})();
