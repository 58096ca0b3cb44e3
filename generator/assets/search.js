// jirei search: the browser half of generator/search.py (same normalisation and tokens),
// on top of Pagefind. The search page keeps its state (query and filters) in the URL.
(function () {
  "use strict";

  // --- normalisation and tokens: keep in step with generator/search.py -----------------
  var WORD = /[\p{L}\p{N}\p{M}]/u;
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

  function normalize(text) {
    var folded = text.normalize("NFKC").toLowerCase();
    var out = "";
    for (var ch of folded) {
      var code = ch.codePointAt(0);
      out += code >= 0x30a1 && code <= 0x30f6 ? String.fromCodePoint(code - 0x60) : ch;
    }
    return out;
  }

  function runs(normalized) {
    var found = [], current = "";
    for (var ch of normalized) {
      if (WORD.test(ch)) current += ch;
      else if (current) { found.push(current); current = ""; }
    }
    if (current) found.push(current);
    return found;
  }

  function chars(text) { return Array.from(text); }

  function tokens(normalized) {
    var result = [];
    runs(normalized).forEach(function (run) {
      var c = chars(run);
      for (var i = 0; i + 1 < c.length; i++) result.push(c[i] + c[i + 1]);
      result.push(c[c.length - 1]);
    });
    return result;
  }

  function queryWords(query) {
    return normalize(query).split(/\s+/).filter(function (w) { return w && runs(w).length; });
  }

  function queryTokens(word) {
    var exact = [], prefixes = [];
    runs(word).forEach(function (run) {
      var c = chars(run);
      if (c.length === 1) prefixes.push(run);
      else for (var i = 0; i + 1 < c.length; i++) exact.push(c[i] + c[i + 1]);
    });
    return { exact: exact, prefixes: prefixes };
  }

  function needsVerification(word) {
    var found = runs(word);
    return !(found.length === 1 && chars(found[0]).length <= 2 && found[0] === word);
  }

  function encodeToken(token) {
    var out = "x";
    for (var ch of token) {
      var n = ch.codePointAt(0), digits = "";
      for (var i = 0; i < 4; i++) { digits = DIGITS[n % 36] + digits; n = Math.floor(n / 36); }
      out += digits;
    }
    return out;
  }

  // The current results' addresses, for tests and for anyone scripting the page.
  async function resultUrls() {
    var items = await Promise.all(shown.map(function (r) { return r.data(); }));
    return items.map(function (d) { return d.url; });
  }

  window.jireiSearch = {
    normalize: normalize, runs: runs, tokens: tokens, queryWords: queryWords,
    queryTokens: queryTokens, needsVerification: needsVerification, encodeToken: encodeToken,
    resultUrls: resultUrls
  };

  // --- the search page ------------------------------------------------------------------
  var GROUPS = [
    ["type", "種類"], ["field", "分野"], ["band", "人口規模"], ["funding", "支援制度"],
    ["prefecture", "都道府県"], ["year", "年度"], ["tag", "キーワード"],
    ["employment", "任用形態"], ["remote", "リモート勤務"], ["status", "募集状況"]
  ];
  var PAGE_SIZE = 20;
  var shown = [];
  var script = document.currentScript;
  var base = script ? script.src.replace(/assets\/search\.js(\?.*)?$/, "") : "/";
  var pagefind = null;
  var allFilters = {};
  var generation = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function stateFromUrl() {
    var params = new URLSearchParams(location.search);
    var selected = {};
    GROUPS.forEach(function (g) {
      var values = params.getAll(g[0]);
      if (values.length) selected[g[0]] = values;
    });
    return { q: params.get("q") || "", selected: selected };
  }

  function urlFromState(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    GROUPS.forEach(function (g) {
      (state.selected[g[0]] || []).forEach(function (v) { params.append(g[0], v); });
    });
    var query = params.toString();
    return location.pathname + (query ? "?" + query : "");
  }

  function currentState(form) {
    var selected = {};
    form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      (selected[box.name] = selected[box.name] || []).push(box.value);
    });
    return { q: form.querySelector("input[name=q]").value.trim(), selected: selected };
  }

  async function loadPagefind() {
    if (!pagefind) {
      pagefind = await import(base + "pagefind/pagefind.js");
      await pagefind.options({ baseUrl: new URL(base).pathname });
      await pagefind.init();
      allFilters = await pagefind.filters();
    }
    return pagefind;
  }

  async function find(state) {
    var words = queryWords(state.q);
    var filters = {};
    Object.keys(state.selected).forEach(function (k) { filters[k] = { any: state.selected[k] }; });
    var hasFilters = Object.keys(filters).length > 0;
    if (!words.length && !hasFilters) return null;
    var terms = [];
    words.forEach(function (w) {
      var t = queryTokens(w);
      t.exact.concat(t.prefixes).forEach(function (token) { terms.push(encodeToken(token)); });
    });
    var search = await pagefind.search(words.length ? terms.join(" ") : null, { filters: filters });
    if (!words.some(needsVerification)) {
      return { results: search.results, counts: search.filters };
    }
    // Bigrams can all occur without the word itself: keep pages whose text contains every word.
    var loaded = await Promise.all(search.results.map(function (r) { return r.data(); }));
    var verified = [], counts = {};
    loaded.forEach(function (data, i) {
      var text = normalize(data.meta.title + "\n" + data.meta.text);
      if (!words.every(function (w) { return text.indexOf(w) >= 0; })) return;
      var result = search.results[i];
      verified.push({ data: function () { return Promise.resolve(data); }, id: result.id });
      Object.keys(data.filters || {}).forEach(function (k) {
        counts[k] = counts[k] || {};
        data.filters[k].forEach(function (v) { counts[k][v] = (counts[k][v] || 0) + 1; });
      });
    });
    return { results: verified, counts: counts };
  }

  function excerpt(text, words) {
    // Map each character's normalised form back to its place in the original text.
    var original = chars(text), starts = [], normalized = "";
    original.forEach(function (ch, i) { starts.push(normalized.length); normalized += normalize(ch); });
    var best = -1, length = 0;
    words.forEach(function (w) {
      var at = normalized.indexOf(w);
      if (at >= 0 && (best < 0 || at < best)) { best = at; length = w.length; }
    });
    var node = el("p", { "class": "jirei-result__excerpt" });
    if (best < 0) { node.textContent = original.slice(0, 120).join("") + (original.length > 120 ? "…" : ""); return node; }
    var from = 0, to = original.length;
    for (var i = 0; i < starts.length; i++) { if (starts[i] <= best) from = i; if (starts[i] < best + length) to = i + 1; }
    var left = Math.max(0, from - 50), right = Math.min(original.length, to + 70);
    node.appendChild(document.createTextNode((left > 0 ? "…" : "") + original.slice(left, from).join("").replace(/\s+/g, " ")));
    node.appendChild(el("mark", {}, original.slice(from, to).join("")));
    node.appendChild(document.createTextNode(original.slice(to, right).join("").replace(/\s+/g, " ") + (right < original.length ? "…" : "")));
    return node;
  }

  async function renderResults(list, results, words, start) {
    var slice = results.slice(start, start + PAGE_SIZE);
    var items = await Promise.all(slice.map(function (r) { return r.data(); }));
    items.forEach(function (data) {
      var li = el("li", { "class": "jirei-result" });
      var h = el("h3", { "class": "jirei-result__title" });
      h.appendChild(el("a", { href: data.url }, data.meta.title));
      li.appendChild(h);
      li.appendChild(el("p", { "class": "jirei-result__meta" }, data.meta.place + "｜" + data.meta.field));
      li.appendChild(excerpt(data.meta.text, words));
      list.appendChild(li);
    });
  }

  function renderFilters(box, state, counts) {
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
    box.textContent = "";
    GROUPS.forEach(function (g) {
      var key = g[0], values = Object.keys(allFilters[key] || {});
      if (!values.length) return;
      values.sort(function (a, b) { return a.localeCompare(b, "ja"); });
      var fieldset = el("fieldset", { "class": "jirei-facet" });
      fieldset.appendChild(el("legend", {}, g[1]));
      var selected = state.selected[key] || [];
      values.forEach(function (value) {
        var count = counts ? ((counts[key] || {})[value] || 0) : allFilters[key][value];
        var id = "f-" + key + "-" + encodeURIComponent(value).replace(/%/g, "_");
        var label = el("label", { "for": id, "class": "jirei-facet__option" });
        var box_ = el("input", { type: "checkbox", name: key, value: value, id: id });
        box_.checked = selected.indexOf(value) >= 0;
        if (!count && !box_.checked) label.classList.add("jirei-facet__option--empty");
        label.appendChild(box_);
        label.appendChild(document.createTextNode(" " + value + " "));
        label.appendChild(el("span", { "class": "jirei-facet__count" }, "(" + count + ")"));
        fieldset.appendChild(label);
      });
      box.appendChild(fieldset);
    });
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  async function run(root, state) {
    var mine = ++generation;
    var status = root.querySelector("#jirei-search-status");
    var list = root.querySelector("#jirei-search-results");
    var more = root.querySelector("#jirei-search-more");
    var facets = root.querySelector("#jirei-search-filters");
    status.textContent = "検索しています…";
    await loadPagefind();
    var found = await find(state);
    if (mine !== generation) return;  // a newer search has started
    list.textContent = "";
    more.hidden = true;
    shown = [];
    if (!found) {
      renderFilters(facets, state, null);
      status.textContent = "キーワードを入力するか、絞り込みの条件を選んでください。";
      return;
    }
    renderFilters(facets, state, found.counts);
    shown = found.results;
    var words = queryWords(state.q);
    status.textContent = shown.length ? shown.length + " 件見つかりました" : "見つかりませんでした。キーワードを変えるか、絞り込みを外してください。";
    await renderResults(list, shown, words, 0);
    more.hidden = shown.length <= PAGE_SIZE;
    more.onclick = async function () {
      await renderResults(list, shown, words, list.children.length);
      more.hidden = list.children.length >= shown.length;
    };
  }

  function initSearchPage(root) {
    var form = root.querySelector("form");
    var input = form.querySelector("input[name=q]");
    root.querySelector("#jirei-search-js").hidden = false;
    var state = stateFromUrl();
    input.value = state.q;
    var timer = null;
    function update(push) {
      var next = currentState(form);
      var url = urlFromState(next);
      if (url !== location.pathname + location.search) {
        if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
      }
      run(root, next);
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); update(true); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { update(false); }, 250); });
    root.querySelector("#jirei-search-filters").addEventListener("change", function () { update(true); });
    window.addEventListener("popstate", function () {
      var restored = stateFromUrl();
      input.value = restored.q;
      run(root, restored);
    });
    run(root, state);
  }

  function init() {
    var root = document.getElementById("jirei-search");
    if (root) initSearchPage(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
