/* The contribution form (contribute/): checks a new case against the case schema that the
   build embeds (generator/contribute.py, the same limits as the models), shows the YAML and
   opens GitHub's new-file page with it, so that it becomes a pull request like any other.
   Nothing is sent anywhere by this page itself. */
(function () {
  "use strict";
  var dataElement = document.getElementById("jirei-contribute-data");
  var form = document.getElementById("jirei-contribute");
  if (!dataElement || !form) return;
  var data = JSON.parse(dataElement.textContent);
  var schema = data.schema;
  var repo = (document.getElementById("jirei-contribute-repo").getAttribute("href") || "").replace(/\/+$/, "");
  var ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  var LONG_URL = 8000; // longer links are not taken whole by GitHub: the YAML is copied instead

  // --- a correction: the existing file's edit page ---------------------------------------------
  var edit = new URLSearchParams(location.search).get("edit");
  if (edit !== null) {
    var box = document.getElementById("jirei-contribute-edit");
    document.getElementById("jirei-contribute-edit-id").textContent = edit;
    if (ID.test(edit)) {
      document.getElementById("jirei-contribute-edit-link").href =
        repo + "/edit/" + data.branch + "/" + data.folder + "/" + edit + ".yaml";
      box.hidden = false;
      return;
    }
  }
  form.hidden = false;

  // --- the schema: the rule of each key -------------------------------------------------------
  function resolve(rule) {
    if (rule && rule.$ref) return schema.$defs[rule.$ref.split("/").pop()];
    return rule;
  }
  function property(path) {
    // "population", "sources.title": the rule of a key (of a list's items for a dotted path)
    var parts = path.split("."), rule = schema.properties[parts[0]];
    if (parts.length > 1) rule = resolve(resolve(rule).items).properties[parts[1]];
    return resolve(rule);
  }
  function required(path) {
    var parts = path.split(".");
    if (parts.length === 1) return schema.required.indexOf(parts[0]) >= 0;
    var items = resolve(resolve(schema.properties[parts[0]]).items);
    return (items.required || []).indexOf(parts[1]) >= 0;
  }
  function branches(rule) {
    return rule.anyOf ? rule.anyOf.filter(function (b) { return b.type !== "null"; }) : [rule];
  }
  function length(text) { return Array.from(text).length; }
  function number(text) {
    return text.replace(/[０-９]/g, function (d) { return String.fromCharCode(d.charCodeAt(0) - 0xfee0); }).replace(/[,，]/g, "");
  }

  // The Japanese message for a value that breaks a rule, or "" (what pydantic would refuse).
  function problem(path, text, label) { return judge(property(path), required(path), text, label); }
  function judge(rule, isRequired, text, label) {
    var name = label || rule.title;
    if (text === "") return isRequired ? "「" + name + "」を入力してください" : "";
    var messages = [];
    var ok = branches(rule).some(function (b) {
      if (b.type === "integer") {
        var digits = number(text);
        if (!/^\d+$/.test(digits)) { messages.push("「" + name + "」は半角の数字で書いてください"); return false; }
        var value = Number(digits);
        var low = b.minimum !== undefined ? b.minimum : (b.exclusiveMinimum !== undefined ? b.exclusiveMinimum + 1 : null);
        if ((low !== null && value < low) || (b.maximum !== undefined && value > b.maximum)) {
          messages.push("「" + name + "」は" + (low !== null ? low.toLocaleString("ja-JP") + "以上" : "") + (b.maximum !== undefined ? b.maximum.toLocaleString("ja-JP") + "以下" : "") + "の数にしてください");
          return false;
        }
        return true;
      }
      if (b.type === "string") {
        if (b.maxLength !== undefined && length(text) > b.maxLength) {
          messages.push("「" + name + "」は" + b.maxLength + "文字以内にしてください（いま" + length(text) + "文字）");
          return false;
        }
        if (b.enum && b.enum.indexOf(text) < 0) { messages.push("「" + name + "」は一覧から選んでください"); return false; }
        if (b.format === "uri") {
          var url = null;
          try { url = new URL(text); } catch (error) { url = null; }
          if (!url || !/^https?:$/.test(url.protocol) || !/^https?:\/\//.test(text)) {
            messages.push("「" + name + "」は http:// か https:// で始まる URL にしてください");
            return false;
          }
        }
        if (b.pattern && !new RegExp(b.pattern, "u").test(text)) {
          messages.push("「" + name + "」の書き方が違います" + (rule.description && /YYYY/.test(rule.description) ? "（YYYY-MM-DD、YYYY-MM または YYYY）" : ""));
          return false;
        }
        return true;
      }
      return false;
    });
    return ok ? "" : messages[0] || "「" + name + "」の値が正しくありません";
  }

  // --- choices --------------------------------------------------------------------------------
  var places = {}; // "長野県伊那市" → [code, prefecture, name]
  var datalist = document.getElementById("c-municipalities");
  data.municipalities.forEach(function (m) {
    var shown = m[1] + (m[2] === m[1] ? "" : m[2]);
    places[shown] = m;
    var option = document.createElement("option");
    option.value = shown;
    datalist.appendChild(option);
  });
  var fieldSelect = document.getElementById("c-field");
  data.fields.forEach(function (name, index) {
    var option = document.createElement("option");
    option.value = name;
    option.textContent = (index + 1) + ". " + name;
    fieldSelect.appendChild(option);
  });
  var municipality = document.getElementById("c-municipality");
  var code = document.getElementById("c-municipality-code");
  function place() { return places[municipality.value.replace(/\s+/g, "")] || null; }
  municipality.addEventListener("input", function () {
    var found = place();
    code.textContent = found ? found[0] + "（" + found[1] + (found[2] === found[1] ? "" : " " + found[2]) + "）" : "（未選択）";
  });

  // Rows of a list (programs, costs, sources): each row a set of labelled inputs.
  var counters = {};
  function addRow(list, fields) {
    var rows = document.getElementById("c-" + list + "-rows");
    counters[list] = (counters[list] || 0) + 1;
    var n = counters[list];
    var row = document.createElement("div");
    row.className = "jirei-contribute__item";
    row.dataset.row = list;
    fields.forEach(function (f) {
      var id = "c-" + list + "-" + n + "-" + f.key;
      var wrap = document.createElement("div");
      wrap.className = "jirei-contribute__row";
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = f.label + "（" + n + "）";
      var input;
      if (f.options) {
        input = document.createElement("select");
        var empty = document.createElement("option");
        empty.value = "";
        empty.textContent = f.empty || "選んでください";
        input.appendChild(empty);
        f.options.forEach(function (o) {
          var option = document.createElement("option");
          option.value = o[0];
          option.textContent = o[1];
          input.appendChild(option);
        });
      } else {
        input = document.createElement("input");
        if (f.placeholder) input.placeholder = f.placeholder;
        if (f.numeric) input.inputMode = "numeric";
      }
      input.id = id;
      input.dataset.key = f.key;
      var error = document.createElement("p");
      error.id = id + "-error";
      error.className = "jirei-contribute__error";
      error.setAttribute("aria-live", "polite");
      input.setAttribute("aria-describedby", error.id);
      wrap.appendChild(label);
      wrap.appendChild(input);
      wrap.appendChild(error);
      row.appendChild(wrap);
    });
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "md-button";
    remove.textContent = "この行を削除";
    remove.addEventListener("click", function () { row.remove(); });
    row.appendChild(remove);
    rows.appendChild(row);
    return row;
  }
  var PROGRAM_ROW = [
    { key: "program", label: "支援制度", options: data.programs.map(function (p) { return [p[0], p[1] + "（" + p[2] + "）"]; }) },
    { key: "fiscal_years", label: "活用した年度（西暦、カンマ区切り）", placeholder: "例: 2021, 2022", numeric: true },
  ];
  var COST_ROW = [
    { key: "fiscal_year", label: "年度（西暦）", placeholder: "例: 2021", numeric: true },
    { key: "amount", label: "金額（千円）", placeholder: "例: 39481", numeric: true },
    { key: "basis", label: "区分", options: [["予算", "予算"], ["決算", "決算"], ["事業費", "事業費"]], empty: "記載なし" },
  ];
  var SOURCE_ROW = [
    { key: "title", label: "出典の名称", placeholder: "例: 地域社会DXナビ 事例" },
    { key: "url", label: "出典の URL", placeholder: "https://" },
    { key: "published", label: "公表日", placeholder: "例: 2022-09" },
  ];
  document.getElementById("c-programs-add").addEventListener("click", function () { addRow("programs", PROGRAM_ROW).querySelector("select").focus(); });
  document.getElementById("c-costs-add").addEventListener("click", function () { addRow("costs", COST_ROW).querySelector("input").focus(); });
  document.getElementById("c-sources-add").addEventListener("click", function () { addRow("sources", SOURCE_ROW).querySelector("input").focus(); });
  addRow("sources", SOURCE_ROW);

  // --- checking ---------------------------------------------------------------------------------
  var SIMPLE = ["title", "id", "field", "population", "population_as_of", "population_note", "summary", "outcomes",
    "background", "advice", "department", "started"];
  function value(id) { return document.getElementById(id).value.trim(); }
  function show(input, message, errors) {
    var error = document.getElementById(input.id + "-error");
    error.textContent = message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) errors.push({ input: input, message: message });
  }
  function rows(list) { return Array.prototype.slice.call(document.querySelectorAll('[data-row="' + list + '"]')); }
  function cell(row, key) { return row.querySelector('[data-key="' + key + '"]'); }
  function years(text) { return number(text).split(/[\s,、]+/).filter(Boolean); }

  function check() {
    var errors = [], record = {};
    var found = place();
    show(municipality, municipality.value.trim() === "" ? "「団体名」を入力してください" : (found ? "" : "団体「" + municipality.value.trim() + "」が見つかりません。候補から選んでください"), errors);
    if (found) record.municipality = { code: found[0], prefecture: found[1], name: found[2] };
    SIMPLE.forEach(function (key) {
      var input = document.getElementById("c-" + key), text = input.value.trim();
      show(input, problem(key, text), errors);
      if (text !== "") record[key] = key === "population" ? Number(number(text)) : text;
    });
    var tags = value("c-tags").split(/[、,，]/).map(function (t) { return t.trim(); }).filter(Boolean);
    var tagRule = resolve(schema.properties.tags).items;
    var tagError = tags.map(function (t) { return judge(tagRule, false, t, "キーワード"); }).filter(Boolean)[0] || "";
    show(document.getElementById("c-tags"), tagError, errors);
    if (tags.length) record.tags = tags;

    record.support_programs = [];
    rows("programs").forEach(function (row) {
      var program = cell(row, "program"), fy = cell(row, "fiscal_years");
      if (program.value === "" && fy.value.trim() === "") return; // an empty row is left out
      show(program, program.value === "" ? "「支援制度」を選んでください" : "", errors);
      var list = years(fy.value);
      var bad = list.map(function (y) { return /^\d+$/.test(y) && Number(y) >= 1990 && Number(y) <= 2100 ? "" : "「活用した年度」は1990〜2100の西暦で書いてください"; }).filter(Boolean)[0] || "";
      show(fy, bad, errors);
      var use = { program: program.value };
      if (list.length) use.fiscal_years = list.map(Number);
      record.support_programs.push(use);
    });
    record.costs = [];
    rows("costs").forEach(function (row) {
      var year = cell(row, "fiscal_year"), amount = cell(row, "amount"), basis = cell(row, "basis");
      if (year.value.trim() === "" && amount.value.trim() === "" && basis.value === "") return;
      show(year, problem("costs.fiscal_year", year.value.trim(), "年度"), errors);
      show(amount, problem("costs.amount", amount.value.trim(), "金額（千円）"), errors);
      var cost = {};
      if (year.value.trim()) cost.fiscal_year = Number(number(year.value.trim()));
      cost.amount = Number(number(amount.value.trim()));
      if (basis.value) cost.basis = basis.value;
      record.costs.push(cost);
    });
    record.sources = [];
    rows("sources").forEach(function (row) {
      var title = cell(row, "title"), url = cell(row, "url"), published = cell(row, "published");
      if (!title.value.trim() && !url.value.trim() && !published.value.trim()) return;
      show(title, problem("sources.title", title.value.trim(), "出典の名称"), errors);
      show(url, problem("sources.url", url.value.trim(), "出典の URL"), errors);
      show(published, problem("sources.published", published.value.trim(), "公表日"), errors);
      var source = { title: title.value.trim() };
      if (url.value.trim()) source.url = url.value.trim();
      if (published.value.trim()) source.published = published.value.trim();
      record.sources.push(source);
    });
    var sourcesError = document.getElementById("c-sources-error");
    sourcesError.textContent = record.sources.length ? "" : "出典を1件以上書いてください（事実の根拠になる公開資料）";
    if (!record.sources.length) {
      var first = rows("sources")[0] || addRow("sources", SOURCE_ROW);
      errors.push({ input: cell(first, "title"), message: sourcesError.textContent });
    }
    return { errors: errors, record: record };
  }

  // --- the YAML -------------------------------------------------------------------------------
  function quoted(text) { return JSON.stringify(String(text)); } // a JSON string is a YAML double-quoted scalar
  function scalar(v) { return typeof v === "number" ? String(v) : quoted(v); }
  function block(key, text, indent) {
    // A literal block when the text is plain lines (easier to review), else one quoted line.
    if (/^[ \t]|[\t\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029\ufeff]/.test(text) || !/\n/.test(text)) {
      return indent + key + ": " + quoted(text) + "\n";
    }
    return indent + key + ": |\n" + text.split("\n").map(function (line) { return line ? indent + "  " + line : ""; }).join("\n") + "\n";
  }
  function yaml(r) {
    var out = "# yaml-language-server: $schema=../../schema/case.schema.json\n";
    out += "id: " + quoted(r.id) + "\n" + "title: " + quoted(r.title) + "\n" + "field: " + quoted(r.field) + "\n";
    out += "municipality:\n  code: " + quoted(r.municipality.code) + "\n  prefecture: " + quoted(r.municipality.prefecture) + "\n  name: " + quoted(r.municipality.name) + "\n";
    out += "population: " + r.population + "\n";
    if (r.population_as_of) out += "population_as_of: " + quoted(r.population_as_of) + "\n";
    if (r.population_note) out += "population_note: " + quoted(r.population_note) + "\n";
    out += block("summary", r.summary, "");
    if (r.background) out += block("background", r.background, "");
    if (r.support_programs.length) {
      out += "support_programs:\n";
      r.support_programs.forEach(function (u) {
        out += "  - program: " + quoted(u.program) + "\n";
        if (u.fiscal_years) out += "    fiscal_years: [" + u.fiscal_years.join(", ") + "]\n";
      });
    }
    if (r.advice) out += block("advice", r.advice, "");
    if (r.outcomes) out += block("outcomes", r.outcomes, "");
    if (r.department) out += "department: " + quoted(r.department) + "\n";
    if (r.costs.length) {
      out += "costs:\n";
      r.costs.forEach(function (c) {
        out += "  - " + (c.fiscal_year !== undefined ? "fiscal_year: " + c.fiscal_year + "\n    " : "") + "amount: " + c.amount + "\n";
        if (c.basis) out += "    basis: " + quoted(c.basis) + "\n";
      });
    }
    if (r.started) out += "started: " + quoted(r.started) + "\n";
    if (r.tags) out += "tags: [" + r.tags.map(quoted).join(", ") + "]\n";
    out += "sources:\n";
    r.sources.forEach(function (s) {
      out += "  - title: " + quoted(s.title) + "\n";
      if (s.url) out += "    url: " + quoted(s.url) + "\n";
      if (s.published) out += "    published: " + quoted(s.published) + "\n";
    });
    return out;
  }

  // --- submit ---------------------------------------------------------------------------------
  var result = document.getElementById("jirei-contribute-result");
  var summary = document.getElementById("c-summary-of-errors");
  var link = document.getElementById("c-result-link");
  var text = "";
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var checked = check();
    if (checked.errors.length) {
      result.hidden = true;
      link.removeAttribute("href");
      summary.hidden = false;
      summary.textContent = "";
      var heading = document.createElement("p");
      heading.textContent = checked.errors.length + " 件の問題があります。直してから、もう一度押してください。";
      summary.appendChild(heading);
      var list = document.createElement("ul");
      checked.errors.forEach(function (e) {
        var item = document.createElement("li"), a = document.createElement("a");
        a.href = "#" + e.input.id;
        a.textContent = e.message;
        a.addEventListener("click", function (ev) { ev.preventDefault(); e.input.focus(); });
        item.appendChild(a);
        list.appendChild(item);
      });
      summary.appendChild(list);
      summary.focus();
      return;
    }
    summary.hidden = true;
    text = yaml(checked.record);
    var path = data.folder + "/" + checked.record.id + ".yaml";
    document.getElementById("c-result-path").textContent = path;
    document.getElementById("c-result-yaml").textContent = text;
    var full = repo + "/new/" + data.branch + "/" + data.folder + "?filename=" + encodeURIComponent(checked.record.id + ".yaml");
    var withValue = full + "&value=" + encodeURIComponent(text);
    var long = withValue.length > LONG_URL;
    link.href = long ? full : withValue;
    document.getElementById("c-result-long").hidden = !long;
    result.hidden = false;
    document.getElementById("jirei-contribute-result-title").focus();
  });
  document.getElementById("c-result-copy").addEventListener("click", function () {
    var status = document.getElementById("c-result-copied");
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(function () { status.textContent = "コピーしました。"; }, function () { status.textContent = "コピーできませんでした。上の YAML を選んでコピーしてください。"; });
    } else {
      status.textContent = "コピーできませんでした。上の YAML を選んでコピーしてください。";
    }
  });
})();
